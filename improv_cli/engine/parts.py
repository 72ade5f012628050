"""Writing the parts bar by bar: drums, bass and comp from the groove's grids, melody, drone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from improv_cli.engine.expression import Expression
from improv_cli.engine.theory import ChordTones
from improv_cli.model.framework import Degree, Framework, Groove, Key
from improv_cli.model.modes import parent_intervals
from improv_cli.model.tables import PART_DEFAULTS, TPQ
from improv_cli.timeline import Note

if TYPE_CHECKING:
    from improv_cli.engine.variation import BarContext

Slots = list[tuple[int, int, ChordTones]]
_MAJOR = (0, 2, 4, 5, 7, 9, 11)
ACCENT = 20  # velocity added by X
GHOST = 0.5  # velocity factor of o


def degree_pitch(key: Key, degree: Degree, octave: int) -> int:
    """A scale degree as a MIDI pitch; degree 1 sits in `octave` (C4 = 60)."""
    intervals = key.intervals
    index = degree.degree - 1
    base = key.tonic_pc + 12 * (octave + 1)
    wraps, step = divmod(index, len(intervals))
    return base + intervals[step] + 12 * (wraps + degree.octave) + degree.alter


@lru_cache(maxsize=4096)
def voicings(members: tuple[int, ...], octave: int) -> tuple[tuple[int, ...], ...]:
    """Close-position voicings, nearest to the middle of `octave` first.

    Chords of more than four notes leave out the root (the bass has it), then the fifth.
    """
    tones = list(members)
    for drop in (members[0], members[2] if len(members) > 2 else None):
        if len(tones) > 4 and drop in tones:
            tones.remove(drop)
    root = members[0]
    tones = sorted(tones[:4], key=lambda pc: (pc - root) % 12)
    centre = 12 * (octave + 1) + 4
    options = []
    for rotation in range(len(tones)):
        order = tones[rotation:] + tones[:rotation]
        pitch = 12 * (octave + 1) + order[0]
        if pitch > centre + 2:
            pitch -= 12
        chord = [pitch]
        for pc in order[1:]:
            pitch = chord[-1] + ((pc - chord[-1]) % 12 or 12)
            chord.append(pitch)
        options.append(tuple(chord))
    return tuple(sorted(options, key=lambda c: (abs(sum(c) / len(c) - centre), c)))


class PartWriter:
    """Accumulates the notes of every part; held notes may cross bar lines.

    Each bar comes as a `BarContext`: the variation layer has already chosen its key,
    chords, melody, grid cells, registers and voicings, so writing is exact and repeatable.
    """

    def __init__(self, framework: Framework, expression: Expression, written: bool = False) -> None:
        self.framework = framework
        self.written = written  # notes as a score writes them: straight, the swing only named
        self.bar_ticks = framework.meter.bar_ticks
        self.expression = expression
        self.specs = {p.name: p for p in framework.parts}
        self.balance = {name: d.balance for name, d in PART_DEFAULTS.items()}
        safety = framework.safety
        self.max_accent = safety.max_accent if safety and safety.max_accent is not None else 127
        self.notes: dict[str, list[Note]] = defaultdict(list)
        self.held: dict[str, tuple[int, tuple[int, ...], int]] = {}

    def velocity(self, part: str, tick: int, bonus: int = 0, factor: float = 1.0) -> int:
        """The velocity at grid position `tick`: level, balance, and accents (capped)."""
        lift = min(self.max_accent, bonus + self.expression.accent_at(tick))
        level = self.expression.velocity_at(tick) * factor + self.balance[part] + lift
        return max(1, min(127, round(level)))

    def hold(self, part: str, tick: int, pitches: tuple[int, ...], velocity: int) -> None:
        self.release(part, tick)
        self.held[part] = (tick, pitches, velocity)

    def release(self, part: str, tick: int) -> None:
        held = self.held.pop(part, None)
        if held is None:
            return
        start, pitches, velocity = held
        if tick > start:
            self.notes[part].extend(Note(part, start, tick - start, p, velocity) for p in pitches)

    def swing(self, part: str, groove: Groove | None) -> float:
        """How late this part plays its off-beat steps (none in a written Timeline)."""
        return 0.0 if self.written else self.swing_amount(part, groove)

    def swing_amount(self, part: str, groove: Groove | None) -> float:
        own = self.specs[part].swing
        if own is not None:
            return own
        return groove.swing if groove else 0.0

    def bar(self, ctx: BarContext) -> None:
        start = ctx.start
        section = ctx.plan.section
        groove = section.groove
        for part in ctx.muted:
            self.release(part, start)
        if ctx.plan.occurrence_start and "drone" not in ctx.muted:
            self._drone(groove, ctx)
        if groove is None:
            self.release("bass", start)
            if section.harmony and "comp" not in ctx.muted:
                self._sustained_chords(ctx)
            else:
                self.release("comp", start)
        else:
            self._grooved(groove, ctx)
        if ctx.melody and "melody" not in ctx.muted:
            self._melody(ctx, groove)

    def _grooved(self, groove: Groove, ctx: BarContext) -> None:
        steps = groove.steps
        size = self.bar_ticks // steps
        start = ctx.start

        def timing(part: str) -> Callable[[int], int]:
            delay = round(self.swing(part, groove) * size)

            def at(step: int) -> int:
                if step >= steps:
                    return start + self.bar_ticks
                return start + step * size + (delay if step % 2 else 0)

            return at

        def chord_at(step: int) -> ChordTones:
            offset = step * size
            return next(c for tick, dur, c in ctx.slots if tick <= offset < tick + dur)

        if "drums" not in ctx.muted:
            at = timing("drums")
            for note, cells in ctx.drums:
                self._drums(note, cells, at, start, size)
        for part, row in (("bass", ctx.bass), ("comp", ctx.comp)):
            if part in ctx.muted:
                continue
            if row is None:
                self.release(part, start)
                continue
            at = timing(part)
            for step, cell in enumerate(row):
                if cell == "-":
                    continue
                if cell == ".":
                    self.release(part, at(step))
                    continue
                tick = at(step)
                grid = start + step * size
                chord = chord_at(step)
                if part == "bass":
                    pitches: tuple[int, ...] = (self._bass_pitch(cell, chord, ctx),)
                    velocity = self.velocity(part, grid)
                else:
                    choices = voicings(chord.members, ctx.octaves["comp"])
                    pick = min(ctx.voicing.get(step, 0), len(choices) - 1)
                    pitches = choices[pick]
                    velocity = self.velocity(part, grid, ACCENT if cell == "X" else 0)
                self.hold(part, tick, pitches, velocity)

    def _sustained_chords(self, ctx: BarContext) -> None:
        """Harmony with no groove: the comp holds each chord for its share of the bar."""
        for offset, _, chord in ctx.slots:
            tick = ctx.start + offset
            pitches = voicings(chord.members, ctx.octaves["comp"])[0]
            self.hold("comp", tick, pitches, self.velocity("comp", tick))

    def _drums(
        self, note: int, cells: str, at: Callable[[int], int], start: int, size: int
    ) -> None:
        for step, cell in enumerate(cells):
            if cell == ".":
                continue
            tick = at(step)
            factor = GHOST if cell == "o" else 1.0
            bonus = ACCENT if cell == "X" else 0
            velocity = self.velocity("drums", start + step * size, bonus, factor)
            self.notes["drums"].append(Note("drums", tick, at(step + 1) - tick, note, velocity))

    def _bass_pitch(self, cell: str, chord: ChordTones, ctx: BarContext) -> int:
        base = 12 * (ctx.octaves["bass"] + 1)
        root = base + chord.root
        members = {"3": chord.third, "5": chord.fifth, "7": chord.seventh}
        if cell == "1":
            return base + chord.bass
        if cell == "8":
            return root + 12
        if cell in members:
            member = members[cell]
            if member is not None:
                return root + (member - chord.root) % 12
            return root + _mode_step(ctx.key, chord.root, int(cell) - 1, True)
        return root + _mode_step(ctx.key, chord.root, int(cell) - 1, False)

    def _melody(self, ctx: BarContext, groove: Groove | None) -> None:
        size = self.bar_ticks // groove.steps if groove else TPQ // 2
        delay = round(self.swing("melody", groove) * size)

        def swung(offset: int) -> int:
            late = delay and offset % size == 0 and (offset // size) % 2 == 1
            return ctx.start + offset + (delay if late and offset < self.bar_ticks else 0)

        offset = 0
        octave = ctx.octaves["melody"]
        notes = self.notes["melody"]
        for event in ctx.melody:
            if event.degree is not None:
                pitch = degree_pitch(ctx.key, event.degree, octave)
                begin, end = swung(offset), swung(offset + event.ticks)
                last = notes[-1] if notes else None
                if event.tied and last and last.pitch == pitch and last.end == begin:
                    notes[-1] = replace(last, duration=end - last.start)
                else:
                    velocity = self.velocity("melody", ctx.start + offset)
                    notes.append(Note("melody", begin, end - begin, pitch, velocity))
            offset += event.ticks

    def _drone(self, groove: Groove | None, ctx: BarContext) -> None:
        """Drone degrees held through each section; restruck where a section starts."""
        start = ctx.start
        if groove is None or not groove.drone:
            self.release("drone", start)
            return
        octave = ctx.octaves["drone"]
        pitches = tuple(degree_pitch(ctx.key, d, octave) for d in groove.drone)
        held = self.held.get("drone")
        if held and held[1] == pitches and not self.framework.has_sections:
            return  # one unbroken drone through the passes of a form without sections
        self.hold("drone", start, pitches, self.velocity("drone", start))

    def finish(self, length: int) -> tuple[Note, ...]:
        """Release what is held, cut at `length`, and keep notes of one pitch from overlapping."""
        for part in list(self.held):
            self.release(part, length)
        return tidy([n for notes in self.notes.values() for n in notes], length)


def _mode_step(key: Key, root: int, steps: int, parent: bool) -> int:
    """Semitones from `root` up `steps` notes of a scale on the tonic.

    A chord member the chord lacks (the 7 of a triad) is found in the mode's parent
    heptatonic scale, so it stays within an octave; 2 4 6 step through the mode itself.
    A root outside the scale steps through the major scale.
    """
    intervals = parent_intervals(key.mode) if parent else key.intervals
    scale = [(key.tonic_pc + i) % 12 for i in intervals]
    if root not in scale:
        return _MAJOR[steps % 7] + 12 * (steps // 7)
    index = scale.index(root)
    wraps, step = divmod(index + steps, len(intervals))
    return intervals[step] + 12 * wraps - intervals[index]


def tidy(notes: list[Note], length: int) -> tuple[Note, ...]:
    """Notes sorted, cut at `length`, with no two of one pitch in one part overlapping."""
    by_part: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        by_part[note.part].append(note)
    out: list[Note] = []
    for part_notes in by_part.values():
        out.extend(_without_overlaps(part_notes, length))
    out.sort(key=lambda n: (n.start, n.part, n.pitch))
    return tuple(out)


def _without_overlaps(notes: list[Note], length: int) -> list[Note]:
    """Per pitch: a note ends where the next one of that pitch starts; nothing passes `length`."""
    by_pitch: dict[int, list[Note]] = defaultdict(list)
    for note in notes:
        if note.start < length:
            by_pitch[note.pitch].append(note)
    out = []
    for same in by_pitch.values():
        same.sort(key=lambda n: n.start)
        for i, note in enumerate(same):
            end = min(note.end, length)
            if i + 1 < len(same):
                end = min(end, same[i + 1].start)
            if end > note.start:
                out.append(Note(note.part, note.start, end - note.start, note.pitch, note.velocity))
    return out
