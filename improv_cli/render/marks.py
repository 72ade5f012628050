"""The tempo map read back as a player's tempo marks: no music21 here.

The Timeline's tempo changes beat by beat through a ritardando, an accelerando or a
rubato arch; a score writes the word where the change begins and the new tempo (or
"a tempo") where it settles. Changes less than a bar apart are one movement, so the
arches of a rubato read as one "rubato"; a jump (a section's own tempo) is a new metronome
mark. Beats under a fermata are the fermata's.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from improv_cli.timeline import TempoChange, Timeline


@dataclass(frozen=True, slots=True)
class TempoMark:
    tick: int
    bpm: float | None  # quarter notes per minute; None for words only
    text: str = ""


def tempo_marks(timeline: Timeline) -> list[TempoMark]:
    """A metronome mark at the start, then words and marks where the tempo moves."""
    if not timeline.tempos:
        return []
    bar = timeline.bar_ticks
    held = [(f.tick, f.tick + f.ticks) for f in timeline.fermatas]
    changes = [c for c in timeline.tempos if not any(a <= c.tick < b for a, b in held)]
    if not changes or changes[0].tick != 0:
        changes.insert(0, timeline.tempos[0])
    marks = [TempoMark(0, changes[0].bpm)]
    settled = changes[0].bpm
    i = 1
    while i < len(changes):
        if _jumps(settled, changes, i):  # a new tempo, then perhaps a ramp from there
            marks.append(TempoMark(changes[i].tick, changes[i].bpm))
            settled = changes[i].bpm
            i += 1
            continue
        run = [changes[i]]
        while i + len(run) < len(changes) and _continues(run, changes[i + len(run)], bar):
            run.append(changes[i + len(run)])
        i += len(run)
        if len(run) == 1:
            if run[0].bpm != settled:
                marks.append(TempoMark(run[0].tick, run[0].bpm))
                settled = run[0].bpm
            continue
        word = _word(settled, run)
        final = run[-1]
        returns = abs(final.bpm - settled) < 1.5  # back where it was, give or take a rounding
        tail = _monotone_tail(run) if word == "rubato" and not returns else 0
        marks.append(TempoMark(run[0].tick, None, word))
        if tail:  # a rubato that ends in a ritardando (or accelerando) to a new tempo
            marks.append(TempoMark(run[tail].tick, None, _word(run[tail - 1].bpm, run[tail:])))
        if returns:
            marks.append(TempoMark(final.tick, None, "a tempo"))
        else:
            marks.append(TempoMark(final.tick, final.bpm))
            settled = final.bpm
    return marks


def _jumps(settled: float, changes: list[TempoChange], i: int) -> bool:
    step = abs(changes[i].bpm - settled)
    after = abs(changes[i + 1].bpm - changes[i].bpm) if i + 1 < len(changes) else 0.0
    return step > max(4.0, 3 * after)


def _continues(run: list[TempoChange], change: TempoChange, bar: int) -> bool:
    """Whether `change` goes on moving the tempo of `run`: less than a bar later, and not a
    jump (a step much larger than the one before it is a new tempo of its own)."""
    if change.tick - run[-1].tick >= bar:
        return False
    step = abs(change.bpm - run[-1].bpm)
    before = abs(run[-1].bpm - run[-2].bpm) if len(run) > 1 else step
    return step <= max(4.0, 3 * before)


def _monotone_tail(run: list[TempoChange]) -> int:
    """Where the run's last stretch in one direction begins (an index into `run`)."""
    down = run[-1].bpm < run[-2].bpm
    k = len(run) - 1
    while k > 1 and (run[k - 1].bpm - run[k - 2].bpm < 0) == down:
        k -= 1
    return k


def _word(before: float, run: list[TempoChange]) -> str:
    values = [before, *(c.bpm for c in run)]
    steps = [b - a for a, b in pairwise(values)]
    if all(s <= 0 for s in steps):
        return "rit."
    if all(s >= 0 for s in steps):
        return "accel."
    return "rubato"


def beat_ticks(timeline: Timeline) -> int:
    """The felt beat: a dotted quarter in compound meters (6/8, 9/8, 12/8)."""
    ts = timeline.time_signatures[0]
    if ts.denominator == 8 and ts.numerator % 3 == 0 and ts.numerator > 3:
        return timeline.tpq * 3 // 2
    return timeline.tpq * 4 // ts.denominator
