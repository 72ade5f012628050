"""Shared helpers: run the real CLI, decode MIDI files."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import mido
import pytest

if TYPE_CHECKING:
    from improv_cli.model.framework import Framework

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `improv` in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "improv_cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def cli():
    return run_cli


def read_midi(path: Path) -> mido.MidiFile:
    return mido.MidiFile(str(path))


def load_text(text: str) -> Framework:
    """A framework from YAML text, through a real file (usable inside hypothesis tests)."""
    from improv_cli.model.loader import load_framework

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "framework.yaml"
        path.write_text(text, encoding="utf-8")
        return load_framework(str(path))
