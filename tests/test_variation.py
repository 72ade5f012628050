"""Variation, the vary plan, humanise and per-part swing, checked on the decoded MIDI."""

from __future__ import annotations

import dataclasses
import io
from collections import defaultdict

import mido
import pytest

from improv_cli.engine.realise import realise, realise_logged
from improv_cli.engine.variation import Change
from improv_cli.model.framework import Framework, Key
from improv_cli.render.midi import midi_bytes
from tests.conftest import load_text
from tests.midi_facts import DecodedNote, DecodedTrack, decode, metas

BAR = 1920
PASS = 4 * BAR
TOMS = {45, 47, 50}


def read_back(data: bytes) -> list[DecodedTrack]:
    return decode(mido.MidiFile(file=io.BytesIO(data)))


def rendered(framework: Framework) -> tuple[bytes, list[DecodedTrack]]:
    data = midi_bytes(realise(framework))
    return data, read_back(data)


def parts(tracks: list[DecodedTrack]) -> dict[str, DecodedTrack]:
    return {t.name: t for t in tracks[1:]}


def scale(key: Key) -> set[int]:
    return {(key.tonic_pc + i) % 12 for i in key.intervals}


def in_pass(notes: list[DecodedNote], number: int, length: int = PASS) -> list[tuple]:
    """(start, end, pitch, velocity) of the notes starting in pass `number` (1-based), from
    the pass's start."""
    first = (number - 1) * length
    return sorted(
        (n.start - first, n.end - first, n.pitch, n.velocity)
        for n in notes
        if first <= n.start < first + length
    )


DORIAN = {2, 4, 5, 7, 9, 11, 0}  # D dorian: D E F G A B C
DORIAN_KEY = Key("D", "dorian")

STRICT = """\
title: Strict ballad
key: D dorian
tempo: 70
groove: ballad
harmony: "i7 | i7 | IV7 | IV7"
melody: "5 4 3 1 | 2:h 1 | 3:q 2 1 r | r:w"
length: {bars: 12}
"""


def test_variation_zero_repeats_every_pass_exactly():
    framework = load_text(STRICT)
    assert framework.variation == 0 and framework.form_bars == 4
    data, tracks = rendered(framework)
    assert tracks[0].end == 12 * BAR
    named = parts(tracks)
    assert set(named) == {"drums", "bass", "comp", "melody"}
    for track in named.values():
        first = in_pass(track.notes, 1)
        assert first, track.name
        for number in (2, 3):
            assert in_pass(track.notes, number) == first, (track.name, number)
    chords = [(t % PASS, m.text) for t, m in metas(tracks[0], "text")]
    assert chords == [(0, "Dm7"), (BAR, "Dm7"), (2 * BAR, "G7"), (3 * BAR, "G7")] * 3
    for seed in (1, 99, 2**31 - 1):
        assert rendered(dataclasses.replace(framework, seed=seed))[0] == data


PLAN = """\
title: Plan
key: D dorian
tempo: 80
harmony: "i7 | IV7 | v7 | bVII"
melody: "1 2 3 5 | 4:h 3:q 2 | 1:q 3 5 3 | 2:h 1"
groove:
  steps: 8
  drums:
    kick: "x... x..."
    snare: "..x. ..X."
    closed-hihat: "xxxx xxxx"
  bass: "1-5- 8.6."
  comp: "x--- x.x-"
length: {bars: 8}
"""


