"""docs/sessions.md: its journey commands run as written; every journey option is there."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.conftest import ROOT
from tests.test_analysis_cli import client_phrases

DOC = (ROOT / "docs" / "sessions.md").read_text(encoding="utf-8")
JOURNEYS = [
    line.strip()
    for block in re.findall(r"```sh\n(.*?)```", DOC, re.DOTALL)
    for line in block.splitlines()
    if line.strip().startswith("improv journey ")
]


def test_the_doc_shows_journeys():
    assert len(JOURNEYS) >= 4


@pytest.mark.parametrize("command", JOURNEYS)
def test_each_journey_in_the_doc_runs(command, cli, tmp_path):
    client_phrases(tmp_path / "session.mid")
    args = shlex.split(command)[1:]
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / args[args.index("-o") + 1]).stat().st_size > 0


def test_every_journey_option_is_in_the_doc(cli):
    help_text = cli("journey", "--help").stdout
    for option in sorted(
        set(re.findall(r"--[a-z-]+", help_text)) - {"--help", "--json", "--quiet", "--output"}
    ):
        assert f"`{option}" in DOC, option


SESSIONS = [
    line.strip()
    for block in re.findall(r"```sh\n(.*?)```", DOC, re.DOTALL)
    for line in block.splitlines()
    if line.strip().startswith("improv session ")
]


def test_the_session_commands_in_the_doc_run_in_order(cli, tmp_path):
    import shutil

    shutil.copytree(ROOT / "docs" / "plans", tmp_path / "docs" / "plans")
    assert len(SESSIONS) >= 3
    for command in SESSIONS:
        args = shlex.split(command)[1:]
        result = cli(*args, cwd=tmp_path)
        assert result.returncode == 0, (command, result.stderr)
        folder = tmp_path / args[args.index("-o") + 1]
        assert (folder / "session.mid").stat().st_size > 0
        assert (folder / "manifest.json").is_file() and (folder / "session-card.pdf").is_file()
    assert (tmp_path / "activating-arc" / "session.wav").stat().st_size > 0


def test_the_plan_in_the_doc_renders(cli, tmp_path):
    plan = re.search(r"### The plan\n\n```yaml\n(.*?)```", DOC, re.DOTALL)
    assert plan
    (tmp_path / "plan.yaml").write_text(plan.group(1))
    result = cli("session", "plan.yaml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "segments").is_dir()


def test_every_session_option_is_in_the_doc(cli):
    help_text = cli("session", "--help").stdout
    for option in sorted(
        set(re.findall(r"--[a-z-]+", help_text)) - {"--help", "--json", "--quiet", "--output"}
    ):
        assert f"--{option.lstrip('-')}" in DOC, option
