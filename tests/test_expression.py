"""Expression (tempo, dynamics, accents, fermatas, rubato, section contrast), checked on the
decoded MIDI file: the set_tempo map, note onsets in seconds and velocities."""

from __future__ import annotations

import io
import math
from itertools import pairwise
from pathlib import Path

import mido
import pytest

from improv_cli.engine.realise import realise
from improv_cli.model.loader import load_framework
from improv_cli.render.midi import midi_bytes
from tests.midi_facts import DecodedTrack, by_name, decode, metas

TPQ = 480
BEAT = 480
BAR = 1920
LEVELS = {"ppp": 16, "pp": 33, "p": 49, "mp": 64, "mf": 80, "f": 96, "ff": 112, "fff": 127}
KICKS = 'groove: {steps: 4, drums: {kick: "xxxx"}}\n'  # one kick per beat, drums balance -6


def rendered(tmp_path: Path, text: str, name: str = "f.yaml") -> tuple[bytes, mido.MidiFile]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    data = midi_bytes(realise(load_framework(str(path))))
    return data, mido.MidiFile(file=io.BytesIO(data))


def decoded(tmp_path: Path, text: str, name: str = "f.yaml") -> list[DecodedTrack]:
    return decode(rendered(tmp_path, text, name)[1])


def tempo_map(tracks: list[DecodedTrack]) -> list[tuple[int, int]]:
    """(tick, microseconds per quarter) of the conductor's set_tempo events."""
    return [(tick, m.tempo) for tick, m in metas(tracks[0], "set_tempo")]


def seconds_at(tmap: list[tuple[int, int]], tick: int) -> float:
    """Seconds from the start to `tick`, integrating the tempo map."""
    assert tmap and tmap[0][0] == 0
    total = 0.0
    for i, (at, usec) in enumerate(tmap):
        if at >= tick:
            break
        stop = min(tick, tmap[i + 1][0] if i + 1 < len(tmap) else tick)
        total += (stop - at) / TPQ * usec / 1e6
    return total


def beat_bpms(tmap: list[tuple[int, int]], beats: int, beat: int = BEAT) -> list[float]:
    """The tempo in force on each beat's onset, in bpm (quarters per minute)."""
    out = []
    for b in range(beats):
        usec = [u for at, u in tmap if at <= b * beat][-1]
        out.append(60e6 / usec)
    return out


