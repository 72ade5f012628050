"""The engine's musical behaviour, checked on the Timeline and on the decoded MIDI."""

from __future__ import annotations

import itertools
from pathlib import Path

from improv_cli import api
from improv_cli.api import Overrides
from improv_cli.engine.realise import realise
from improv_cli.model.loader import load_framework
from improv_cli.render.midi import to_midifile
from improv_cli.timeline import Timeline
from tests.midi_facts import decode, metas

BAR = 1920


def realised(tmp_path: Path, text: str, **overrides: object) -> Timeline:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    return realise(api.apply(load_framework(str(path)), Overrides(**overrides)))  # type: ignore[arg-type]


def test_swing_delays_only_the_off_beat_steps(tmp_path):
    tl = realised(tmp_path, 'title: S\ngroove:\n  swing: 0.33\n  drums:\n    ride: "xxxxxxxx"\n')
    starts = [n.start for n in tl.part_notes("drums")]
    delay = round(0.33 * 240)
    assert starts == [s * 240 + (delay if s % 2 else 0) for s in range(8)]
    assert all(n.end <= starts[i + 1] for i, n in enumerate(tl.part_notes("drums")[:-1]))


def test_bass_holds_with_dashes_and_across_the_bar_line(tmp_path):
    text = 'title: B\nkey: A minor\ngroove:\n  steps: 4\n  bass: "1--- ----"\nlength: {bars: 4}\n'
    tl = realised(tmp_path, text)
    bass = tl.part_notes("bass")
    assert [(n.start, n.duration, n.pitch) for n in bass] == [
        (0, 2 * BAR, 45),
        (2 * BAR, 2 * BAR, 45),
    ]


def test_bass_members_follow_the_chord_and_the_mode(tmp_path):
    text = 'title: B\nkey: C major\nharmony: "G7"\ngroove:\n  steps: 8\n  bass: "1357 8246"\n'
    pitches = [n.pitch for n in realised(tmp_path, text).part_notes("bass")]
    # G2 B2 D3 F3 | G3, then mode steps above G in C major: A2 C3 E3
    assert pitches == [43, 47, 50, 53, 55, 45, 48, 52]


def test_slash_chord_puts_its_bass_note_under_the_root(tmp_path):
    text = 'title: B\nharmony: "C/E"\ngroove:\n  steps: 2\n  bass: "15"\n  comp: "x."\n'
    tl = realised(tmp_path, text)
    assert [n.pitch % 12 for n in tl.part_notes("bass")] == [4, 7]
    assert {n.pitch % 12 for n in tl.part_notes("comp")} == {0, 4, 7}


def test_comp_voicing_sits_around_the_comp_octave(tmp_path):
    text = 'title: C\nkey: F major\nharmony: "I | IV | V7 | vi"\ngroove:\n  comp: "x-------"\n'
    comp = realised(tmp_path, text).part_notes("comp")
    assert all(55 <= n.pitch <= 77 for n in comp)
    chords = [sorted(n.pitch for n in g) for _, g in itertools.groupby(comp, key=lambda n: n.start)]
    assert len(chords) == 4 and all(len(c) == len(set(c)) >= 3 for c in chords)


