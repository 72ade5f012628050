"""Every mode and scale, rendered: melodies stay in the mode and the tonic is the centre."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from improv_cli import api
from improv_cli.api import Overrides
from improv_cli.engine.realise import realise
from improv_cli.errors import FrameworkError
from improv_cli.model.loader import load_framework
from improv_cli.model.modes import mode_info, scala_mode, scala_names
from improv_cli.model.tables import MODES

SCALA_SAMPLES = ["scala:bug-pelog", "scala:slendro", "scala:pelog7"]
TONICS = ["C", "D", "Eb", "F#", "G", "A", "Bb", "B"]


def test_the_library_of_modes_is_complete():
    assert len(MODES) >= 25
    needed = {
        "ionian", "dorian", "phrygian", "lydian", "mixolydian", "aeolian", "locrian",
        "major-pentatonic", "minor-pentatonic", "blues", "harmonic-minor", "melodic-minor",
        "phrygian-dominant", "double-harmonic", "whole-tone", "octatonic", "japanese-in",
        "japanese-yo", "hirajoshi", "kumoi", "iwato", "bourdon",
    }  # fmt: skip
    assert needed <= set(MODES)
    for name, info in MODES.items():
        assert info.intervals[0] == 0 and list(info.intervals) == sorted(set(info.intervals))
        assert info.description and info.provenance, name
        assert info.parent in MODES and len(MODES[info.parent].intervals) == 7


def framework_in(tmp_path: Path, tonic: str, mode: str) -> str:
    size = len(mode_info(mode).intervals)  # at most 8: every degree fits a bar of eighths
    up = " ".join(str(d) for d in range(1, size + 1))
    down = " ".join(str(d) for d in range(size, 0, -1))
    rest = " r" * (8 - size)
    text = f"""\
title: Every degree
key: {tonic} {mode}
melody:
  - "{up.replace("1", "1:e", 1)}{rest} | {down}{rest}"
  - "1:w"
groove:
  steps: 4
  bass: "1-5-"
  comp: "x---"
"""
    path = tmp_path / "mode.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("mode", [*MODES, *SCALA_SAMPLES])
def test_every_mode_renders_in_the_mode_around_its_tonic(mode, tmp_path):
    tonic = TONICS[len(mode) % len(TONICS)]
    framework = load_framework(framework_in(tmp_path, tonic, mode))
    timeline = realise(api.apply(framework, Overrides(bars=8)))
    key = framework.key
    in_mode = {(key.tonic_pc + i) % 12 for i in key.intervals}
    melody = timeline.part_notes("melody")
    assert melody and {n.pitch % 12 for n in melody} == in_mode
    bass = timeline.part_notes("bass")
    counts = Counter(n.pitch % 12 for n in bass)
    assert counts.most_common(1)[0][0] == key.tonic_pc or bass[-1].pitch % 12 == key.tonic_pc
    comp = timeline.part_notes("comp")
    assert {n.pitch % 12 for n in comp} <= in_mode  # the tonic chord is built from the mode


@pytest.mark.parametrize("mode", [m for m in MODES if len(MODES[m].intervals) in (5, 6, 8)])
def test_numerals_in_other_scales_take_their_notes_from_the_scale(mode, tmp_path):
    numerals = ["I", "II", "III", "IV", "V"][: len(MODES[mode].intervals)]
    path = tmp_path / "n.yaml"
    harmony = " | ".join(numerals)
    text = f'title: N\nkey: D {mode}\nharmony: "{harmony}"\ngroove: {{comp: "x-------"}}\n'
    path.write_text(text, encoding="utf-8")
    framework = load_framework(str(path))
    timeline = realise(framework)
    in_mode = {(framework.key.tonic_pc + i) % 12 for i in framework.key.intervals}
    assert {n.pitch % 12 for n in timeline.part_notes("comp")} <= in_mode
    roots = [c.root for c in timeline.chords]
    assert roots == [
        (framework.key.tonic_pc + framework.key.intervals[i]) % 12 for i in range(len(numerals))
    ]


def test_pentatonic_numerals_stack_every_other_note(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        'title: P\nkey: C major-pentatonic\nharmony: "I | II | IV7"\n', encoding="utf-8"
    )
    chords = realise(load_framework(str(path))).chords
    assert [set(c.pitch_classes) for c in chords] == [{0, 4, 9}, {2, 7, 0}, {7, 0, 4, 9}]


def test_a_numeral_beyond_the_scale_is_a_validation_error(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text('title: P\nkey: C major-pentatonic\nharmony: "I | VI"\n', encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(path))
    assert "names degree 6" in caught.value.message and caught.value.pos.col == 15


def test_scala_archive_is_reachable_by_name():
    assert len(scala_names()) > 3000
    pelog = scala_mode("bug-pelog")  # cents 101 260 520 679 780 939 1200
    assert pelog.intervals == (0, 1, 3, 5, 7, 8, 9)
    assert "rounded to the nearest semitone" in pelog.provenance
    assert scala_mode("BUG-PELOG") == pelog  # file names are matched without case


def test_unknown_scala_name_suggests_close_ones(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("title: S\nkey: D scala:pelgo\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(path))
    assert caught.value.pos.col == 8 and "scala:pelog" in caught.value.hint
