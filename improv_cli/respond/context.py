"""What every technique works with: the framework's mode and metre, the client's tempo, a
seeded random generator, and small pitch tools (the nearest note of the mode, the chords of
the framework's harmony)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from improv_cli.model.framework import Framework
from improv_cli.respond.client import Client, ClientNote
from improv_cli.timeline import Note

THERAPIST = "therapist"


@dataclass
class Context:
    framework: Framework
    seed: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"improv:{self.seed}:respond")
        key = self.framework.key
        self.scale = tuple((key.tonic_pc + i) % 12 for i in key.intervals)
        self.tonic_pc = key.tonic_pc
        self.fifth_pc = (key.tonic_pc + 7) % 12

    @property
    def bar_ticks(self) -> int:
        """A bar of the framework's metre, in ticks of the client's grid (480 a beat)."""
        return self.framework.meter.bar_ticks

    @property
    def beat_ticks(self) -> int:
        return self.framework.meter.beat_ticks

    def in_mode(self, pitch: int) -> bool:
        return pitch % 12 in self.scale

    def nearest(self, pitch: int, prefer_up: bool = False) -> int:
        """The nearest pitch whose note is in the mode (a tie goes down, or up if asked)."""
        for distance in range(12):
            for candidate in (
                (pitch + distance, pitch - distance)
                if prefer_up
                else (pitch - distance, pitch + distance)
            ):
                if candidate % 12 in self.scale:
                    return candidate
        return pitch

    def chords(self) -> list[tuple[int, tuple[int, ...]]]:
        """The framework's harmony, one chord a bar, as (root pitch class, pitch classes):
        the first pass of its form (the tonic chord when it has no harmony)."""
        from improv_cli.engine.theory import chord_tones, tonic_chord

        out = []
        for section in self.framework.sections:
            for bar in section.harmony:
                tones = chord_tones(bar[0], self.framework.key)
                out.append((tones.root, tones.members))
        if not out:
            tones = tonic_chord(self.framework.key)
            out.append((tones.root, tones.members))
        return out


def note(start: int, duration: int, pitch: int, velocity: int) -> Note:
    """A therapist note, its pitch and velocity kept within MIDI's range."""
    return Note(
        THERAPIST, start, max(1, duration), max(0, min(127, pitch)), max(1, min(127, velocity))
    )


def tidy(notes: list[Note]) -> list[Note]:
    """Sorted, and no two notes of one pitch overlapping (the earlier is cut)."""
    out: list[Note] = []
    last: dict[int, int] = {}
    for n in sorted(notes, key=lambda n: (n.start, n.pitch)):
        i = last.get(n.pitch)
        if i is not None and out[i].end > n.start:
            prev = out[i]
            if n.start <= prev.start:
                continue
            out[i] = Note(prev.part, prev.start, n.start - prev.start, prev.pitch, prev.velocity)
        last[n.pitch] = len(out)
        out.append(n)
    return out


Technique = Callable[[Client, Context], list[Note]]


Struck = ClientNote | Note  # a client's or a therapist's note


def groups(notes: Sequence[Struck]) -> list[list[int]]:
    """Indices of the notes struck together (one start tick), in time order (notes sorted)."""
    out: list[list[int]] = []
    for i, n in enumerate(notes):
        if out and notes[out[-1][0]].start == n.start:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def tops(notes: Sequence[Struck]) -> list[int]:
    """Each onset group's top note: the line whose contour is kept."""
    return [max(notes[i].pitch for i in g) for g in groups(notes)]
