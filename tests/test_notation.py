"""Every bundled framework as a score: valid MusicXML 4.0, and the same music as its MIDI.

The MusicXML is read back with music21 and held against the MIDI render by the shared
checker in `notation_facts`: per part, the same pitches at the same onsets for the same
durations (swung parts within their swing delay, as a score writes swing straight).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from improv_cli import api
from improv_cli.model import library
from improv_cli.model.loader import load_framework
from tests.notation_facts import differences, read_midi, read_musicxml, schema_errors

NAMES = library.framework_names()


def swing_slack(name: str) -> dict[str, int]:
    """Per part, the most ticks its swung notes are played late (0 for straight parts)."""
    framework = load_framework(name)
    bar = framework.meter.bar_ticks
    slack: dict[str, int] = {}
    for section in framework.sections:
        groove = section.groove
        if groove is None:
            continue
        for spec in framework.parts:
            amount = spec.swing if spec.swing is not None else groove.swing
            if amount:
                slack[spec.name] = max(slack.get(spec.name, 0), round(amount * bar / groove.steps))
    return slack


def renders(name: str, tmp_path: Path, **overrides: int) -> tuple[bytes, Path]:
    score = tmp_path / "score.musicxml"
    midi = tmp_path / "score.mid"
    api.render(name, str(score), None, api.Overrides(**overrides))
    api.render(name, str(midi), None, api.Overrides(**overrides))
    return score.read_bytes(), midi


@pytest.mark.parametrize("name", NAMES)
def test_every_framework_scores_valid_musicxml_with_the_midi_notes(name, tmp_path):
    data, midi = renders(name, tmp_path)
    assert schema_errors(data) == []
    assert differences(read_musicxml(data), read_midi(midi), swing_slack(name)) == []
