"""Shared helpers: run the real CLI, decode MIDI files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mido
import pytest

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
