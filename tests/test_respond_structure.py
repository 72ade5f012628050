"""Ground, hold, contain, dialogue, accompany: the musical facts each frame promises, on
hand-written phrases and on generated ones."""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from statistics import fmean, pstdev

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improv_cli.model.framework import Framework
from improv_cli.model.loader import load_framework
from improv_cli.model.tables import TPQ
from improv_cli.respond import answer
from improv_cli.respond.client import Client, client_from_seconds
from improv_cli.respond.context import Context
from improv_cli.respond.structure import TECHNIQUES, contain, harmony
from improv_cli.timeline import Note

Phrase = list[tuple[float, int, int]]  # (seconds, pitch, velocity), one after another


@cache
def fw(ref: str = "holding/dorian-vamp") -> Framework:
    return load_framework(ref)


def client_of(*phrases: Phrase, silence: float = 2.0) -> Client:
    timed, t = [], 0.0
    for phrase in phrases:
        for seconds, pitch, velocity in phrase:
            timed.append((t, t + seconds * 0.9, pitch, velocity))
            t += seconds
        t += silence
    return client_from_seconds(timed)


def generated(items: list[tuple[float, float, int, int]]) -> Client:
    timed, t = [], 0.0
    for gap, seconds, pitch, velocity in items:
        t += gap
        timed.append((t, t + seconds, pitch, velocity))
        t += seconds
    return client_from_seconds(timed)


phrases = st.lists(
    st.tuples(
        st.sampled_from([0.0, 0.0, 0.1, 0.25, 0.5, 1.5, 2.5]),
        st.floats(0.1, 1.6),
        st.integers(50, 84),
        st.integers(30, 110),
    ),
    min_size=1,
    max_size=24,
)
SETTINGS = settings(max_examples=40, deadline=None)

CALL = [(0.5, 62, 70), (0.5, 65, 72), (0.5, 69, 75), (1.0, 67, 70)]
REPLY = [(0.25, 74, 60), (0.25, 72, 62), (0.5, 69, 64), (1.0, 62, 60)]
BUSY = [(0.125, p, 112) for p in [50, 62, 55, 70, 52, 66, 58, 74] * 4]
SONG = [(1.5, 62, 80), (0.5, 64, 76), (1.5, 65, 80), (0.5, 64, 74), (2.0, 69, 84), (2.0, 67, 80)]


def run(name: str, client: Client, ref: str = "holding/dorian-vamp", seed: int = 3) -> list[Note]:
    return answer(client, fw(ref), name, seed)


