"""The issue's acceptance render: holding/dorian-vamp for five minutes, checked note by note."""

from __future__ import annotations

import itertools
import math

import pytest

from tests.conftest import run_cli
from tests.midi_facts import by_name, decode, metas

D_DORIAN = {2, 4, 5, 7, 9, 11, 0}
BAR = 1920
PROGRESSION = ["Dm7", "Dm7", "G7", "G7"]  # i7 | i7 | IV7 | IV7 in D dorian
CHORD_PCS = {"Dm7": {2, 5, 9, 0}, "G7": {7, 11, 2, 5}}
TEMPO = 66
# ballad groove, 8 steps of 240 ticks: kick "x... .x..", side-stick "..x. ..x.", hat all
GRID = {36: {0, 5}, 37: {2, 6}, 42: set(range(8))}


@pytest.fixture(scope="module")
def vamp(tmp_path_factory):
    out = tmp_path_factory.mktemp("render") / "vamp.mid"
    result = run_cli("render", "holding/dorian-vamp", "-o", str(out), "--minutes", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    return out


@pytest.fixture(scope="module")
def tracks(vamp):
    return decode(vamp)


def expected_bars() -> int:
    pass_seconds = 4 * 4 * 60 / TEMPO  # four bars of four quarter notes
    return math.ceil(5 * 60 / pass_seconds) * 4


def test_type_1_with_conductor_and_named_part_tracks(vamp, tracks):
    import mido

    midi = mido.MidiFile(str(vamp))
    assert midi.type == 1 and midi.ticks_per_beat == 480
    assert tracks[0].name == "Dorian holding vamp"
    assert not [m for t in tracks[:1] for m in t.notes]
    assert [t.name for t in tracks[1:]] == ["drums", "bass", "comp", "melody"]
    for track in tracks[1:]:
        assert track.programs and track.programs[0][0] == 0, track.name
    channels = {t.name: {n.channel for n in t.notes} for t in tracks[1:]}
    assert channels == {"drums": {9}, "bass": {0}, "comp": {1}, "melody": {2}}


def test_length_is_the_fewest_whole_passes_lasting_five_minutes(tracks):
    bars = expected_bars()
    assert bars == 84
    for track in tracks:
        assert track.end == bars * BAR, track.name
    assert max(n.end for t in tracks for n in t.notes) <= bars * BAR


def test_tempo_time_and_key_signature(tracks):
    conductor = tracks[0]
    tempos = metas(conductor, "set_tempo")
    assert [(tick, m.tempo) for tick, m in tempos] == [(0, round(60_000_000 / TEMPO))]
    signatures = metas(conductor, "time_signature")
    assert [(t, m.numerator, m.denominator) for t, m in signatures] == [(0, 4, 4)]
    keys = metas(conductor, "key_signature")
    assert [(t, m.key) for t, m in keys] == [(0, "Am")]  # D dorian: no sharps or flats


def test_chord_symbols_follow_the_progression_bar_by_bar(tracks):
    chords = metas(tracks[0], "text")
    assert len(chords) == expected_bars()
    for tick, message in chords:
        assert tick % BAR == 0
        assert message.text == PROGRESSION[(tick // BAR) % 4], tick // BAR


def test_bass_plays_the_root_of_each_chord_on_each_downbeat(tracks):
    bass = by_name(tracks)["bass"].notes
    downbeats = {n.start // BAR: n.pitch for n in bass if n.start % BAR == 0}
    assert len(downbeats) == expected_bars()
    for bar, pitch in downbeats.items():
        root = 2 if PROGRESSION[bar % 4] == "Dm7" else 7
        assert pitch % 12 == root, bar
        assert 28 <= pitch <= 55  # a bass register


def test_pitched_parts_stay_in_the_mode_or_the_chord(tracks):
    for name in ("bass", "comp", "melody"):
        for note in by_name(tracks)[name].notes:
            chord = PROGRESSION[(note.start // BAR) % 4]
            assert note.pitch % 12 in D_DORIAN | CHORD_PCS[chord], (name, note)


def test_comp_sounds_the_chord_of_each_bar(tracks):
    comp = by_name(tracks)["comp"].notes
    for note in comp:
        chord = PROGRESSION[(note.start // BAR) % 4]
        assert note.pitch % 12 in CHORD_PCS[chord]
    strikes: dict[int, set[int]] = {}
    for note in comp:
        strikes.setdefault(note.start, set()).add(note.pitch % 12)
    for start, pcs in strikes.items():
        assert pcs == CHORD_PCS[PROGRESSION[(start // BAR) % 4]], start


def test_drum_onsets_fall_exactly_on_the_groove_grid(tracks):
    drums = by_name(tracks)["drums"].notes
    assert drums
    for note in drums:
        assert note.start % 240 == 0, note
        assert (note.start % BAR) // 240 in GRID[note.pitch], note
    per_bar = {p: len(steps) for p, steps in GRID.items()}
    for pitch, count in per_bar.items():
        hits = [n for n in drums if n.pitch == pitch]
        assert len(hits) == count * expected_bars(), pitch


def test_ghosted_hihat_offbeats_are_softer(tracks):
    hats = [n for n in by_name(tracks)["drums"].notes if n.pitch == 42]
    on = [n.velocity for n in hats if (n.start // 240) % 2 == 0]
    off = [n.velocity for n in hats if (n.start // 240) % 2 == 1]
    assert max(off) < min(on)


def test_every_note_is_released_and_none_overlaps_its_pitch(tracks):
    for track in tracks:
        assert track.hanging == 0 and track.unmatched_offs == 0, track.name
        by_pitch: dict[int, list] = {}
        for note in track.notes:
            assert note.end > note.start
            by_pitch.setdefault(note.pitch, []).append(note)
        for notes in by_pitch.values():
            notes.sort(key=lambda n: n.start)
            for a, b in itertools.pairwise(notes):
                assert a.end <= b.start, (track.name, a, b)


def test_melody_plays_the_motif_in_d_dorian(tracks):
    melody = by_name(tracks)["melody"].notes
    first_pass = [(n.start, n.end - n.start, n.pitch) for n in melody if n.start < 4 * BAR]
    # "5:h 4:q 3 | 1:w | 4:h 3:q 2 | 3:w" with degree 1 at D4
    assert first_pass == [
        (0, 960, 69),
        (960, 480, 67),
        (1440, 480, 65),
        (1920, 1920, 62),
        (3840, 960, 67),
        (4800, 480, 65),
        (5280, 480, 64),
        (5760, 1920, 65),
    ]


def test_soft_dynamics_from_the_framework(tracks):
    melody = by_name(tracks)["melody"].notes
    assert {n.velocity for n in melody} == {49}  # p, as the framework asks