def beat_velocities(track: DecodedTrack, beat: int = BEAT) -> dict[int, float]:
    """Mean velocity of the notes starting in each beat."""
    groups: dict[int, list[int]] = {}
    for n in track.notes:
        groups.setdefault(n.start // beat, []).append(n.velocity)
    return {b: sum(v) / len(v) for b, v in sorted(groups.items())}


def pearson(xs: list[float], ys: list[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    return cov / (sx * sy)


def expected_ramp(v0: float, v1: float, x: float, curve: str) -> float:
    """An independent statement of the documented curves."""
    if curve == "exponential":
        return v0 * (v1 / v0) ** x
    if curve == "final":
        return v0 * (1 + ((v1 / v0) ** 2 - 1) * x) ** 0.5
    return v0 + (v1 - v0) * x


def usec(bpm: float) -> int:
    return round(60e6 / bpm)


# 1. ritardando and accelerando ---------------------------------------------------------


@pytest.mark.parametrize("curve", ["linear", "exponential", "final"])
@pytest.mark.parametrize(("start", "end"), [(66, 56), (66, 50), (56, 66)])
def test_tempo_ramp_is_monotone_with_exact_ends(tmp_path, curve, start, end):
    text = (
        f"title: R\ntempo: {start}\n{KICKS}length: {{bars: 6}}\nexpression:\n"
        f'  - {{bars: 2-5, tempo: "{start} -> {end}", curve: {curve}}}\n'
    )
    tmap = tempo_map(decoded(tmp_path, text))
    assert tmap[0] == (0, usec(start))
    # the first beat of the span is at the start tempo already: then one change per beat
    assert [t for t, _ in tmap[1:]] == list(range(BAR + BEAT, 5 * BAR, BEAT))
    ramp = [u for _, u in tmap]  # the 16 beats of the span: bar 1 shares the first
    bpms = [60e6 / u for u in ramp]
    assert bpms[0] == pytest.approx(start, abs=1e-4)
    assert ramp[-1] == usec(end)  # the last beat is the end tempo exactly
    steps = [b - a for a, b in pairwise(bpms)]
    if end < start:
        assert all(s < 0 for s in steps), steps
    else:
        assert all(s > 0 for s in steps), steps
    for i, u in enumerate(ramp):  # the documented shape, beat by beat
        assert abs(u - usec(round(expected_ramp(start, end, i / 15, curve), 3))) <= 1
    first_half, second_half = bpms[0] - bpms[7], bpms[8] - bpms[15]
    if curve == "final" and end < start:
        assert abs(first_half) < abs(second_half)  # slows little at first, most at the end
    if curve == "linear":
        assert max(steps) - min(steps) < 0.01  # equal steps
    if curve == "exponential":
        ratios = [b / a for a, b in pairwise(bpms)]
        assert max(ratios) - min(ratios) < 1e-4  # equal ratios


# 2. duration in seconds ----------------------------------------------------------------


def test_file_duration_follows_the_tempo_map(tmp_path):
    text = (
        f"title: D\ntempo: 66\n{KICKS}length: {{bars: 8}}\nexpression:\n"
        '  - {bars: 5-8, tempo: "66 -> 56"}\n'
        "  - {bar: 8, fermata: 2}\n"
    )
    _, midi = rendered(tmp_path, text)
    tracks = decode(midi)
    end = 8 * BAR
    assert {t.end for t in tracks} == {end}
    integrated = seconds_at(tempo_map(tracks), end)
    # independent: 16 beats at 66, 16 ramp beats 66 -> 56, the last held for 1 + 2 beats
    ramp = [66 + (56 - 66) * i / 15 for i in range(16)]
    expected = 16 * 60 / 66 + sum(60 / b for b in ramp) + 2 * 60 / 56
    assert integrated == pytest.approx(expected, abs=1e-3)
    assert midi.length == pytest.approx(expected, abs=1e-3)


# 3. crescendo and diminuendo -----------------------------------------------------------


@pytest.mark.parametrize(("first", "last"), [("p", "f"), ("f", "p"), ("pp", "ff")])
def test_dynamic_ramp_moves_beat_by_beat_to_its_end_level(tmp_path, first, last):
    text = (
        f'title: C\ntempo: 60\n{KICKS}melody: "1 2 3 5"\nlength: {{bars: 6}}\nexpression:\n'
        f'  - {{bars: 2-5, dynamics: "{first} -> {last}"}}\n'
    )
    parts = by_name(decoded(tmp_path, text))
    v0, v1 = LEVELS[first], LEVELS[last]
    for name, balance in (("melody", 0), ("drums", -6)):
        per_beat = beat_velocities(parts[name])
        assert len(per_beat) == 24
        assert all(per_beat[b] == 80 + balance for b in range(4))  # mf before the span
        ramp = [per_beat[b] for b in range(4, 20)]
        assert ramp[0] == v0 + balance and ramp[-1] == v1 + balance
        steps = [b - a for a, b in pairwise(ramp)]
        assert all(s > 0 for s in steps) if v1 > v0 else all(s < 0 for s in steps)
        for i, v in enumerate(ramp):
            assert abs(v - (v0 + (v1 - v0) * i / 15 + balance)) <= 1
        assert all(per_beat[b] == v1 + balance for b in range(20, 24))  # the level holds


# 4. accents ----------------------------------------------------------------------------


def neighbour_gaps(track: DecodedTrack, accented: set[int], cycle: int, step: int) -> list[int]:
    """Velocity of each accented note minus that of its unaccented neighbours."""
    notes = sorted(track.notes, key=lambda n: n.start)
    gaps = []
    for i, n in enumerate(notes):
        if (n.start // step) % cycle not in accented:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(notes) and (notes[j].start // step) % cycle not in accented:
                gaps.append(n.velocity - notes[j].velocity)
    return gaps


def test_accent_on_beats_one_and_three(tmp_path):
    text = (
        f"title: A\ntempo: 60\n{KICKS}length: {{bars: 4}}\nexpression:\n"
        '  - {bars: 1-4, dynamics: "p -> f"}\n'
        "  - {bars: 1-4, accent: [1, 3], amount: 16}\n"
    )
    drums = by_name(decoded(tmp_path, text))["drums"]
    assert len(drums.notes) == 16
    gaps = neighbour_gaps(drums, {0, 2}, 4, BEAT)
    assert len(gaps) == 15  # 8 accents, each with two unaccented neighbours but the first
    # the crescendo adds ~3 per beat: the accent still stands at least 16 - 4 above
    assert min(gaps) >= 16 - 4 and sum(gaps) / len(gaps) >= 16 - 1
    flat = decoded(tmp_path, text.replace('"p -> f"', "mp"), "flat.yaml")
    vel = [n.velocity for n in by_name(flat)["drums"].notes]
    assert vel == [64 - 6 + 16, 64 - 6] * 8


def test_accent_grouping_three_three_two_on_eighths(tmp_path):
    text = (
        'title: G\ntempo: 60\ngroove: {steps: 8, drums: {kick: "xxxxxxxx"}}\n'
        "length: {bars: 4}\nexpression:\n"
        "  - {bars: 1-4, dynamics: mf}\n"
        '  - {bars: 2-3, accent: "3+3+2", amount: 20}\n'
    )
    drums = by_name(decoded(tmp_path, text))["drums"]
    eighth = BEAT // 2
    loud = sorted(n.start // eighth for n in drums.notes if n.velocity > 74)
    assert loud == [b * 8 + k for b in (1, 2) for k in (0, 3, 6)]
    inside = DecodedTrack("inside", notes=[n for n in drums.notes if BAR <= n.start < 3 * BAR])
    gaps = neighbour_gaps(inside, {0, 3, 6}, 8, eighth)
    assert gaps and min(gaps) >= 20
    assert all(n.velocity == 74 for n in drums.notes if not BAR <= n.start < 3 * BAR)


# 5. fermata ----------------------------------------------------------------------------


@pytest.mark.parametrize(("beat", "hold"), [(None, 2), (2, 2), (None, 1.5), (3, 0.5)])
def test_fermata_lengthens_only_the_held_beat(tmp_path, beat, hold):
    base = (
        'title: F\ntempo: 72\ngroove: {steps: 8, drums: {kick: "xxxxxxxx"}}\n'
        'melody: "1:h 2 | 3:q 5 3 5"\nlength: {bars: 4}\n'
    )
    where = f", beat: {beat}" if beat else ""
    held_text = base + f"expression:\n  - {{bar: 2, fermata: {hold}{where}}}\n"
    plain, held = decoded(tmp_path, base, "plain.yaml"), decoded(tmp_path, held_text)
    held_tick = BAR + ((beat or 4) - 1) * BEAT
    pmap, hmap = tempo_map(plain), tempo_map(held)
    assert pmap == [(0, usec(72))]
    assert hmap[1] == (held_tick, usec(72 / (1 + hold)))
    held_secs = seconds_at(hmap, held_tick + BEAT) - seconds_at(hmap, held_tick)
    assert held_secs == pytest.approx((1 + hold) * 60 / 72, abs=1e-3)
    shift = hold * 60 / 72
    for name in ("drums", "melody"):
        p, h = by_name(plain)[name], by_name(held)[name]
        inside = [n for n in p.notes if held_tick < n.start < held_tick + BEAT]
        assert {n.start for n in inside} <= {held_tick + BEAT // 2}
        kept = [n for n in p.notes if n not in inside]
        assert [(n.start, n.pitch) for n in h.notes] == [(n.start, n.pitch) for n in kept]
        for pn, hn in zip(kept, h.notes, strict=True):
            t_plain, t_held = seconds_at(pmap, pn.start), seconds_at(hmap, hn.start)
            later = shift if pn.start >= held_tick + BEAT else 0.0
            assert t_held - t_plain == pytest.approx(later, abs=1e-3)
        after = [seconds_at(hmap, n.start) for n in h.notes if n.start >= held_tick + BEAT]
        after_plain = [seconds_at(pmap, n.start) for n in kept if n.start >= held_tick + BEAT]
        ioi = [b - a for a, b in pairwise(after)]
        ioi_plain = [b - a for a, b in pairwise(after_plain)]
        assert ioi == pytest.approx(ioi_plain, abs=1e-3)
        sounding = [n for n in h.notes if n.start <= held_tick < n.end]
        assert sounding and all(n.end >= held_tick + BEAT for n in sounding)
        covered = [seconds_at(hmap, n.end) - seconds_at(hmap, held_tick) for n in sounding]
        assert min(covered) >= (1 + hold) * 60 / 72 - 1e-3
    assert len(by_name(held)["drums"].notes) == 31  # the off-beat kick inside the hold is gone


# 6. rubato -----------------------------------------------------------------------------


def rubato_text(borrowed: bool) -> str:
    return (
        f'title: R\ntempo: 60\n{KICKS}melody: "1 2 3 5"\nlength: {{bars: 8}}\nexpression:\n'
        f"  - {{bars: 1-8, rubato: 0.1, phrase: 4, borrowed_time: {str(borrowed).lower()}}}\n"
    )


def test_rubato_arches_each_phrase_and_borrows_its_time_back(tmp_path):
    tracks = decoded(tmp_path, rubato_text(True))
    tmap = tempo_map(tracks)
    bpms = beat_bpms(tmap, 32)
    melody = beat_velocities(by_name(tracks)["melody"])
    g = [1 - 0.1 * (1 - math.sin(math.pi * (j + 0.5) / 16)) for j in range(16)]
    scale = sum(1 / x for x in g) / 16  # borrowed time: the phrase keeps its 16 s
    assert bpms == pytest.approx([60 * x * scale for x in g] * 2, abs=1e-3)
    for phrase in (0, 1):
        first = phrase * 4 * BAR
        secs = seconds_at(tmap, first + 4 * BAR) - seconds_at(tmap, first)
        assert secs == pytest.approx(16.0, rel=0.01, abs=1e-3)
        arch = bpms[phrase * 16 : phrase * 16 + 16]
        assert min(arch) == arch[0] == arch[-1] and max(arch) == arch[7] == arch[8]
        assert all(a < b for a, b in pairwise(arch[:8]))
        assert arch[7] / arch[0] > 1.08  # depth 0.1: the ends ~10 % slower than the middle
        vel = [melody[b] for b in range(phrase * 16, phrase * 16 + 16)]
        assert pearson(arch, vel) > 0.5
        assert max(vel) - min(vel) >= 6  # 80 * 0.1 from the ends to the middle


def test_rubato_without_borrowed_time_broadens_the_phrase(tmp_path):
    tmap = tempo_map(decoded(tmp_path, rubato_text(False)))
    for phrase in (0, 1):
        first = phrase * 4 * BAR
        secs = seconds_at(tmap, first + 4 * BAR) - seconds_at(tmap, first)
        assert secs > 16.0 * 1.02
    bpms = beat_bpms(tmap, 32)  # unscaled: 60 * (1 - d (1 - sin(pi (j + 1/2) / n)))
    arch = [60 * (1 - 0.1 * (1 - math.sin(math.pi * (j + 0.5) / 16))) for j in range(16)]
    assert bpms == pytest.approx(arch * 2, abs=1e-3)


def test_a_deeper_arch_inside_a_phrase_leaves_the_rest_of_the_phrase_arched(tmp_path):
    # bars 5-6 take a deeper arch (it starts later, so it wins there); bars 7-8 still belong
    # to the outer span's second phrase (bars 5-8) and keep its tempo arch, as its velocity does
    outer = rubato_text(True)
    tracks = decoded(tmp_path, outer + "  - {bars: 5-6, rubato: 0.2, phrase: 2}\n", "deep.yaml")
    alone = beat_bpms(tempo_map(decoded(tmp_path, outer)), 32)
    bpms = beat_bpms(tempo_map(tracks), 32)
    assert bpms[:16] == pytest.approx(alone[:16], abs=1e-3)
    assert bpms[16] < bpms[19] and bpms[23] < bpms[20]  # the deeper arch over bars 5-6
    # bars 7-8: the second half of the outer arch, from above the strict 60 to below it
    assert all(a > b for a, b in pairwise(bpms[24:])) and bpms[24] > 60 > bpms[31]


# 7. section contrast -------------------------------------------------------------------


def section_spans(tracks: list[DecodedTrack]) -> list[tuple[str, int, int]]:
    marks = [(t, m.text) for t, m in metas(tracks[0], "marker")]
    ends = [t for t, _ in marks[1:]] + [tracks[0].end]
    return [(name, t, e) for (t, name), e in zip(marks, ends, strict=True)]


def test_sections_contrast_in_tempo(tmp_path):
    text = (
        f'title: T\ntempo: 72\n{KICKS}sections:\n  A: {{tempo: 66, harmony: "I | I"}}\n'
        '  B: {tempo: 80, harmony: "I | I"}\n  C: {harmony: "I | I"}\nform: "A B A C"\n'
    )
    tracks = decoded(tmp_path, text)
    tmap = tempo_map(tracks)
    spans = section_spans(tracks)
    layout = [(n, s // BAR, e // BAR) for n, s, e in spans]
    assert layout == [("A", 0, 2), ("B", 2, 4), ("A", 4, 6), ("C", 6, 8)]
    measured = [
        (e - s) / BEAT * 60 / (seconds_at(tmap, e) - seconds_at(tmap, s)) for _, s, e in spans
    ]
    assert measured[1] / measured[0] == pytest.approx(80 / 66, rel=0.02)
    assert measured[2] == pytest.approx(66, abs=0.01)  # A comes back at its own tempo
    assert measured[3] == pytest.approx(72, abs=0.01)  # C at the framework's tempo


def test_borrowed_time_across_section_tempi_does_not_depend_on_the_length_unit(tmp_path):
    # one 4-bar phrase over A (1 bar at 60) and B (3 bars at 90): strict time 4 + 8 = 12 s
    text = (
        f'title: M\ntempo: 60\n{KICKS}sections:\n  A: {{tempo: 60, harmony: "I"}}\n'
        '  B: {tempo: 90, harmony: "I | I | I"}\nform: A B\nexpression:\n'
        "  - {bars: 1-4, rubato: 0.1, phrase: 4}\n"
    )
    by_bars = decoded(tmp_path, text + "length: {bars: 4}\n", "bars.yaml")
    by_minutes = decoded(tmp_path, text + "length: {minutes: 0.18}\n", "minutes.yaml")
    for tracks in (by_bars, by_minutes):
        assert tracks[0].end == 4 * BAR
        assert seconds_at(tempo_map(tracks), 4 * BAR) == pytest.approx(12.0, abs=1e-3)
    assert tempo_map(by_minutes) == tempo_map(by_bars)


def test_sections_contrast_in_dynamics(tmp_path):
    text = (
        'title: V\ntempo: 60\nmelody: "1 2 3 5"\nsections:\n  A: {dynamics: p}\n'
        "  B: {dynamics: f}\n  C: {}\nform: A B A C\n"
    )
    tracks = decoded(tmp_path, text)
    melody = by_name(tracks)["melody"]
    means = []
    for _, s, e in section_spans(tracks):
        vel = [n.velocity for n in melody.notes if s <= n.start < e]
        assert vel
        means.append(sum(vel) / len(vel))
    assert means[1] - means[0] == pytest.approx(96 - 49, abs=3)
    assert means[2] == pytest.approx(49, abs=1) and means[3] == pytest.approx(80, abs=1)


# 8. the design example -----------------------------------------------------------------

DESIGN = """\
title: Design example
key: D dorian
tempo: 66
groove: ballad
harmony: "i7 | i7 | IV7 | IV7"
length: {bars: 16}
expression:
  - {bars: 1-8, dynamics: "p -> f"}
  - {bars: 9-12, tempo: "66 -> 56"}
  - {bar: 12, fermata: 2}
  - {bars: 13-16, accent: [1, 3]}
  - {bars: 1-16, rubato: 0.08}
"""


def test_design_example_renders_cleanly(tmp_path):
    tracks = decoded(tmp_path, DESIGN)
    assert {"drums", "bass", "comp"} <= set(by_name(tracks))
    for t in tracks:
        assert t.end == 16 * BAR, t.name
        assert t.hanging == 0 and t.unmatched_offs == 0, t.name
        assert all(n.end <= 16 * BAR and 1 <= n.velocity <= 127 for n in t.notes)
    tmap = tempo_map(tracks)
    bpms = beat_bpms(tmap, 64)
    held = 11 * 4 + 3  # bar 12, beat 4
    assert bpms[held] == pytest.approx(min(bpms), abs=1e-9)
    assert bpms[held] * 3 == pytest.approx(bpms[held - 1], rel=0.05)  # held 1 + 2 beats
    assert max(bpms[32:48]) < 66 and bpms[47] * 3 < 56  # the ritardando under the arch
    bass = beat_velocities(by_name(tracks)["bass"])
    assert bass[0] < bass[28]  # p -> f crescendo over bars 1-8


# 9. determinism ------------------------------------------------------------------------


def test_same_framework_same_bytes(tmp_path):
    first, _ = rendered(tmp_path, DESIGN, "a.yaml")
    second, _ = rendered(tmp_path, DESIGN, "b.yaml")
    assert first == second and len(first) > 1000