def bars(notes: list[Note], bar: int) -> dict[int, list[Note]]:
    out: dict[int, list[Note]] = {}
    for n in notes:
        out.setdefault(n.start // bar, []).append(n)
    return out


def band(client: Client) -> tuple[float, float]:
    low, high = np.percentile([n.pitch for n in client.notes], [10, 90])
    return float(low), float(high)


# ground


def check_ground(client: Client, ref: str = "holding/dorian-vamp") -> None:
    notes = run("ground", client, ref)
    ctx = Context(fw(ref))
    assert {n.pitch % 12 for n in notes} <= {ctx.tonic_pc, ctx.fifth_pc}
    assert all(n.pitch < 48 for n in notes)
    onsets = sorted({n.start for n in notes})
    assert {b - a for a, b in pairwise(onsets)} == {ctx.beat_ticks}  # CV of the IOIs: 0
    assert len({n.velocity for n in notes}) == 1
    assert notes[0].velocity <= fmean(n.velocity for n in client.notes)
    assert onsets[-1] + ctx.beat_ticks >= client.end


def test_ground_is_a_low_steady_bourdon() -> None:
    check_ground(client_of(CALL, REPLY, CALL))
    check_ground(client_of(CALL, REPLY), "holding/aeolian-rocking-vamp")
    check_ground(client_of(SONG), "accompanying/twelve-eight-ballad")  # a dotted-quarter beat


@SETTINGS
@given(phrases)
def test_ground_properties(items: list[tuple[float, float, int, int]]) -> None:
    check_ground(generated(items))


# hold


def check_hold(client: Client, ref: str = "holding/dorian-vamp") -> None:
    notes = run("hold", client, ref)
    bar = Context(fw(ref)).bar_ticks
    by_bar = bars(notes, bar)
    shapes = {
        b: sorted((n.start - b * bar, n.duration, n.pitch, n.velocity) for n in ns)
        for b, ns in by_bar.items()
    }
    alphabet = {frozenset(n.pitch % 12 for n in ns) for ns in by_bar.values()}
    assert len(alphabet) <= 2
    period = len(alphabet)
    assert all(shapes[b] == shapes[b + period] for b in shapes if b + period in shapes)
    assert pstdev(n.velocity for n in notes) <= 6
    low, high = band(client)
    assert not [n for n in notes if low <= n.pitch <= high]
    assert (max(n.start for n in notes) // bar + 1) * bar >= client.end  # every bar framed


def test_hold_is_a_two_chord_ostinato_outside_the_client() -> None:
    check_hold(client_of(CALL, REPLY, CALL))
    check_hold(client_of(CALL, REPLY), "holding/aeolian-rocking-vamp")
    check_hold(client_of(CALL), "holding/lydian-one-chord")
    check_hold(client_of(REPLY, CALL), "holding/dorian-slow")  # no harmony: i and VII
    low = [(0.5, p, 70) for p in [40, 43, 45, 47, 45, 43]]  # no room below: voiced above
    notes = run("hold", client_of(low))
    assert min(n.pitch for n in notes) > 45
    check_hold(client_of(low))


def test_hold_chords_are_the_frameworks() -> None:
    notes = run("hold", client_of(CALL, REPLY, CALL))
    by_bar = bars(notes, Context(fw()).bar_ticks)
    first, second = ({n.pitch % 12 for n in by_bar[b]} for b in (0, 1))
    assert first == {2, 5, 9, 0} and second == {7, 11, 2, 5}  # Dm7 | G7


@SETTINGS
@given(phrases)
def test_hold_properties(items: list[tuple[float, float, int, int]]) -> None:
    check_hold(generated(items))


# contain


def check_contain(client: Client, notes: list[Note], step_down: bool = True) -> None:
    ctx = Context(fw())
    beat, bar = ctx.beat_ticks, ctx.bar_ticks
    onsets = {n.start for n in notes}
    first = min(onsets)
    assert all(t in onsets for t in range(first, client.end, beat))  # the pulse throughout
    assert all(t in onsets for t in range(first, max(onsets) + 1, beat))
    assert notes[0].velocity >= fmean(n.velocity for n in client.notes)
    means = [fmean(n.velocity for n in ns) for _, ns in sorted(bars(notes, bar).items())]
    if step_down:
        assert all(b <= a for a, b in pairwise(means))
    else:
        assert len({round(m, 6) for m in means}) == 1
    downbeats = [n for n in notes if n.start % bar == 0]
    others = [n for n in notes if n.start % bar and n.start // bar == first // bar]
    assert min(n.velocity for n in downbeats[:2]) > max(n.velocity for n in others)
    assert all(
        any(m.pitch == n.pitch + 12 and m.start == n.start for m in notes) for n in notes[::2]
    )


def test_contain_meets_a_loud_busy_phrase_then_steps_down() -> None:
    client = client_of(BUSY, BUSY, BUSY, silence=1.0)
    notes = run("contain", client)
    check_contain(client, notes)
    by_bar = sorted(bars(notes, Context(fw()).bar_ticks).items())
    assert len(by_bar[0][1]) > len(by_bar[-1][1])  # sparser at the end
    assert by_bar[-1][1][0].velocity < by_bar[0][1][0].velocity


def test_contain_without_a_step_down_holds_its_intensity() -> None:
    client = client_of(BUSY, BUSY, silence=1.0)
    notes = contain(client, Context(fw(), 0, {"step_down": False}))
    check_contain(client, sorted(notes, key=lambda n: (n.start, n.pitch)), step_down=False)


@SETTINGS
@given(phrases)
def test_contain_properties(items: list[tuple[float, float, int, int]]) -> None:
    client = generated(items)
    check_contain(client, run("contain", client))


# dialogue


def overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def check_dialogue(client: Client, seed: int = 3) -> list[list[Note]]:
    notes = run("dialogue", client, seed=seed)
    ctx = Context(fw())
    theirs = [(n.start, n.end) for n in client.notes]
    ours = [(n.start, n.end) for n in notes]
    end = max([client.end, *(e for _, e in ours)])
    assert overlap(theirs, ours) < 0.05 * end
    assert overlap(theirs, ours) == 0
    assert all(ctx.in_mode(n.pitch) for n in notes)
    answers = []
    for i in range(len(client.phrases)):
        start, call_end = client.span(i)
        last = i + 1 == len(client.phrases)
        upto = client.span(i + 1)[0] if not last else 10**9
        reply = [n for n in notes if call_end <= n.start < upto]
        answers.append(reply)
        if last or upto - call_end >= call_end - start + TPQ:
            assert reply, f"phrase {i} unanswered"
        if reply:
            assert reply[0].start - call_end <= TPQ
            length = max(n.end for n in reply) - reply[0].start
            assert 0.5 * (call_end - start) <= length <= 1.5 * (call_end - start)
    assert len(notes) == sum(len(a) for a in answers)
    return answers


def test_dialogue_answers_each_phrase_in_its_gap() -> None:
    client = client_of(CALL, REPLY, CALL, silence=3.0)  # gaps longer than the calls
    answers = check_dialogue(client)
    assert all(len(a) == 4 for a in answers)
    for i, reply in enumerate(answers):
        call = client.phrase_notes(i)
        offsets = [n.start - reply[0].start for n in reply]
        assert offsets == [n.start - call[0].start for n in call]  # the call's rhythm
        assert [n.pitch for n in reply] != [n.pitch for n in call]  # varied
    assert answers[-1][-1].pitch % 12 == 2  # the last answer closes on the tonic


def test_dialogue_shortens_or_skips_when_the_client_comes_back_soon() -> None:
    long_call = [(0.5, p, 70) for p in [62, 64, 65, 67, 69, 67, 65, 64]]
    client = client_of(long_call, CALL, silence=2.5)
    squeezed = check_dialogue(client)[0]  # the gap is shorter than the call: compressed
    start, end = client.span(0)
    assert len(squeezed) == 8
    assert max(n.end for n in squeezed) <= client.span(1)[0]
    assert max(n.end for n in squeezed) - squeezed[0].start < end - start
    skipped, last = check_dialogue(client_of(long_call, long_call, silence=0.9))
    assert not skipped and last  # under half the call's length: the turn is the client's


@SETTINGS
@given(phrases, st.integers(0, 5))
def test_dialogue_properties(items: list[tuple[float, float, int, int]], seed: int) -> None:
    check_dialogue(generated(items), seed)


# accompany


def check_accompany(client: Client, ref: str = "holding/dorian-vamp") -> None:
    ctx = Context(fw(ref))
    notes = run("accompany", client, ref)
    assert fmean(n.velocity for n in notes) < fmean(n.velocity for n in client.notes) - 6
    assert fmean(n.pitch for n in notes) < fmean(n.pitch for n in client.notes)
    chords = harmony(client, ctx)
    assert [c.start for c in chords] == sorted(c.start for c in chords)
    assert all(a.end == b.start for a, b in pairwise(chords))

    def at(tick: int) -> tuple[int, ...]:
        return next(c.pcs for c in chords if c.start <= tick < c.end)

    assert all(n.pitch % 12 in at(n.start) for n in notes)  # the part plays its chords
    long = [n for n in client.notes if n.duration >= TPQ]
    if long:
        held = sum(n.pitch % 12 in at(n.start) for n in long)
        assert held >= 0.7 * len(long)


def test_accompany_harmonises_a_slow_melody() -> None:
    client = client_of(SONG, SONG)
    check_accompany(client)
    chords = harmony(client, Context(fw()))
    assert all(
        n.pitch % 12 in next(c.pcs for c in chords if c.start <= n.start < c.end)
        for n in client.notes
        if n.duration >= TPQ
    )
    check_accompany(client_of(SONG), "accompanying/waltz-song-frame")
    check_accompany(client_of(SONG), "accompanying/twelve-eight-ballad")


@SETTINGS
@given(phrases)
def test_accompany_properties(items: list[tuple[float, float, int, int]]) -> None:
    ctx = Context(fw())
    check_accompany(generated([(g, d, ctx.nearest(p), v) for g, d, p, v in items]))


# all five


@pytest.mark.parametrize("name", list(TECHNIQUES))
def test_each_technique_runs_and_is_deterministic(name: str) -> None:
    client = client_of(CALL, REPLY, CALL)
    first = run(name, client, seed=11)
    assert first
    assert first == run(name, client, seed=11)
    assert all(n.part == "therapist" and 0 < n.velocity <= 127 for n in first)
