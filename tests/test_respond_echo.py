"""The echo techniques keep what they promise: mirror, copy, imitate, match, reflect, exaggerate.

Each is checked on hand-written phrases and on hypothesis-generated ones, reading the
therapist's notes as a musician would: onsets, contour, mode, dynamics, density, overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from math import ceil
from statistics import fmean

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improv_cli.model.framework import Framework
from improv_cli.model.loader import load_framework
from improv_cli.respond import answer
from improv_cli.respond.client import Client, Timed, client_from_seconds
from improv_cli.respond.context import Context
from improv_cli.respond.echo import (
    BASE,
    FEATURES,
    TECHNIQUES,
    articulation,
    copy,
    distinctive,
    exaggerate,
    features,
    imitate,
    match,
    mirror,
    reflect,
    register_band,
    tops,
)
from improv_cli.timeline import Note

FRAMEWORK: Framework = load_framework("holding/dorian-vamp")  # D dorian
SETTINGS = settings(max_examples=40, deadline=None)


def ctx(seed: int = 0, **params: object) -> Context:
    return Context(FRAMEWORK, seed, dict(params))


def line(
    pitches: Sequence[int],
    iois: Sequence[float] | float = 0.5,
    velocities: Sequence[int] | int = 70,
    length: float = 0.4,
    at: float = 0.0,
) -> list[Timed]:
    """A melody in seconds: one note a pitch, `iois` apart."""
    gaps = [iois] * len(pitches) if isinstance(iois, float) else [*iois, 0.0]
    vels = [velocities] * len(pitches) if isinstance(velocities, int) else velocities
    out: list[Timed] = []
    for pitch, gap, velocity in zip(pitches, gaps, vels, strict=False):
        out.append((at, at + length, pitch, velocity))
        at += gap
    return out


CHROMATIC = client_from_seconds(
    line([60, 61, 62, 63, 64, 63, 62, 61, 60, 66, 66, 59])
    + line([74, 73, 72, 71, 70, 69, 68, 67], at=8.0)
)
CHORDS = client_from_seconds(
    [
        *[(0.0, 0.4, 62, 70), (0.0, 0.4, 66, 70), (0.5, 0.9, 61, 70), (0.5, 0.9, 68, 70)],
        *[(1.0, 1.4, 63, 80), (1.0, 1.4, 68, 80), (1.5, 1.9, 70, 60)],
    ]
)
ACCENTS = client_from_seconds(line([62] * 12, velocities=[40, 110, 45, 105] * 3))
CRESCENDO = client_from_seconds(
    line([62, 64, 65, 67, 65, 64, 62, 60], velocities=[40, 48, 57, 65, 74, 82, 91, 100])
)
ACCELERANDO = client_from_seconds(line([62] * 8, iois=[0.8, 0.66, 0.54, 0.44, 0.36, 0.3, 0.25]))
LEAPS = client_from_seconds(line([48, 72, 50, 74, 52, 76, 53, 77]))
HAND = [CHROMATIC, CHORDS, ACCENTS, CRESCENDO, ACCELERANDO, LEAPS]


@st.composite
def clients(draw: st.DrawFn) -> Client:
    """Phrases of 2-16 notes: onset gaps (0 for a chord), durations, pitches, velocities."""
    size = draw(st.integers(2, 16))
    gaps = draw(
        st.lists(
            st.one_of(st.just(0.0), st.floats(0.12, 1.6)), min_size=size - 1, max_size=size - 1
        )
    )
    lengths = draw(st.lists(st.floats(0.05, 1.0), min_size=size, max_size=size))
    pitches = draw(st.lists(st.integers(48, 84), min_size=size, max_size=size))
    velocities = draw(st.lists(st.integers(30, 110), min_size=size, max_size=size))
    at, timed = 0.0, []
    for gap, length, pitch, velocity in zip(
        [0.0, *gaps], lengths, pitches, velocities, strict=True
    ):
        at += gap
        timed.append((at, at + length, pitch, velocity))
    return client_from_seconds(sorted(timed))


def signs(values: Sequence[int]) -> list[int]:
    return [(b > a) - (b < a) for a, b in pairwise(values)]


def overlaps_in_time(ours: Sequence[Note], client: Client) -> bool:
    return any(n.start < c.end and c.start < n.end for n in ours for c in client.notes)


def in_mode(notes: Sequence[Note]) -> bool:
    return all(ctx().in_mode(n.pitch) for n in notes)


# mirror


def check_mirror(client: Client, out: list[Note]) -> None:
    assert [(n.start, n.duration, n.velocity) for n in out] == [
        (c.start, c.duration, c.velocity) for c in client.notes
    ]
    assert in_mode(out)
    assert signs(tops(out)) == signs(tops(client.notes))


@pytest.mark.parametrize("client", HAND)
def test_mirror_keeps_onsets_contour_and_velocities(client: Client) -> None:
    check_mirror(client, mirror(client, ctx()))


def test_mirror_moves_by_octaves() -> None:
    out = mirror(CHROMATIC, ctx(octave=-1))
    check_mirror(CHROMATIC, out)
    assert fmean(n.pitch for n in out) < fmean(c.pitch for c in CHROMATIC.notes) - 10


def test_mirror_repairs_the_contour_of_chromatic_steps() -> None:
    out = mirror(client_from_seconds(line([60, 61, 62, 63])), ctx())
    assert [n.pitch for n in out] == [60, 62, 64, 65]  # C, C# -> D, D, D# -> E ... all rising


@SETTINGS
@given(clients())
def test_mirror_properties(client: Client) -> None:
    check_mirror(client, mirror(client, ctx()))


# copy and imitate


def check_echo(client: Client, out: list[Note], exact: bool) -> None:
    """Each phrase's answer: from the first beat after it ends, its rhythm, until the next."""
    assert not overlaps_in_time(out, client)
    rest = list(out)
    for i in range(len(client.phrases)):
        phrase = client.phrase_notes(i)
        first, last = client.span(i)
        begin = ceil(last / client.beat) * client.beat
        shift = begin - first
        assert shift >= last - first
        stop = client.span(i + 1)[0] if i + 1 < len(client.phrases) else 10**9
        mine = [n for n in rest if begin <= n.start < stop]
        rest = [n for n in rest if n not in mine]
        assert [n.start - shift for n in mine] == [c.start for c in phrase[: len(mine)]]
        assert len(mine) == sum(c.start + shift < stop for c in phrase)
        for n, c in zip(mine, phrase, strict=False):
            assert n.duration == min(c.duration, stop - n.start)
            assert n.velocity == c.velocity
        if exact:
            assert [n.pitch for n in mine] == [c.pitch for c in phrase[: len(mine)]]
        else:
            assert in_mode(mine)
            assert signs(tops(mine)) == signs(tops(phrase[: len(mine)]))
    assert not rest