@pytest.mark.parametrize("amount", [0.25, 0.6, 1.0])
def test_random_variation_stays_in_the_mode_the_bars_the_meter_and_the_grid(amount):
    base = dataclasses.replace(load_text(PLAN.replace("bars: 8", "bars: 16")), variation=amount)
    notes = scale(base.key)
    assert notes == DORIAN
    versions = {}
    for seed in (1, 2, 3, 4):
        framework = dataclasses.replace(base, seed=seed)
        data, tracks = rendered(framework)
        assert rendered(framework)[0] == data  # the same seed gives the same bytes
        versions[seed] = data
        conductor = tracks[0]
        meters = [(t, m.numerator, m.denominator) for t, m in metas(conductor, "time_signature")]
        assert meters == [(0, 4, 4)]
        assert all(t.end == 16 * BAR for t in tracks)
        assert len(metas(conductor, "key_signature")) == 1
        assert [t // BAR for t, _ in metas(conductor, "text")] == list(range(16))
        named = parts(tracks)
        for name in ("bass", "comp", "melody"):
            outside = {n.pitch % 12 for n in named[name].notes} - notes
            assert not outside, (amount, seed, name, outside)
        for name in ("drums", "bass", "comp"):
            off_grid = [n.start for n in named[name].notes if n.start % 240]
            assert not off_grid, (amount, seed, name, off_grid[:5])
    assert len(set(versions.values())) == 4, amount  # every seed gives another version


def planned(entry: str) -> tuple[dict[str, DecodedTrack], DecodedTrack, list[Change]]:
    """The plan framework with `entry` on pass 2: parts, conductor and the pass-2 log."""
    framework = load_text(PLAN + f"vary:\n  - {{pass: 2, {entry}}}\n")
    realisation = realise_logged(framework)
    tracks = read_back(midi_bytes(realisation.timeline))
    assert all(c.pass_number == 2 for c in realisation.changes)
    return parts(tracks), tracks[0], list(realisation.changes)


def kinds(changes: list[Change]) -> set[str]:
    return {c.kind for c in changes}


def steps(pitches: list[int], key: Key, tonic: int = 62) -> list[int]:
    """Scale-step indices of pitches (degree 1 of the melody octave is 0)."""
    out = []
    for pitch in pitches:
        octave, semis = divmod(pitch - tonic, 12)
        out.append(7 * octave + key.intervals.index(semis))
    return out


def melody_passes(named: dict[str, DecodedTrack]) -> tuple[list, list, list, list]:
    """Rhythm (start, end) and pitches of the melody in passes 1 and 2."""
    one, two = (in_pass(named["melody"].notes, k) for k in (1, 2))
    return [n[:2] for n in one], [n[2] for n in one], [n[:2] for n in two], [n[2] for n in two]


def unchanged(named: dict[str, DecodedTrack], *names: str) -> None:
    for name in names:
        notes = named[name].notes
        assert in_pass(notes, 2) == in_pass(notes, 1), name


def test_vary_mute_rests_a_part_for_the_pass():
    named, _, changes = planned("mute: [bass]")
    bass = named["bass"].notes
    assert len(in_pass(bass, 1)) == 16 and in_pass(bass, 2) == []
    unchanged(named, "drums", "comp", "melody")
    assert "mute" in kinds(changes)


def test_vary_density_minus_one_keeps_only_the_beats():
    named, _, changes = planned("density: -1")
    one, two = in_pass(named["drums"].notes, 1), in_pass(named["drums"].notes, 2)
    assert two == [n for n in one if n[0] % 480 == 0]  # the hi-hat's off-beats are gone
    assert len(two) == 4 * 8 < len(one) == 4 * 12
    assert "density" in kinds(changes)


def test_vary_density_plus_one_adds_ghost_notes_on_the_grid():
    named, _, changes = planned("density: 1")
    one, two = in_pass(named["drums"].notes, 1), in_pass(named["drums"].notes, 2)
    assert len(two) > len(one) and set(one) <= set(two)
    added = set(two) - set(one)
    assert all(start % 240 == 0 for start, *_ in added)
    assert max(v for *_, v in added) < min(v for *_, v in one)  # ghosts are softer
    assert "density" in kinds(changes)


def test_vary_fills_put_toms_in_the_phrase_last_bar_and_a_lead_in():
    named, _, changes = planned("fills: true")
    toms = [n for n in named["drums"].notes if n.pitch in TOMS]
    assert toms and {n.start // BAR for n in toms} == {7}  # bar 8: end of the 4-bar phrase
    assert all(n.start >= 7 * BAR + 960 for n in toms)  # in the last half of the bar
    _, pitches, rhythm_2, pitches_2 = melody_passes(named)
    assert len(pitches_2) == len(pitches) + 2
    lead_in = [p for (s, _), p in zip(rhythm_2, pitches_2, strict=True) if s >= PASS - 480]
    assert steps(lead_in, DORIAN_KEY) == [-2, -1]  # B C, stepping up into the next D
    assert {"fills", "drum fill", "melodic fill"} <= kinds(changes)


def test_vary_ornament_adds_melody_notes_in_the_mode():
    named, _, changes = planned("ornament: 1")
    rhythm, pitches, rhythm_2, pitches_2 = melody_passes(named)
    assert len(pitches_2) > len(pitches)
    assert {s for s, _ in rhythm} <= {s for s, _ in rhythm_2}  # every written note still starts
    assert {p % 12 for p in pitches_2} <= DORIAN
    assert "ornament" in kinds(changes)


def test_vary_sequence_moves_the_melody_by_scale_steps():
    named, _, changes = planned("sequence: 2")
    rhythm, pitches, rhythm_2, pitches_2 = melody_passes(named)
    assert rhythm_2 == rhythm
    assert steps(pitches_2, DORIAN_KEY) == [i + 2 for i in steps(pitches, DORIAN_KEY)]
    assert "sequence" in kinds(changes)


def test_vary_inversion_mirrors_the_steps_around_the_first_note():
    named, _, changes = planned("inversion: true")
    rhythm, pitches, rhythm_2, pitches_2 = melody_passes(named)
    assert rhythm_2 == rhythm
    before, after = steps(pitches, DORIAN_KEY), steps(pitches_2, DORIAN_KEY)
    assert after != before
    sums = {a + b for a, b in zip(before, after, strict=True)}
    assert len(sums) == 1 and (sums.pop() - 2 * before[0]) % 7 == 0
    assert "inversion" in kinds(changes)


def test_vary_retrograde_reverses_the_pitches_over_the_same_rhythm():
    named, _, changes = planned("retrograde: true")
    rhythm, pitches, rhythm_2, pitches_2 = melody_passes(named)
    assert rhythm_2 == rhythm
    assert pitches_2 == pitches[::-1] != pitches
    assert "retrograde" in kinds(changes)


def test_vary_register_moves_the_melody_an_octave():
    named, _, changes = planned("register: {melody: 1}")
    rhythm, pitches, rhythm_2, pitches_2 = melody_passes(named)
    assert rhythm_2 == rhythm and pitches_2 == [p + 12 for p in pitches]
    unchanged(named, "drums", "bass", "comp")
    assert "register" in kinds(changes)


def test_vary_modal_shift_plays_the_same_degrees_in_the_new_mode():
    named, conductor, changes = planned("mode: lydian")
    lydian = Key("D", "lydian")
    rhythm, pitches, rhythm_2, pitches_2 = melody_passes(named)
    assert rhythm_2 == rhythm
    assert steps(pitches_2, lydian) == steps(pitches, DORIAN_KEY)
    assert 6 in {p % 12 for p in pitches_2}  # degree 3 is F sharp now
    for name in ("bass", "comp", "melody"):
        assert {n[2] % 12 for n in in_pass(named[name].notes, 2)} <= scale(lydian), name
    keys = [(t, m.key) for t, m in metas(conductor, "key_signature")]
    assert keys == [(0, "Am"), (PASS, "A")]  # no sharps, then D lydian's three sharps
    assert "modal shift" in kinds(changes)


def test_vary_transpose_moves_chords_and_melody_by_semitones():
    named, conductor, changes = planned("transpose: 3")
    rhythm, pitches, rhythm_2, pitches_2 = melody_passes(named)
    assert rhythm_2 == rhythm and pitches_2 == [p + 3 for p in pitches]
    for name in ("bass", "comp"):
        chords: list[dict[int, set[int]]] = []
        for number in (1, 2):
            at: dict[int, set[int]] = defaultdict(set)
            for start, _, pitch, _ in in_pass(named[name].notes, number):
                at[start].add(pitch % 12)
            chords.append(at)
        assert chords[0].keys() == chords[1].keys(), name
        assert all({(pc + 3) % 12 for pc in chords[0][s]} == chords[1][s] for s in chords[0])
    symbols = [m.text for _, m in metas(conductor, "text")]
    assert symbols == ["Dm7", "G7", "Am7", "C", "Fm7", "Bb7", "Cm7", "Eb"]
    keys = [(t, m.key) for t, m in metas(conductor, "key_signature")]
    assert keys == [(0, "Am"), (PASS, "Cm")]  # F dorian: three flats
    assert "transposition" in kinds(changes)


def test_vary_substitute_replaces_chords_within_the_mode():
    named, conductor, changes = planned("substitute: 1")
    symbols = [(t, m.text) for t, m in metas(conductor, "text")]
    one = [s for t, s in symbols if t < PASS]
    two = [s for t, s in symbols if t >= PASS]
    assert one == ["Dm7", "G7", "Am7", "C"] and len(two) == 4
    assert sum(a != b for a, b in zip(one, two, strict=True)) >= 2
    comp_one, comp_two = in_pass(named["comp"].notes, 1), in_pass(named["comp"].notes, 2)
    assert [n[2] for n in comp_one] != [n[2] for n in comp_two]
    for name in ("bass", "comp"):
        assert {n.pitch % 12 for n in named[name].notes} <= DORIAN, name
    substitutions = [c for c in changes if c.kind == "substitution"]
    assert substitutions and all("→" in c.detail for c in substitutions)


HUMAN = """\
title: Human
key: F major
tempo: 90
harmony: "I | vi | ii | V7"
melody: "1 2 3 5 | 6:h 5 | 3:q 2 1 2 | 1:w"
groove:
  steps: 8
  drums:
    kick: "x... x..."
    snare: "..x. ..x."
    closed-hihat: "xxxx xxxx"
  bass: "1.5. 1.5."
  comp: "x.x. x.x."
length: {bars: 8}
"""


def paired(plain: list[DecodedTrack], moved: list[DecodedTrack]) -> list[tuple]:
    """Each note of the humanised render beside the same note of the plain one (per part and
    pitch in time order: a shift of a few ticks cannot reorder notes of one pitch)."""

    def lines(tracks: list[DecodedTrack]) -> dict[tuple[str, int], list[DecodedNote]]:
        out: dict[tuple[str, int], list[DecodedNote]] = defaultdict(list)
        for track in tracks[1:]:
            for note in sorted(track.notes, key=lambda n: n.start):
                out[track.name, note.pitch].append(note)
        return out

    a, b = lines(plain), lines(moved)
    assert a.keys() == b.keys() and all(len(a[k]) == len(b[k]) for k in a)
    return [(x, y) for k in a for x, y in zip(a[k], b[k], strict=True)]


def test_humanise_is_bounded_and_seeded():
    plain = load_text(HUMAN)
    human = load_text(HUMAN + "humanise: {timing: 12, velocity: 6}\nseed: 3\n")
    bound = int(12 * 90 / 60000 * 480)  # 8 ticks at 90 bpm
    _, before = rendered(plain)
    data, after = rendered(human)
    pairs = paired(before, after)
    assert len(pairs) == sum(len(t.notes) for t in before[1:])
    shifts = [y.start - x.start for x, y in pairs]
    changes = [y.velocity - x.velocity for x, y in pairs]
    assert max(map(abs, shifts)) <= bound and max(map(abs, changes)) <= 6
    assert len(set(shifts)) > 5 and len(set(changes)) > 5  # it does move things
    drums = parts(after)["drums"].notes
    assert sum(n.start % 240 != 0 for n in drums) > len(drums) // 2
    assert rendered(human)[0] == data
    assert rendered(dataclasses.replace(human, seed=4))[0] != data
    # the notes of a chord move together: as many onsets as strikes
    assert len({n.start for n in parts(before)["comp"].notes}) == 32
    assert len({n.start for n in parts(after)["comp"].notes}) == 32


def test_a_framework_without_feel_keys_renders_exactly_its_grid():
    framework = load_text(HUMAN)
    assert framework.variation == 0 and framework.humanise is None and not framework.vary
    _, tracks = rendered(framework)
    named = parts(tracks)
    drums = named["drums"].notes
    expected = {
        36: [b * BAR + s * 240 for b in range(8) for s in (0, 4)],
        38: [b * BAR + s * 240 for b in range(8) for s in (2, 6)],
        42: [b * BAR + s * 240 for b in range(8) for s in range(8)],
    }
    for pitch, starts in expected.items():
        hits = sorted((n for n in drums if n.pitch == pitch), key=lambda n: n.start)
        assert [n.start for n in hits] == starts, pitch
        assert all(n.end - n.start == 240 and n.velocity == 80 - 6 for n in hits)
    melody = [(n.start, n.end) for n in named["melody"].notes][:6]
    assert melody == [(0, 480), (480, 960), (960, 1440), (1440, 1920), (1920, 2880), (2880, 3840)]
    assert all(n.start % 240 == 0 for t in named.values() for n in t.notes)


SWUNG = """\
title: Straight bass under swung drums
key: C major
harmony: "I | V"
melody: "1:e 2 3 4 5 4 3 2 | 1:w"
groove:
  steps: 8
  swing: 0.33
  drums: {ride: "xxxxxxxx"}
  bass: "15151515"
  comp: "xxxxxxxx"
parts: {bass: {swing: 0}, comp: {swing: 0.2}, melody: {swing: 0.5}}
"""


def test_a_part_swing_replaces_the_groove_swing():
    named = parts(rendered(load_text(SWUNG))[1])
    control = parts(rendered(load_text(SWUNG.rsplit("parts:", 1)[0]))[1])

    def odd_delays(name: str, bar: int = 0, named: dict = named) -> set[int]:
        starts = sorted({n.start - bar * BAR for n in named[name].notes if n.start // BAR == bar})
        assert len(starts) == 8, (name, starts)
        assert [s - i * 240 for i, s in enumerate(starts)][::2] == [0, 0, 0, 0], name
        return {s - i * 240 for i, s in enumerate(starts)}

    assert odd_delays("drums") == {0, round(0.33 * 240)}
    assert odd_delays("bass") == {0}
    assert odd_delays("comp") == {0, round(0.2 * 240)}
    assert odd_delays("melody") == {0, round(0.5 * 240)}
    assert odd_delays("bass", 1) == {0} and odd_delays("drums", 1) == {0, 79}
    for name in ("drums", "bass", "comp", "melody"):  # without `parts:` all swing alike
        assert odd_delays(name, named=control) == {0, 79}, name
