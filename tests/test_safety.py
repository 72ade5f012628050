"""The safety profile, checked on the decoded MIDI: ceiling, dynamic-change cap, accents, tempo.

Whatever variation, humanise and expression do, the bytes written must keep every limit.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
from collections import defaultdict

import mido
from hypothesis import given, settings
from hypothesis import strategies as st

from improv_cli.engine.realise import realise
from improv_cli.model.framework import Framework, Humanise, Safety
from improv_cli.render.midi import midi_bytes
from tests.conftest import load_text
from tests.midi_facts import DecodedTrack, decode, metas

BAR = 1920

STEEP = """\
title: Steep dynamics
key: D dorian
tempo: 84
harmony: "i7 | IV7 | v7 | bVII"
melody: "1 2 3 5 | 4:h 3:q 2 | 1:q 3 5 3 | 2:h 1"
groove:
  steps: 8
  drums:
    kick: "X... x..."
    snare: "..x. ..X."
    closed-hihat: "xxxx xxxx"
  bass: "1-5- 8-5-"
  comp: "X--- x---"
  fill:
    every: 4
    drums: {snare: "xxxx xXXX"}
length: {bars: 14}
expression:
  - {bars: 1-2, dynamics: "pp -> fff"}
  - {bars: 3-4, dynamics: "fff -> pp"}
  - {bars: 5-8, accent: [1, 3], amount: 40}
  - {bars: 9, dynamics: fff}
  - {bars: 10, dynamics: ppp}
  - {bars: 11-12, dynamics: "ppp -> fff"}
vary:
  - {pass: 2, fills: true, ornament: 0.5}
"""


def decoded(framework: Framework) -> list[DecodedTrack]:
    """Realise, write the bytes, and read them back with mido."""
    data = midi_bytes(realise(framework))
    return decode(mido.MidiFile(file=io.BytesIO(data)))


def parts(tracks: list[DecodedTrack]) -> dict[str, DecodedTrack]:
    return {t.name: t for t in tracks[1:]}


def bar_means(track: DecodedTrack) -> list[tuple[int, float]]:
    """(bar, mean velocity of the notes starting in it), for the bars where the part sounds."""
    bars: dict[int, list[int]] = defaultdict(list)
    for note in track.notes:
        bars[note.start // BAR].append(note.velocity)
    return [(bar, sum(v) / len(v)) for bar, v in sorted(bars.items())]


def largest_change(track: DecodedTrack) -> float:
    means = [m for _, m in bar_means(track)]
    return max((abs(b - a) for a, b in itertools.pairwise(means)), default=0.0)


STEEP_FRAMEWORK = load_text(STEEP)


def test_without_safety_the_steep_framework_breaks_every_limit():
    # the control: the limits below are not met by accident
    tracks = parts(decoded(STEEP_FRAMEWORK))
    assert set(tracks) == {"drums", "bass", "comp", "melody"}
    assert max(n.velocity for t in tracks.values() for n in t.notes) == 127
    assert all(largest_change(t) > 30 for t in tracks.values())


@settings(max_examples=40, deadline=None)
@given(
    variation=st.floats(0, 1),
    seed=st.integers(0, 2**31 - 1),
    ceiling=st.integers(40, 110),
    max_change=st.integers(1, 12),
    humanise=st.none() | st.tuples(st.floats(0, 30), st.integers(0, 12)),
)
def test_ceiling_and_dynamic_change_hold_on_every_decoded_note(
    variation, seed, ceiling, max_change, humanise
):
    framework = dataclasses.replace(
        STEEP_FRAMEWORK,
        variation=variation,
        seed=seed,
        safety=Safety(ceiling=ceiling, max_change=max_change),
        humanise=Humanise(*humanise) if humanise else None,
    )
    tracks = decoded(framework)
    assert tracks[-1].end == 14 * BAR
    for track in parts(tracks).values():
        assert track.notes, track.name
        assert track.hanging == 0 and track.unmatched_offs == 0
        assert max(n.velocity for n in track.notes) <= ceiling, track.name
        means = bar_means(track)
        for (bar_a, a), (bar_b, b) in itertools.pairwise(means):
            assert abs(b - a) <= max_change + 1e-9, (track.name, bar_a + 1, a, bar_b + 1, b)


FLAT = """\
title: Flat accents
key: C major
tempo: 90
harmony: "I | IV | V | I"
melody: "1 2 3 4 | 5 4 3 2 | 1 2 3 4 | 5 4 3 2"
groove:
  steps: 8
  drums:
    kick: "x... x..."
    closed-hihat: "xxXx xxXx"
  bass: "1.5. 1.5."
  comp: "X.x. x.X."
length: {bars: 8}
expression:
  - {bars: 1-8, dynamics: mf}
  - {bars: 3-4, accent: [1, 3], amount: 30}
vary:
  - {pass: 2, fills: true}
