"""docs/practice.md: every command in it runs as written and writes its file."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.conftest import ROOT

DOC = (ROOT / "docs" / "practice.md").read_text(encoding="utf-8")
BLOCK = re.search(r"```sh\n(.*?)```", DOC, re.DOTALL)
COMMANDS = [
    c
    for c in (line.split("#")[0].strip() for line in (BLOCK.group(1) if BLOCK else "").splitlines())
    if c
]


def test_the_doc_shows_commands():
    assert len(COMMANDS) >= 8 and all(c.startswith("improv practice ") for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_in_the_doc_runs(command, cli, tmp_path):
    args = shlex.split(command)[1:]
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / args[args.index("-o") + 1]).stat().st_size > 0
