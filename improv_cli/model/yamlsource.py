"""Safe YAML 1.2 loading that remembers where every key and value stands.

PyYAML resolves plain scalars by YAML 1.1 rules (`no` is false, `1:30` is 90). Editors speak
YAML 1.2, so this loader resolves by the 1.2 core schema instead: only `true`/`false` are
booleans, only decimal, `0o` and `0x` literals are integers. Anything that is not a plain
mapping, sequence or core scalar (custom tags, anchors to Python objects) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from improv_cli.errors import FrameworkError, Pos

KeyPath = tuple[str | int, ...]

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)

_STR = "tag:yaml.org,2002:str"
_CORE_TAGS = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    _STR,
}


class _Yaml12Loader(yaml.SafeLoader):
    """A SafeLoader whose implicit resolvers follow the YAML 1.2 core schema."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012  (filled below, not inherited)


for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:bool", _BOOL, list("tTfF")),
    ("tag:yaml.org,2002:null", _NULL, [*list("~nN"), ""]),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789")),
):
    _Yaml12Loader.add_implicit_resolver(_tag, _regexp, _first)


@dataclass(frozen=True, slots=True)
class Document:
    """A loaded YAML document: plain Python data and the position of every key path."""

    data: Any
    positions: dict[KeyPath, Pos]  # where each value starts
    key_positions: dict[KeyPath, Pos]  # where each mapping key stands
    file: str

    def pos(self, path: KeyPath) -> Pos:
        """The position of the value at `path`, or of its nearest ancestor that has one."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, Pos(self.file, 1, 1))

    def key_pos(self, path: KeyPath) -> Pos:
        """The position of the key that names `path` (for unknown or misplaced keys)."""
        return self.key_positions.get(path) or self.pos(path)


def display_path(path: Path) -> str:
    """How a file is named in messages: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_document(path: Path, shown_as: str | None = None) -> Document:
    """Read and parse one YAML file; errors name the file, line and column."""
    name = shown_as or display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkError(f"{name}: no such file", hint="check the path") from None
    except IsADirectoryError:
        raise FrameworkError(f"{name}: is a folder, not a YAML file") from None
    except UnicodeDecodeError as exc:
        raise FrameworkError(f"{name}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise FrameworkError(f"{name}: cannot read ({exc.strerror})") from None
    return parse_document(text, name)


def parse_document(text: str, name: str) -> Document:
    """Parse YAML text into a `Document`."""
    try:
        node = yaml.compose(text, Loader=_Yaml12Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(name, mark.line + 1, mark.column + 1) if mark else Pos(name, 1, 1)
        problem = exc.problem or exc.context or "not valid YAML"
        raise FrameworkError(
            f"YAML syntax: {problem}", pos=pos, hint="check indentation, colons and quotes"
        ) from None
    except yaml.YAMLError as exc:
        raise FrameworkError(f"YAML: {exc}", pos=Pos(name, 1, 1)) from None
    builder = _Builder(name)
    if node is None:
        return Document({}, {}, {}, name)
    data = builder.build(node, ())
    return Document(data, builder.positions, builder.key_positions, name)


def _pos(node: yaml.Node, name: str) -> Pos:
    return Pos(name, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node tree into plain data, recording positions on the way."""

    MAX_NODES = 200_000  # aliases can multiply a small file; refuse a "billion laughs"

    def __init__(self, name: str) -> None:
        self.name = name
        self.positions: dict[KeyPath, Pos] = {}
        self.key_positions: dict[KeyPath, Pos] = {}
        self.count = 0

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > self.MAX_NODES:
            raise FrameworkError(
                "YAML document too large (aliases expand to too many values)",
                pos=_pos(node, self.name),
            )
        pos = _pos(node, self.name)
        if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"'):
            pos = Pos(pos.file, pos.line, pos.col + 1)  # point at the text, not the quote
        self.positions.setdefault(path, pos)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return _scalar(node, self.name)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise FrameworkError(
                    "a key must be a plain word", pos=_pos(key_node, self.name), key=dotted(path)
                )
            key = str(_scalar(key_node, self.name))
            if key in result:
                raise FrameworkError(
                    f"duplicate key '{key}'",
                    pos=_pos(key_node, self.name),
                    key=dotted((*path, key)),
                    hint="each key may appear once; remove or rename one",
                )
            self.key_positions[(*path, key)] = _pos(key_node, self.name)
            result[key] = self.build(value_node, (*path, key))
        return result


def _scalar(node: yaml.ScalarNode, name: str) -> Any:
    tag, value = node.tag, node.value
    if tag not in _CORE_TAGS:
        raise FrameworkError(
            f"unsupported YAML tag {tag}", pos=_pos(node, name), hint="use plain values"
        )
    if tag == _STR:
        return value
    if tag.endswith(":bool"):
        return value.lower() == "true"
    if tag.endswith(":null"):
        return None
    if tag.endswith(":int"):
        return int(value, 0) if value.startswith(("0o", "0x")) else int(value, 10)
    lowered = value.lower()
    if lowered.endswith("nan"):
        return float("nan")
    if lowered.endswith("inf"):
        return float("-inf") if value.startswith("-") else float("inf")
    return float(value)


def dotted(path: KeyPath) -> str:
    """A key path as people write it: `sections.A.harmony`, `melody[2]`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
