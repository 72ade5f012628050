"""Shaping the written notes: fermata holds, humanise and the safety profile.

These run after the parts are written, in this order, each a pure function of the notes:
a fermata holds what sounds at its beat; humanise moves onsets and velocities by seeded,
bounded amounts; the safety profile comes last so that nothing can undo it.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import defaultdict

from improv_cli.engine.expression import Expression
from improv_cli.model.framework import Humanise, Safety
from improv_cli.model.tables import TPQ
from improv_cli.timeline import Fermata, Note

SKIP_TIMING = ("drone",)  # held parts: a late drone would only leave a gap under the music


def hold_fermatas(notes: list[Note], fermatas: tuple[Fermata, ...]) -> list[Note]:
    """Under a fermata the music holds: what sounds at the held beat lasts to its end, and
    nothing new starts inside it."""
    if not fermatas:
        return notes
    starts = [f.tick for f in fermatas]
    out = []
    for note in notes:
        inside = bisect_right(starts, note.start) - 1  # the last held beat starting by then
        if inside >= 0:
            f = fermatas[inside]
            if f.tick < note.start < f.tick + f.ticks:
                continue  # would start inside the held beat
        sounding = bisect_right(starts, note.end - 1) - 1  # the last held beat it reaches
        if sounding >= 0:
            f = fermatas[sounding]
            if note.start <= f.tick and note.end < f.tick + f.ticks:
                end = f.tick + f.ticks
                note = Note(note.part, note.start, end - note.start, note.pitch, note.velocity)
        out.append(note)
    return out


def _bounded(r: random.Random, bound: float) -> float:
    """A normal draw (sigma = bound / 2) redrawn until it lies within the bound."""
    if bound <= 0:
        return 0.0
    while True:
        x = r.gauss(0.0, bound / 2)
        if abs(x) <= bound:
            return x


def humanise(
    notes: list[Note],
    feel: Humanise,
    seed: int,
    expression: Expression,
    bar_ticks: int,
    length: int,
    fermatas: tuple[Fermata, ...],
) -> list[Note]:
    """Seeded jitter: onsets move by at most `timing_ms`, velocities by at most `velocity`.

    Notes struck together in one part (a chord) move together. Each bar and part has its
    own generator, so a longer rendering keeps the bars of a shorter one. Onsets never
    leave the piece and never move in or out of a held beat.
    """
    generators: dict[tuple[str, int], random.Random] = {}
    shifts: dict[tuple[str, int], int] = {}
    beat = expression.meter.beat_ticks
    held = {f.tick // beat + i for f in fermatas for i in (0, 1)}  # the held beat and the next
    rates: dict[int, float] = {}  # beat -> ticks per millisecond
    out: list[Note] = []
    for note in sorted(notes, key=lambda n: (n.start, n.part, n.pitch)):
        bar = note.start // bar_ticks
        r = generators.get((note.part, bar))
        if r is None:
            r = random.Random(f"improv:{seed}:humanise:{note.part}:{bar}")
            generators[(note.part, bar)] = r
        shift = shifts.get((note.part, note.start))
        if shift is None:
            shift = 0
            at = note.start // beat
            if feel.timing_ms and note.part not in SKIP_TIMING and at not in held:
                rate = rates.get(at)
                if rate is None:
                    rate = rates[at] = expression.bpm_at(note.start) / 60_000 * TPQ
                limit = int(feel.timing_ms * rate)
                shift = max(-limit, min(limit, round(_bounded(r, feel.timing_ms) * rate)))
            shifts[(note.part, note.start)] = shift
        start = max(0, note.start + shift)
        end = min(length, note.end + shift)
        velocity = note.velocity + round(_bounded(r, feel.velocity))
        if end > start:
            out.append(Note(note.part, start, end - start, note.pitch, max(1, min(127, velocity))))
    return out


def enforce(notes: list[Note], safety: Safety, bar_ticks: int) -> list[Note]:
    """No velocity above the ceiling; per part, no bar's mean velocity more than
    `max_change` from that part's previous sounding bar (the whole bar moves together)."""
    ceiling = safety.ceiling
    by_bar: dict[str, dict[int, list[Note]]] = defaultdict(lambda: defaultdict(list))
    for note in notes:
        by_bar[note.part][note.start // bar_ticks].append(note)
    out: list[Note] = []
    for bars in by_bar.values():
        previous: float | None = None
        for bar in sorted(bars):
            velocities = [min(ceiling, n.velocity) for n in bars[bar]]
            if safety.max_change is not None and previous is not None:
                velocities = _within(velocities, previous, safety.max_change, ceiling)
            previous = sum(velocities) / len(velocities)
            out.extend(
                Note(n.part, n.start, n.duration, n.pitch, v)
                for n, v in zip(bars[bar], velocities, strict=True)
            )
    return out


def _within(velocities: list[int], previous: float, cap: int, ceiling: int) -> list[int]:
    """Velocities moved by one whole number so that their mean is within `cap` of `previous`.

    The mean of the clamped, moved velocities changes by at most 1 for each step of the
    move, and `cap` is at least 1, so a step always lands inside the window.
    """

    def moved(shift: int) -> list[int]:
        return [max(1, min(ceiling, v + shift)) for v in velocities]

    def mean(values: list[int]) -> float:
        return sum(values) / len(values)

    shift = 0
    values = velocities
    while mean(values) > previous + cap:
        shift -= 1
        values = moved(shift)
    while mean(values) < previous - cap:
        shift += 1
        values = moved(shift)
    return values
