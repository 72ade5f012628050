"""docs/adapt.md: its commands run as written, its pictures are current, its options are all
there."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.conftest import ROOT

DOC = (ROOT / "docs" / "adapt.md").read_text(encoding="utf-8")
SH = re.findall(r"```sh\n(.*?)```", DOC, re.DOTALL)
COMMANDS = [c.strip() for block in SH for c in block.splitlines() if c.strip()]
CLOSING = re.findall(r"```yaml\n(.*?)```", DOC, re.DOTALL)[0]


def test_the_doc_shows_commands():
    assert len(COMMANDS) >= 5 and all(c.startswith("improv adapt ") for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_in_the_doc_runs(command, cli, tmp_path):
    (tmp_path / "closing.yaml").write_text(CLOSING)
    args = shlex.split(command)[1:]
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / args[args.index("-o") + 1]).stat().st_size > 0


def test_the_pictures_are_current():
    from improv_cli.cli.adapt_doc import IMAGES, images

    for name, data in zip(IMAGES, images(), strict=True):
        assert data == (ROOT / "docs" / "images" / name).read_bytes(), (
            "run: python -m improv_cli.cli.adapt_doc docs/images"
        )


def test_every_option_is_in_the_doc(cli):
    help_text = cli("adapt", "--help").stdout
    for option in sorted(set(re.findall(r"--[a-z-]+", help_text)) - {"--help"}):
        assert f"`{option}`" in DOC, option