@pytest.mark.parametrize("client", HAND)
def test_copy_answers_each_phrase_exactly_after_it(client: Client) -> None:
    check_echo(client, copy(client, ctx()), exact=True)


@pytest.mark.parametrize("client", HAND)
def test_imitate_keeps_rhythm_and_contour_in_the_mode(client: Client) -> None:
    check_echo(client, imitate(client, ctx()), exact=False)


def test_imitate_moves_by_a_scale_step_and_an_octave() -> None:
    plain = imitate(CRESCENDO, ctx())
    stepped = imitate(CRESCENDO, ctx(steps=1, octave=1))
    check_echo(CRESCENDO, stepped, exact=False)
    assert [n.pitch for n in plain][:3] == [62, 64, 65]
    assert [n.pitch for n in stepped][:3] == [76, 77, 79]  # a step up (E F G), an octave up


@SETTINGS
@given(clients())
def test_copy_properties(client: Client) -> None:
    check_echo(client, copy(client, ctx()), exact=True)


@SETTINGS
@given(clients(), st.integers(-2, 2), st.integers(-1, 1))
def test_imitate_properties(client: Client, steps: int, octave: int) -> None:
    check_echo(client, imitate(client, ctx(steps=steps, octave=octave)), exact=False)


# match


def check_match(client: Client, out: list[Note]) -> None:
    n = len(client.notes)
    assert abs(len(out) - n) <= 0.1 * n  # density over the client's span
    assert all(client.notes[0].start <= o.start and o.end <= client.end for o in out)
    assert abs(fmean(o.velocity for o in out) - fmean(c.velocity for c in client.notes)) <= 8
    band = register_band(client, ctx())
    assert all(o.pitch in band for o in out)  # in the mode, within the client's band
    assert all(o.start % (client.beat // 4) == 0 for o in out)  # on the client's grid
    theirs = {(c.start, c.pitch) for c in client.notes}
    assert sum((o.start, o.pitch) in theirs for o in out) <= 0.3 * len(out)
    want = articulation(client.notes, client.tempo, client.beat)
    got = articulation(out, client.tempo, client.beat)
    if want is not None and got is not None:
        assert abs(got - want) <= 0.1


@pytest.mark.parametrize("client", HAND)
def test_match_fits_the_clients_style(client: Client) -> None:
    check_match(client, match(client, ctx()))


def test_match_is_not_a_copy_of_a_repeated_note() -> None:
    client = client_from_seconds(line([62] * 10))
    out = match(client, ctx())
    check_match(client, out)
    assert {o.pitch for o in out} != {62}


@SETTINGS
@given(clients(), st.integers(0, 5))
def test_match_properties(client: Client, seed: int) -> None:
    check_match(client, match(client, ctx(seed)))


# reflect


def onset_rate(notes: Sequence[Note] | Client) -> int:
    return len({n.start for n in (notes.notes if isinstance(notes, Client) else notes)})


def check_reflect(client: Client, out: list[Note]) -> None:
    assert abs(onset_rate(out) - onset_rate(client)) <= 0.2 * onset_rate(client)
    assert abs(fmean(o.velocity for o in out) - fmean(c.velocity for c in client.notes)) <= 8
    assert in_mode(out)
    theirs = {(c.start, c.pitch) for c in client.notes}
    assert sum((o.start, o.pitch) in theirs for o in out) <= 0.1 * len(out)


@pytest.mark.parametrize("client", HAND)
def test_reflect_carries_the_energy_without_the_notes(client: Client) -> None:
    out = reflect(client, ctx())
    check_reflect(client, out)
    assert min(o.pitch for o in out) < 48  # a bass under the chords


def test_reflect_follows_the_dynamics_bar_by_bar() -> None:
    out = reflect(CRESCENDO, ctx())
    first, last = out[0].start, out[-1].start
    assert fmean(o.velocity for o in out if o.start == last) > fmean(
        o.velocity for o in out if o.start == first
    )


@SETTINGS
@given(clients(), st.integers(0, 5))
def test_reflect_properties(client: Client, seed: int) -> None:
    check_reflect(client, reflect(client, ctx(seed)))


# exaggerate

TOLERANCE = {
    "accents": 0.6,
    "dynamics": 2.0,
    "tempo": 0.1,
    "leaps": 0.0,
}  # integer ticks, velocities


def check_exaggerate(client: Client, out: list[Note], k: float) -> None:
    chosen = distinctive(client)
    before = features(client.notes, client.phrases)
    after = features(out, client.phrases)
    assert len(out) == len(client.notes)
    clipped = any(o.velocity in (1, 127) or o.pitch in (21, 108) for o in out)
    if clipped:
        return
    base = BASE[chosen]
    grown = k * abs(before[chosen] - base) - TOLERANCE[chosen]
    assert abs(after[chosen] - base) >= grown
    for name in FEATURES:
        if name != chosen:
            assert abs(after[name] - before[name]) <= TOLERANCE[name] + 1e-9, name
    if chosen != "tempo":
        assert [o.start for o in out] == [c.start for c in client.notes]
    if chosen != "leaps":
        assert [o.pitch for o in out] == [c.pitch for c in client.notes]
    if chosen in ("tempo", "leaps"):
        assert [o.velocity for o in out] == [c.velocity for c in client.notes]
    for first, last in client.phrases:  # each phrase as long as before
        assert abs(out[last - 1].start - client.notes[last - 1].start) <= 1
        assert out[first].start == client.notes[first].start


@pytest.mark.parametrize(
    ("client", "feature"),
    [(ACCENTS, "accents"), (CRESCENDO, "dynamics"), (ACCELERANDO, "tempo"), (LEAPS, "leaps")],
)
def test_exaggerate_enlarges_the_distinctive_feature(client: Client, feature: str) -> None:
    assert distinctive(client) == feature
    for k in (1.5, 2.0):
        check_exaggerate(client, exaggerate(client, ctx(factor=k)), k)


def test_exaggerate_pushes_an_accelerando_further() -> None:
    out = exaggerate(ACCELERANDO, ctx(factor=2.0))
    iois = [b.start - a.start for a, b in pairwise(out)]
    before = [b.start - a.start for a, b in pairwise(ACCELERANDO.notes)]
    assert iois[0] > before[0] and iois[-1] < before[-1]


@SETTINGS
@given(clients(), st.sampled_from([1.3, 1.5, 2.0]))
def test_exaggerate_properties(client: Client, k: float) -> None:
    check_exaggerate(client, exaggerate(client, ctx(factor=k)), k)


# the whole path


@pytest.mark.parametrize("name", sorted(TECHNIQUES))
def test_answer_is_deterministic(name: str) -> None:
    for client in (CHROMATIC, CHORDS):
        first = answer(client, FRAMEWORK, name, 7)
        assert first, name
        assert first == answer(client, FRAMEWORK, name, 7)
        assert all(n.part == "therapist" for n in first)
