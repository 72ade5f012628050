"""The transformations variation draws on: pure functions of phrases and grid cells.

Melodies are handled as scale-step indices (degree 1 of the middle octave is 0), so every
melodic transformation stays in the mode; rhythms keep their bar lines. Grid cells stay on
the groove's own steps.
"""

from __future__ import annotations

import random

from improv_cli.model.framework import Degree, MelodyEvent, PassPlan, Section
from improv_cli.model.tables import DRUMS, TPQ

Cells = tuple[tuple[int, str], ...]
_SPLITS = (TPQ * 2, TPQ, TPQ // 2, TPQ // 4)  # the halves a note may be split into
_KICKS = {DRUMS["kick"], DRUMS["acoustic-bass-drum"]}
_TOMS = (DRUMS["tom-high"], DRUMS["tom-mid"], DRUMS["tom-low"])


def phrase_bars(section: Section) -> int:
    """Bars per phrase: the melody's first phrase, else a harmony of 2 to 8 bars, else 4."""
    if section.melody:
        return len(section.melody[0])
    if 2 <= len(section.harmony) <= 8:
        return len(section.harmony)
    return 4


def index_of(degree: Degree, size: int) -> int:
    return degree.degree - 1 + size * degree.octave


def degree_of(index: int, size: int, alter: int = 0) -> Degree:
    octave, step = divmod(index, size)
    return Degree(step + 1, alter, octave)


def reshape_phrase(
    phrase: tuple[tuple[MelodyEvent, ...], ...], plan: PassPlan, size: int
) -> tuple[tuple[MelodyEvent, ...], ...]:
    """Retrograde (pitches reversed over the rhythm), inversion, then sequence."""
    notes = [e for bar in phrase for e in bar if e.degree is not None]
    if not notes:
        return phrase
    pitches = [(index_of(e.degree, size), e.degree.alter) for e in notes if e.degree]
    if plan.retrograde:
        pitches.reverse()
    if plan.inversion:
        axis = pitches[0][0]
        pitches = [(2 * axis - i, -alter) for i, alter in pitches]
        # keep the phrase in its register: move it by octaves toward its old centre
        old = sum(index_of(e.degree, size) for e in notes if e.degree) / len(notes)
        new = sum(i for i, _ in pitches) / len(pitches)
        octaves = round((old - new) / size)
        pitches = [(i + octaves * size, alter) for i, alter in pitches]
    pitches = [(i + plan.sequence, alter) for i, alter in pitches]
    queue = iter(pitches)
    out = []
    for bar in phrase:
        events = []
        for event in bar:
            if event.degree is not None:
                index, alter = next(queue)
                event = MelodyEvent(degree_of(index, size, alter), event.ticks, event.pos)
            events.append(event)
        out.append(tuple(events))
    return tuple(out)


def _split(ticks: int) -> int | None:
    """The length of the added half when a note of `ticks` is split, or None."""
    for half in _SPLITS:
        if half * 2 <= ticks and half >= TPQ // 4:
            return half
    return None


def ornament(
    events: tuple[MelodyEvent, ...], share: float, size: int, r: random.Random
) -> tuple[tuple[MelodyEvent, ...], int]:
    """Split some notes to add a passing note (toward a leap) or an upper neighbour note."""
    out: list[MelodyEvent] = []
    count = 0
    for i, event in enumerate(events):
        nxt = events[i + 1] if i + 1 < len(events) else None
        half = _split(event.ticks)
        if event.degree is None or nxt is None or nxt.degree is None or half is None:
            out.append(event)
            continue
        if r.random() >= share:
            out.append(event)
            continue
        here, there = index_of(event.degree, size), index_of(nxt.degree, size)
        gap = there - here
        if gap == 0:
            added = here + 1  # upper neighbour
        elif abs(gap) >= 2:
            added = here + (1 if gap > 0 else -1)  # passing note toward the next one
        else:
            out.append(event)
            continue
        out.append(MelodyEvent(event.degree, event.ticks - half, event.pos))
        out.append(MelodyEvent(degree_of(added, size), half, event.pos))
        count += 1
    return tuple(out), count


def melodic_fill(
    events: tuple[MelodyEvent, ...], following: tuple[MelodyEvent, ...], size: int
) -> tuple[MelodyEvent, ...] | None:
    """Two eighth notes stepping into the next bar's first note, in the last beat of a rest
    or of a note of a half or longer; None where there is no room."""
    if not events:
        return None
    last = events[-1]
    if last.ticks < (TPQ * 2 if last.degree is not None else TPQ):
        return None
    first = next((e.degree for e in following if e.degree is not None), None)
    target = index_of(first, size) if first else 0
    here = index_of(last.degree, size) if last.degree else target + 2
    step = 1 if here > target else -1
    run = (target + 2 * step, target + step)
    eighth = TPQ // 2
    body = [*events[:-1], MelodyEvent(last.degree, last.ticks - TPQ, last.pos)]
    body += [MelodyEvent(degree_of(i, size), eighth, last.pos) for i in run]
    return tuple(body)


def thin_or_fill(
    drums: Cells,
    bass: str | None,
    comp: str | None,
    on_beat: list[bool],
    density: float,
    micro: float,
    r: random.Random,
) -> tuple[Cells, str | None, str | None]:
    """Fewer or more strikes on the groove's grid; the first step of the bar always stays.

    density < 0 leaves out off-beat hits (and bass and comp restrikes), density > 0 adds
    ghost notes on the rests of the time-keeping rows and restrikes on held beats. `micro`
    (the variation amount) adds the small changes of every bar: a hit left out now and
    then, a ghost note, a bass fifth played as the octave or the other way round.
    """

    def drum_row(cells: str) -> str:
        busy = sum(c != "." for c in cells) >= 2
        ghost = (0.35 * density if busy and density > 0 else 0.0) + 0.06 * micro
        out = []
        for step, cell in enumerate(cells):
            chance = r.random()
            if step and cell in "xo" and not on_beat[step] and density < 0 and chance < -density:
                cell = "."
            elif cell == "." and chance < ghost:
                cell = "o"
            elif cell == "x" and step and chance < 0.08 * micro:
                cell = "."
            out.append(cell)
        return "".join(out)

    def line(cells: str | None, strike: str) -> str | None:
        if cells is None:
            return None
        out = list(cells)
        last = ""
        for step, cell in enumerate(cells):
            chance = r.random()
            if cell not in "-.":
                if step and not on_beat[step] and density < 0 and chance < -density:
                    out[step] = "-"
                    continue
                if strike == "bass" and cell in "58" and chance < 0.3 * micro:
                    out[step] = "8" if cell == "5" else "5"
                last = out[step]
            elif cell == "-" and last and on_beat[step] and density > 0 and chance < density / 2:
                out[step] = last if strike == "bass" else "x"
            elif cell == ".":
                last = ""
        return "".join(out)

    return (
        tuple((note, drum_row(cells)) for note, cells in drums),
        line(bass, "bass"),
        line(comp, "comp"),
    )


def drum_fill(drums: Cells, on_beat: list[bool]) -> Cells:
    """A fill in the bar's last beat (16th grids) or last half bar: snare, then the high,
    middle and low toms.

    The kick keeps its own hits; the other rows rest under the fill; the last hit is an
    accent.
    """
    steps = len(on_beat)
    beats = [s for s in range(steps) if on_beat[s]]
    per_beat = steps // max(1, len(beats))
    length = per_beat if per_beat >= 4 else max(1, steps // 2)
    begin = steps - length
    rows = [
        (note, cells if note in _KICKS else cells[:begin] + "." * length) for note, cells in drums
    ]
    voices = ((DRUMS["snare"],) * max(0, length - len(_TOMS)) + _TOMS)[-length:]
    fill: dict[int, list[str]] = {}
    for i, note in enumerate(voices):
        cells = fill.setdefault(note, ["."] * steps)
        cells[begin + i] = "X" if i == length - 1 else "x"
    merged = dict(rows)
    for note, cells in fill.items():
        old = merged.get(note, "." * steps)
        merged[note] = "".join(c if c != "." else old[s] for s, c in enumerate(cells))
    return tuple(merged.items())
