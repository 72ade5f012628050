"""docs/notation.md: its commands run as written, and its screenshots are today's output."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.conftest import ROOT

DOC = (ROOT / "docs" / "notation.md").read_text(encoding="utf-8")
BLOCK = re.search(r"```sh\n(.*?)```", DOC, re.DOTALL)
COMMANDS = [line.split("#")[0].strip() for line in (BLOCK.group(1) if BLOCK else "").splitlines()]
COMMANDS = [c for c in COMMANDS if c]


def test_the_doc_shows_commands():
    assert len(COMMANDS) >= 5 and all(c.startswith("improv ") for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_in_the_doc_runs(command, cli, tmp_path):
    result = cli(*shlex.split(command)[1:], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("image", "args"),
    [
        ("lead-sheet.png", ["dialoguing/call-and-response"]),
        ("practice-sheet.png", ["holding/dorian-vamp", "-k", "practice"]),
    ],
)
def test_the_screenshots_are_what_improv_draws_today(image, args, cli, tmp_path):
    assert f"(images/{image})" in DOC
    out = tmp_path / image
    assert cli("sheet", *args, "-o", str(out)).returncode == 0
    assert out.read_bytes() == (ROOT / "docs" / "images" / image).read_bytes()


def test_the_technique_pictures_are_what_improv_draws_today():
    from improv_cli.cli.techniques_doc import image
    from improv_cli.respond import techniques

    doc = (ROOT / "docs" / "techniques.md").read_text(encoding="utf-8")
    for name in techniques():
        assert f"(images/respond-{name}.png)" in doc, name
        assert image(name) == (ROOT / "docs" / "images" / f"respond-{name}.png").read_bytes()