"""


def velocity_steps(track: DecodedTrack) -> tuple[int, list[int]]:
    """The part's plain velocity (the softest: flat dynamics, no ghosts) and each note's lift."""
    plain = min(n.velocity for n in track.notes)
    return plain, [n.velocity - plain for n in track.notes]


def test_without_a_limit_accents_lift_by_their_full_amount():
    tracks = parts(decoded(load_text(FLAT)))
    drums = tracks["drums"]
    plain, lifts = velocity_steps(drums)
    assert plain == 80 - 6
    assert max(lifts) == 30  # the accent span's amount; X (20) under it does not add up
    hats = {n.start: n.velocity for n in drums.notes if n.pitch == 42 and n.start < BAR}
    assert hats[480] - hats[0] == 20  # a groove X in a bar without an accent span


def test_max_accent_caps_every_accent():
    framework = dataclasses.replace(load_text(FLAT), safety=Safety(max_accent=4))
    tracks = parts(decoded(framework))
    for name in ("drums", "comp", "melody"):
        plain, lifts = velocity_steps(tracks[name])
        assert min(lifts) == 0 and max(lifts) == 4, (name, plain, sorted(set(lifts)))
    drums = tracks["drums"]
    hats = {n.start: n.velocity for n in drums.notes if n.pitch == 42 and n.start < BAR}
    assert hats[480] - hats[0] == 4  # groove X
    fill_bar = [n for n in drums.notes if n.start >= 7 * BAR]
    toms = [n for n in fill_bar if n.pitch in (45, 47, 50)]
    assert toms, "the planned fill has toms"
    assert max(n.velocity for n in fill_bar) - 74 == 4  # the fill's closing accent
    _, bass_lifts = velocity_steps(tracks["bass"])
    assert max(bass_lifts) == 4  # the accent span reaches the bass too


def test_max_accent_zero_removes_accents():
    framework = dataclasses.replace(load_text(FLAT), safety=Safety(max_accent=0))
    for track in parts(decoded(framework)).values():
        assert {n.velocity for n in track.notes} == {velocity_steps(track)[0]}, track.name


RITARDANDO = """\
title: Slowing down
tempo: 90
groove:
  steps: 4
  drums: {kick: "xxxx"}
length: {bars: 6}
expression:
  - {bars: 1-5, tempo: "90 -> 40"}
  - {bar: 6, fermata: 2}
"""


def set_tempos(tracks: list[DecodedTrack]) -> list[tuple[int, float]]:
    return [(tick, mido.tempo2bpm(m.tempo)) for tick, m in metas(tracks[0], "set_tempo")]


def test_tempo_bounds_hold_a_ritardando_inside_the_range():
    plain = set_tempos(decoded(load_text(RITARDANDO)))
    assert (
        abs(plain[0][1] - 90) < 1e-3 and min(b for _, b in plain) < 50 - 1
    )  # the control leaves the range
    text = RITARDANDO + "safety: {tempo: 50-80}\n"
    tempos = set_tempos(decoded(load_text(text)))
    held = 5 * BAR + 3 * 480  # the fermata holds the last beat of bar 6
    pulse = [(tick, bpm) for tick, bpm in tempos if tick != held]
    assert all(50 - 1e-3 <= bpm <= 80 + 1e-3 for _, bpm in pulse), pulse
    assert abs(pulse[0][1] - 80) < 1e-3 and pulse[0][0] == 0
    assert abs(pulse[-1][1] - 50) < 1e-3
    assert all(a >= b - 1e-3 for (_, a), (_, b) in itertools.pairwise(pulse))  # still slowing
    hold = dict(tempos)[held]
    assert abs(hold - 50 / 3) < 1e-3  # a hold, not a pulse: 1 + 2 beats at the bounded 50
    assert tempos[-1][0] == held


def test_tempo_bounds_also_hold_a_section_tempo_and_rubato():
    text = """\
title: Fast section
tempo: 70
groove: {steps: 4, drums: {kick: "xxxx"}}
sections:
  A: {harmony: "I | I"}
  B: {harmony: "V | V", tempo: 140}
expression:
  - {bars: 1-4, rubato: 0.3}
safety: {tempo: 60-100}
"""
    tempos = set_tempos(decoded(load_text(text)))
    assert all(60 - 1e-3 <= bpm <= 100 + 1e-3 for _, bpm in tempos), tempos
    assert any(abs(bpm - 100) < 1e-3 for tick, bpm in tempos if tick >= 2 * BAR)


def test_gentle_preset_is_ceiling_80_and_change_6_on_the_decoded_output():
    text = STEEP.replace("length: {bars: 14}", "length: {bars: 14}\nsafety: gentle")
    framework = load_text(text)
    assert framework.safety == Safety(ceiling=80, max_change=6, max_accent=8)
    tracks = parts(decoded(framework))
    everything = [n.velocity for t in tracks.values() for n in t.notes]
    assert max(everything) <= 80
    for track in tracks.values():
        assert largest_change(track) <= 6 + 1e-9, track.name
    melody = dict(bar_means(tracks["melody"]))
    assert melody[1] > melody[0]  # the crescendo still rises, only slower


def test_gentle_preset_accepts_overrides():
    text = STEEP.replace(
        "length: {bars: 14}", "length: {bars: 14}\nsafety: {preset: gentle, ceiling: 64}"
    )
    framework = load_text(text)
    assert framework.safety == Safety(ceiling=64, max_change=6, max_accent=8)
    velocities = [n.velocity for t in parts(decoded(framework)).values() for n in t.notes]
    assert max(velocities) <= 64
