"""docs/expression.md stays true: its examples render, and its framework is the library's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from improv_cli.engine.realise import realise
from improv_cli.model import library
from improv_cli.model.loader import load_framework
from improv_cli.model.yamlsource import load_document, parse_document

DOC = Path(__file__).resolve().parent.parent / "docs" / "expression.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```yaml\n(.*?)^```", TEXT, flags=re.MULTILINE | re.DOTALL)


def test_the_page_has_its_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block-{i}" for i in range(len(BLOCKS))])
def test_example_renders(block, tmp_path):
    path = tmp_path / "example.yaml"
    path.write_text(block, encoding="utf-8")
    assert realise(load_framework(str(path))).bars >= 1


def test_the_worked_example_is_the_library_framework():
    shown = parse_document(BLOCKS[0], "doc").data
    path = library.framework_path("holding/breathing-vamp")
    assert path is not None
    bundled = load_document(path, "library").data
    assert {k: bundled[k] for k in shown} == shown
