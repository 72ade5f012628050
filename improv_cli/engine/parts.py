"""Writing the parts bar by bar: drums, bass and comp from the groove's grids, melody, drone."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache

from improv_cli.engine.expression import Expression
from improv_cli.engine.theory import ChordTones
from improv_cli.model.framework import Degree, Framework, Groove, Key, Section
from improv_cli.model.modes import parent_intervals
from improv_cli.model.tables import PART_DEFAULTS
from improv_cli.timeline import Note

Slots = list[tuple[int, int, ChordTones]]
_MAJOR = (0, 2, 4, 5, 7, 9, 11)
ACCENT = 20  # velocity added by X
GHOST = 0.5  # velocity factor of o


def bar_rng(seed: int, bar_index: int) -> random.Random:
    """A private generator per bar, so that a longer rendering keeps its earlier bars."""
    return random.Random(f"improv:{seed}:{bar_index}")


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
    """Accumulates the notes of every part; held notes may cross bar lines."""

    def __init__(self, framework: Framework, expression: Expression, seed: int) -> None:
        self.framework = framework
        self.key = framework.key
        self.bar_ticks = framework.meter.bar_ticks
        self.expression = expression
        self.seed = seed
        self.variation = framework.variation
        self.octave = {p.name: p.octave for p in framework.parts}
        self.balance = {name: d.balance for name, d in PART_DEFAULTS.items()}
        self.notes: dict[str, list[Note]] = defaultdict(list)
        self.held: dict[str, tuple[int, tuple[int, ...], int]] = {}
        self.parent = parent_intervals(self.key.mode)

    def velocity(self, part: str, tick: int, bonus: int = 0, factor: float = 1.0) -> int:
        level = self.expression.velocity_at(tick) * factor + self.balance[part] + bonus
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

    def bar(self, section: Section, local: int, start: int, slots: Slots, first: bool) -> None:
        rng = bar_rng(self.seed, start // self.bar_ticks) if self.variation else None
        groove = section.groove
        if first:
            self._drone(groove, start)
        if groove is None:
            self.release("bass", start)
            if section.harmony:
                self._sustained_chords(start, slots)
            else:
                self.release("comp", start)
        else:
            self._grooved(groove, local, start, slots, rng)
        if section.melody:
            self._melody(section, local, start)

    def _grooved(
        self, groove: Groove, local: int, start: int, slots: Slots, rng: random.Random | None
    ) -> None:
        steps = groove.steps
        size = self.bar_ticks // steps
        delay = round(groove.swing * size)

        def at(step: int) -> int:
            if step >= steps:
                return start + self.bar_ticks
            return start + step * size + (delay if step % 2 else 0)

        def chord_at(step: int) -> ChordTones:
            offset = step * size
            return next(c for tick, dur, c in slots if tick <= offset < tick + dur)

        def cells(row: str) -> str:
            bar = local % (len(row) // steps)
            return row[bar * steps : (bar + 1) * steps]

        drums, bass, comp = groove.drums, groove.bass, groove.comp
        fill = groove.fill
        if fill and (local + 1) % fill.every == 0:
            drums = fill.drums or drums
            bass = fill.bass or bass
            comp = fill.comp or comp
        for drum in drums:
            self._drums(drum.note, cells(drum.steps), at, rng)
        for part, row in (("bass", bass), ("comp", comp)):
            if row is None:
                self.release(part, start)
                continue
            for step, cell in enumerate(cells(row)):
                if cell == "-":
                    continue
                if cell == ".":
                    self.release(part, at(step))
                    continue
                tick = at(step)
                chord = chord_at(step)
                if part == "bass":
                    pitches: tuple[int, ...] = (self._bass_pitch(cell, chord, rng),)
                    velocity = self.velocity(part, tick)
                else:
                    choices = voicings(chord.members, self.octave["comp"])
                    pick = (
                        1 if rng and len(choices) > 1 and rng.random() < 0.5 * self.variation else 0
                    )
                    pitches = choices[pick]
                    velocity = self.velocity(part, tick, ACCENT if cell == "X" else 0)
                self.hold(part, tick, pitches, velocity)

    def _sustained_chords(self, start: int, slots: Slots) -> None:
        """Harmony with no groove: the comp holds each chord for its share of the bar."""
        for offset, _, chord in slots:
            tick = start + offset
            pitches = voicings(chord.members, self.octave["comp"])[0]
            self.hold("comp", tick, pitches, self.velocity("comp", tick))

    def _drums(
        self, note: int, cells: str, at: Callable[[int], int], rng: random.Random | None
    ) -> None:
        for step, cell in enumerate(cells):
            if rng is not None:
                cell = self._vary_drum(cell, step, rng)
            if cell == ".":
                continue
            tick = at(step)
            factor = GHOST if cell == "o" else 1.0
            velocity = self.velocity("drums", tick, ACCENT if cell == "X" else 0, factor)
            self.notes["drums"].append(Note("drums", tick, at(step + 1) - tick, note, velocity))

    def _vary_drum(self, cell: str, step: int, rng: random.Random) -> str:
        chance = rng.random()
        if cell == "." and chance < 0.06 * self.variation:
            return "o"
        if cell == "x" and step and chance < 0.08 * self.variation:
            return "."
        return cell

    def _bass_pitch(self, cell: str, chord: ChordTones, rng: random.Random | None) -> int:
        if rng is not None and cell in "58" and rng.random() < 0.3 * self.variation:
            cell = "8" if cell == "5" else "5"
        base = 12 * (self.octave["bass"] + 1)
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
            return root + self._mode_step(chord.root, int(cell) - 1, self.parent)
        return root + self._mode_step(chord.root, int(cell) - 1, self.key.intervals)

    def _mode_step(self, root: int, steps: int, intervals: tuple[int, ...]) -> int:
        """Semitones from `root` up `steps` notes of a scale on the tonic.

        A chord member the chord lacks (the 7 of a triad) is found in the mode's parent
        heptatonic scale, so it stays within an octave; 2 4 6 step through the mode itself.
        A root outside the scale steps through the major scale.
        """
        scale = [(self.key.tonic_pc + i) % 12 for i in intervals]
        if root not in scale:
            return _MAJOR[steps % 7] + 12 * (steps // 7)
        index = scale.index(root)
        wraps, step = divmod(index + steps, len(intervals))
        return intervals[step] + 12 * wraps - intervals[index]

    def _melody(self, section: Section, local: int, start: int) -> None:
        bars = section.melody_bars
        tick = start
        for event in bars[local % len(bars)]:
            if event.degree is not None:
                pitch = degree_pitch(self.key, event.degree, self.octave["melody"])
                velocity = self.velocity("melody", tick)
                self.notes["melody"].append(Note("melody", tick, event.ticks, pitch, velocity))
            tick += event.ticks

    def _drone(self, groove: Groove | None, start: int) -> None:
        """Drone degrees held through each section; restruck where a section starts."""
        if groove is None or not groove.drone:
            self.release("drone", start)
            return
        octave = self.octave["drone"]
        pitches = tuple(degree_pitch(self.key, d, octave) for d in groove.drone)
        held = self.held.get("drone")
        if held and held[1] == pitches and not self.framework.has_sections:
            return  # one unbroken drone through the passes of a form without sections
        self.hold("drone", start, pitches, self.velocity("drone", start))

    def finish(self, length: int) -> tuple[Note, ...]:
        """Release what is held, cut at `length`, and keep notes of one pitch from overlapping."""
        for part in list(self.held):
            self.release(part, length)
        out: list[Note] = []
        for part_notes in self.notes.values():
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
