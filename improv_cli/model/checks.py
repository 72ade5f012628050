"""Small checks over a loaded YAML document; each failure names file, line, column and key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from improv_cli.errors import FrameworkError, Pos
from improv_cli.model.syntax import SyntaxProblem, suggest
from improv_cli.model.yamlsource import Document, KeyPath, dotted

T = TypeVar("T")

_TYPE_HINTS = {
    float: "write a plain number without units, e.g. 66 or 0.33",
    int: "write a whole number, e.g. 4",
    str: "write text; put it in quotes if it holds : or #",
    dict: "write 'key: value' lines indented under this key",
    list: "write '- item' lines or [a, b]",
    bool: "write true or false",
}
_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    dict: "a mapping (key: value lines)",
    list: "a list",
    bool: "true or false",
}


class Checker:
    """Reads values out of a document by key path, raising `FrameworkError` on the first fault."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def fail(
        self, path: KeyPath, message: str, hint: str = "", *, at_key: bool = False
    ) -> NoReturn:
        pos = self.doc.key_pos(path) if at_key else self.doc.pos(path)
        raise FrameworkError(message, pos=pos, key=dotted(path), hint=hint)

    def typed(self, value: Any, path: KeyPath, *types: type) -> Any:
        """`value` if it is one of `types` (an int passes for a float; a bool never does)."""
        if isinstance(value, bool) and bool not in types:
            ok = False
        else:
            ok = isinstance(value, types) or (float in types and isinstance(value, int))
        if not ok:
            want = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
            got = "nothing" if value is None else repr(value)
            self.fail(path, f"expected {want}, got {got}", _TYPE_HINTS.get(types[0], ""))
        return value

    def keys(self, data: dict[str, Any], path: KeyPath, allowed: tuple[str, ...]) -> None:
        """Unknown keys are errors, with a "did you mean" hint."""
        for key in data:
            if key not in allowed:
                hint = suggest(key, allowed) or "known keys: " + ", ".join(allowed)
                self.fail((*path, key), f"unknown key '{key}'", hint, at_key=True)

    def number(self, value: Any, path: KeyPath, low: float, high: float) -> float:
        number = float(self.typed(value, path, float))
        if not low <= number <= high:
            self.fail(path, f"{number:g} is out of range", f"use a value from {low:g} to {high:g}")
        return number

    def whole(self, value: Any, path: KeyPath, low: int, high: int) -> int:
        number = int(self.typed(value, path, int))
        if not low <= number <= high:
            self.fail(path, f"{number} is out of range", f"use a whole number from {low} to {high}")
        return number

    def token_pos(self, path: KeyPath, text: str, offset: int) -> Pos:
        """The position of character `offset` of the string at `path`."""
        start = self.doc.pos(path)
        if "\n" in text[:offset]:
            return start
        return Pos(start.file, start.line, start.col + offset)

    def parse(self, text: str, path: KeyPath, parser: Callable[[str], T]) -> T:
        """Run a syntax parser on the string at `path`, pointing errors at the bad token."""
        try:
            return parser(text)
        except SyntaxProblem as problem:
            raise FrameworkError(
                problem.message,
                pos=self.token_pos(path, text, problem.offset),
                key=dotted(path),
                hint=problem.hint,
            ) from None
