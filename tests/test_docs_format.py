"""docs/format.md stays true: every example loads and renders, every invalid one is refused.

Valid examples are the ```yaml blocks that start with `title:`. Invalid examples start with
a line `# invalid: <the start of the expected message>`. The tables of modes, part defaults,
chord kinds, drum names, drum kits and instruments are checked against the code's tables.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from improv_cli.engine.realise import realise
from improv_cli.errors import FrameworkError
from improv_cli.model import tables
from improv_cli.model.loader import TOP_KEYS, load_framework
from improv_cli.model.yamlsource import parse_document
from improv_cli.timeline import Timeline

DOC = Path(__file__).resolve().parent.parent / "docs" / "format.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS: list[str] = re.findall(r"^```yaml\n(.*?)^```", TEXT, flags=re.MULTILINE | re.DOTALL)
VALID = [b for b in BLOCKS if b.startswith("title:")]
INVALID = [b for b in BLOCKS if b.startswith("# invalid")]


def _title(block: str) -> str:
    match = re.search(r"^title:\s*(.+)$", block, flags=re.MULTILINE)
    title = match.group(1) if match else "untitled"
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _render(block: str, tmp_path: Path) -> Timeline:
    path = tmp_path / "example.yaml"
    path.write_text(block, encoding="utf-8")
    return realise(load_framework(str(path)))


def test_the_page_has_enough_examples() -> None:
    assert len(VALID) >= 15
    assert len(INVALID) >= 5
    assert len(VALID) + len(INVALID) == len(BLOCKS), "a yaml block is neither valid nor invalid"


@pytest.mark.parametrize("block", VALID, ids=[_title(b) for b in VALID])
def test_example_loads_and_renders(block: str, tmp_path: Path) -> None:
    timeline = _render(block, tmp_path)
    assert timeline.bars >= 1


@pytest.mark.parametrize("block", INVALID, ids=[_title(b.split("\n", 1)[1]) for b in INVALID])
def test_invalid_example_is_refused(block: str, tmp_path: Path) -> None:
    expected = block.split("\n", 1)[0].removeprefix("# invalid").lstrip(":").strip()
    with pytest.raises(FrameworkError) as caught:
        _render(block, tmp_path)
    assert expected in caught.value.line()


def test_every_top_level_key_has_an_example() -> None:
    used: set[str] = set()
    for block in VALID:
        used.update(parse_document(block, "example").data)
    assert set(TOP_KEYS) - used == set()


def test_every_groove_key_has_an_example() -> None:
    used: set[str] = set()
    for block in VALID:
        groove = parse_document(block, "example").data.get("groove")
        if isinstance(groove, dict):
            used.update(groove)
    assert {"steps", "swing", "drums", "bass", "comp", "drone"} - used == set()


def test_mode_table_matches_the_code() -> None:
    for name, info in tables.MODES.items():
        intervals = " ".join(str(i) for i in info.intervals)
        assert f"| `{name}` | {intervals} |" in TEXT, name
        assert f"| {info.parent} | {info.description} |" in TEXT, name


def test_part_defaults_table_matches_the_code() -> None:
    for part, default in tables.PART_DEFAULTS.items():
        assert f"| `{part}` | `{default.instrument}` | {default.octave} |" in TEXT, part


def test_names_from_the_tables_are_all_listed() -> None:
    for kind in tables.CHORD_KINDS:
        assert f"`C{kind}`" in TEXT, kind
    for number, name in enumerate(tables.GM_INSTRUMENTS):
        assert f"`{name}`" in TEXT, name
        family = number // 8
        assert f"| {family * 8}–{family * 8 + 7} |" in TEXT
    for name, note in tables.GM_DRUMS.items():
        assert f"| {note} | `{name}` |" in TEXT, name
    for alias in tables.DRUM_ALIASES:
        assert f"`{alias}`" in TEXT, alias
    for kit in tables.DRUM_KITS:
        assert f"`{kit}`" in TEXT, kit
    for level, velocity in tables.DYNAMICS.items():
        assert f"`{level}` {velocity}" in TEXT, level
