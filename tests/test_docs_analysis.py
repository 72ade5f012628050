"""docs/analysis.md: its commands run as written, and it defines everything the tool reports."""

from __future__ import annotations

import dataclasses
import re
import shlex

import pytest

from improv_cli.analysis import indicators, session
from tests.conftest import ROOT
from tests.test_analysis_cli import client_phrases

DOC = (ROOT / "docs" / "analysis.md").read_text(encoding="utf-8")
BLOCK = re.search(r"```sh\n(.*?)```", DOC, re.DOTALL)
COMMANDS = [
    c
    for c in (line.split("#")[0].strip() for line in (BLOCK.group(1) if BLOCK else "").splitlines())
    if c
]


def test_the_doc_shows_the_commands():
    assert len(COMMANDS) >= 6 and all(c.startswith("improv ") for c in COMMANDS)


def test_the_commands_in_the_doc_run_in_order(cli, tmp_path):
    client_phrases(tmp_path / "session.mid")
    for command in COMMANDS:
        line, _, target = command.partition(">")
        args = shlex.split(line)[1:]
        result = cli(*args, cwd=tmp_path)
        assert result.returncode == 0, (command, result.stderr)
        if target:
            (tmp_path / target.strip()).write_text(result.stdout)
        for name in [a for a in args if a.endswith((".png", ".csv", ".json"))] + [target.strip()]:
            if name:
                assert (tmp_path / name).stat().st_size > 0, name
    assert (tmp_path / "dialogue.csv").read_text().startswith("session,time,client_density")


@pytest.mark.parametrize(
    "name",
    [
        *session.FEATURES,
        *session.WHOLE_ONLY,
        *session.BETWEEN,
        *(f.name.replace("_", " ") for f in dataclasses.fields(indicators.Variability)),
        *(f.name for f in dataclasses.fields(indicators.Tension)),
    ],
)
def test_every_reported_value_is_defined_in_the_doc(name):
    assert f"`{name}`" in DOC, name


def test_every_option_is_in_the_doc(cli):
    help_text = cli("analyze", "--help").stdout
    for option in sorted(set(re.findall(r"--[a-z-]+", help_text)) - {"--help"}):
        assert f"`{option}" in DOC, option