def test_sections_form_markers_and_repeat(tmp_path):
    text = """\
title: Form
harmony: "I"
groove: {steps: 1, drums: {kick: x}}
sections:
  A: {repeat: 2}
  B: {harmony: "V | V"}
form: A B A
"""
    tl = realised(tmp_path, text)
    assert tl.bars == 6
    assert [(m.tick // BAR, m.text) for m in tl.markers] == [(0, "A"), (2, "B"), (4, "A")]
    assert [c.symbol for c in tl.chords] == ["C", "C", "G", "G", "C", "C"]
    conductor = decode(to_midifile(tl))[0]
    assert [(t // BAR, m.text) for t, m in metas(conductor, "marker")] == [
        (0, "A"),
        (2, "B"),
        (4, "A"),
    ]


def test_bars_cut_the_form_mid_pass(tmp_path):
    text = 'title: T\nharmony: "I | IV | V | I"\ngroove: {steps: 1, drums: {kick: x}}\n'
    tl = realised(tmp_path, text, bars=6)
    assert tl.bars == 6 and [c.symbol for c in tl.chords] == ["C", "F", "G", "C", "C", "F"]
    assert max(n.end for n in tl.notes) == 6 * BAR


def test_minutes_follow_the_tempo_map(tmp_path):
    text = (
        'title: T\ntempo: 120\nharmony: "I | V"\ngroove: {steps: 1, drums: {kick: x}}\n'
        'expression:\n  - {bars: 1-4, tempo: "120 -> 60"}\n'
    )
    tl = realised(tmp_path, text, minutes=0.25)
    seconds = tl.seconds()
    assert seconds >= 15
    shorter = tl.seconds((tl.bars - 2) * BAR)  # one pass (two bars) fewer
    assert shorter < 15


def test_ritardando_tempo_falls_beat_by_beat_then_holds(tmp_path):
    text = (
        "title: R\ntempo: 66\ngroove: {steps: 1, drums: {kick: x}}\n"
        'expression:\n  - {bars: 2-3, tempo: "66 -> 56"}\n'
    )
    tl = realised(tmp_path, text, bars=4)
    tempos = [(t.tick, t.bpm) for t in tl.tempos]
    # eight beats from 66 to 56: the first equals the level before, so it adds no event
    expected = [(0, 66)] + [(BAR + i * 480, round(66 - 10 * i / 7, 3)) for i in range(1, 8)]
    assert tempos == expected
    midi_tempos = [m.tempo for _, m in metas(decode(to_midifile(tl))[0], "set_tempo")]
    assert all(a < b for a, b in itertools.pairwise(midi_tempos))  # microseconds per beat rise
    assert tl.tempos[-1].tick < 3 * BAR  # nothing changes after the span


def test_crescendo_raises_velocity_steadily(tmp_path):
    text = (
        'title: C\ngroove:\n  drums: {snare: "xxxxxxxx"}\n'
        'expression:\n  - {bars: 1-4, dynamics: "pp -> f"}\n'
    )
    drums = realised(tmp_path, text, bars=6).part_notes("drums")
    inside = [n.velocity for n in drums if n.start < 4 * BAR]
    after = {n.velocity for n in drums if n.start >= 4 * BAR}
    assert all(a <= b for a, b in itertools.pairwise(inside)) and inside[0] < inside[-1]
    assert inside[0] == 33 - 6  # pp with the drums' balance
    assert after == {96 - 6}  # f holds after the span


def test_compound_meter_and_pentatonic_degrees(tmp_path):
    text = 'title: L\nkey: G major-pentatonic\nmeter: 6/8\nmelody: "1:q. 6:e 5:q | 3:q. r"\n'
    tl = realised(tmp_path, text)
    assert tl.bar_ticks == 1440
    melody = [(n.start, n.duration, n.pitch) for n in tl.part_notes("melody")]
    # degree 6 of a five-note scale is the tonic an octave up
    assert melody == [(0, 720, 67), (720, 240, 79), (960, 480, 76), (1440, 720, 71)]


def test_without_harmony_bass_and_comp_rest_on_the_tonic_chord(tmp_path):
    text = 'title: T\nkey: E phrygian\ngroove:\n  bass: "1-5-8---"\n  comp: "x-------"\n'
    tl = realised(tmp_path, text)
    assert {n.pitch % 12 for n in tl.part_notes("comp")} == {4, 7, 11}  # E G B
    assert tl.chords == ()  # no written harmony, no chord symbols


def test_key_override_moves_numerals_and_chord_symbols(tmp_path):
    text = 'title: K\nkey: D dorian\nharmony: "i7 | G7"\ngroove: {comp: "x-------"}\n'
    tl = realised(tmp_path, text, key="E dorian")
    assert [c.symbol for c in tl.chords] == ["Em7", "A7"]


def test_flat_keys_are_spelled_with_flats(tmp_path):
    text = 'title: K\nkey: C major\nharmony: "C | G7"\ngroove: {comp: "x-------"}\n'
    tl = realised(tmp_path, text, key="Eb major")
    assert [c.symbol for c in tl.chords] == ["Eb", "Bb7"]


def test_accidental_numerals_read_against_the_parallel_major(tmp_path):
    text = 'title: M\nkey: G mixolydian\nharmony: "I | bVII | IV | I"\n'
    tl = realised(tmp_path, text)
    assert [c.symbol for c in tl.chords] == ["G", "F", "C", "G"]


def test_drone_is_one_unbroken_note_per_pitch_without_sections(tmp_path):
    text = 'title: D\nkey: A minor\ngroove: {drone: "1 5"}\nlength: {bars: 12}\n'
    drone = realised(tmp_path, text).part_notes("drone")
    assert [(n.start, n.end, n.pitch) for n in drone] == [(0, 12 * BAR, 57), (0, 12 * BAR, 64)]


def test_key_signatures_stay_writable_for_every_tonic_and_mode():
    from improv_cli.engine.theory import key_signature
    from improv_cli.model.framework import Key
    from improv_cli.model.tables import MODES

    tonics = [
        "C",
        "C#",
        "Db",
        "D#",
        "Eb",
        "E#",
        "Fb",
        "F#",
        "Gb",
        "G#",
        "Ab",
        "A#",
        "Bb",
        "B#",
        "Cb",
    ]
    for tonic in tonics:
        for mode in MODES:
            sharps, _ = key_signature(Key(tonic, mode))
            assert -7 <= sharps <= 7, (tonic, mode)
    assert key_signature(Key("D#", "major")) == (-3, False)  # as E flat major
    assert key_signature(Key("Bb", "mixolydian")) == (-3, False)
    assert key_signature(Key("F#", "minor")) == (3, True)


def test_every_accepted_chord_kind_builds_in_music21():
    from improv_cli.engine.theory import chord_tones
    from improv_cli.errors import Pos
    from improv_cli.model.framework import Chord, Key
    from improv_cli.model.tables import CHORD_KINDS

    for kind in CHORD_KINDS:
        tones = chord_tones(Chord(f"Bb{kind}/D", False, Pos("x", 1, 1)), Key("C", "major"))
        assert tones.root == 10 and tones.bass == 2 and len(tones.members) >= 2, kind
    maj9 = chord_tones(Chord("Cmaj9", False, Pos("x", 1, 1)), Key("C", "major"))
    assert set(maj9.members) == {0, 4, 7, 11, 2}


def test_harmony_without_a_groove_is_heard_as_held_chords(tmp_path):
    text = 'title: H\nkey: D dorian\nharmony: "i7 | IV7 V7"\nmelody: "1:w | 5:w"\n'
    tl = realised(tmp_path, text)
    comp = tl.part_notes("comp")
    spans = sorted({(n.start, n.end) for n in comp})
    assert spans == [(0, BAR), (BAR, BAR + 960), (BAR + 960, 2 * BAR)]
    assert {n.pitch % 12 for n in comp if n.start == BAR + 960} == {9, 1, 4, 7}  # A7


def test_voicings_are_close_and_drop_the_root_of_big_chords(tmp_path):
    text = 'title: V\nharmony: "Dsus4 | Dm9"\ngroove: {comp: "x-------"}\n'
    comp = realised(tmp_path, text).part_notes("comp")
    sus = sorted(n.pitch for n in comp if n.start == 0)
    ninth = sorted(n.pitch for n in comp if n.start == BAR)
    assert max(sus) - min(sus) < 12 and {p % 12 for p in sus} == {2, 7, 9}
    assert len(ninth) == 4 and 2 not in {p % 12 for p in ninth}  # F A C E, no root


def test_missing_chord_members_stay_within_an_octave_in_small_scales(tmp_path):
    text = 'title: B\nkey: C bourdon\ngroove:\n  steps: 4\n  bass: "1357"\n'
    pitches = [n.pitch for n in realised(tmp_path, text).part_notes("bass")]
    assert pitches[0] == 36 and all(36 <= p < 48 for p in pitches), pitches


def test_six_nine_chord_has_its_third_and_fifth():
    from improv_cli.engine.theory import chord_tones
    from improv_cli.errors import Pos
    from improv_cli.model.framework import Chord, Key

    tones = chord_tones(Chord("C69", False, Pos("x", 1, 1)), Key("C", "major"))
    assert set(tones.members) == {0, 4, 7, 9, 2}


def test_a_fill_replaces_the_rows_in_the_last_bar_of_every_n_bars(tmp_path):
    text = """\
title: F
harmony: "I"
groove:
  steps: 4
  drums: {kick: "x.x.", closed-hihat: "xxxx"}
  bass: "1---"
  fill:
    every: 2
    drums: {snare: "xxxX"}
    bass: "1.5."
length: {bars: 4}
"""
    tl = realised(tmp_path, text)
    for bar in range(4):
        drums = {n.pitch for n in tl.part_notes("drums") if n.start // BAR == bar}
        bass = [n.pitch % 12 for n in tl.part_notes("bass") if n.start // BAR == bar]
        if bar % 2:
            assert drums == {38} and bass == [0, 7], bar
        else:
            assert drums == {36, 42} and bass == [0], bar
    accents = [n.velocity for n in tl.part_notes("drums") if n.start >= 3 * BAR]
    assert accents[-1] > accents[0]


def test_fill_rows_must_last_one_bar(tmp_path):
    import pytest

    from improv_cli.errors import FrameworkError

    path = tmp_path / "f.yaml"
    path.write_text('title: F\ngroove:\n  steps: 4\n  fill: {drums: {snare: "xxxxxxxx"}}\n')
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(path))
    assert caught.value.key == "groove.fill.drums.snare"
    assert "one bar" in caught.value.message


def test_seven_note_scales_are_spelled_by_degree_in_sharp_keys(tmp_path):
    text = (
        'title: S\nkey: E harmonic-minor\nharmony: "V7 | viio7"\n'
        'groove:\n  steps: 4\n  bass: "1357"\n'
    )
    tl = realised(tmp_path, text)
    assert [c.symbol for c in tl.chords] == ["B7", "D#dim7"]
    bass = [n.pitch % 12 for n in tl.part_notes("bass")]
    assert bass == [11, 3, 6, 9, 3, 6, 9, 0]  # B D# F# A | D# F# A C
