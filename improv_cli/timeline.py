"""The Timeline: plain, renderer-neutral music. Every renderer reads this and nothing else.

Times are in ticks at 480 per quarter note. Tempo is quarter-note beats per minute.
"""

from __future__ import annotations

from dataclasses import dataclass

from improv_cli.model.tables import TPQ


@dataclass(frozen=True, slots=True)
class Note:
    part: str
    start: int
    duration: int
    pitch: int
    velocity: int

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class TempoChange:
    tick: int
    bpm: float


@dataclass(frozen=True, slots=True)
class TimeSignature:
    tick: int
    numerator: int
    denominator: int


@dataclass(frozen=True, slots=True)
class KeySignature:
    tick: int
    sharps: int  # negative for flats
    minor: bool
    name: str  # as written in the framework, e.g. "D dorian"
    scale: tuple[str, ...] = ()  # the mode's spelled notes, e.g. ("D", "E", "F", "G", ...)


@dataclass(frozen=True, slots=True)
class Marker:
    tick: int
    text: str


@dataclass(frozen=True, slots=True)
class ChordEvent:
    tick: int
    duration: int
    symbol: str  # a chord symbol, e.g. "Dm7"
    written: str  # as written in the framework, e.g. "i7"
    root: int  # pitch class
    pitch_classes: tuple[int, ...]
    names: tuple[str, ...] = ()  # spelled chord tones, in stacking order


@dataclass(frozen=True, slots=True)
class Fermata:
    """A held beat: the beat at `tick` (`ticks` long) lasts `1 + extra` beats of time."""

    tick: int
    ticks: int
    extra: float


@dataclass(frozen=True, slots=True)
class DynamicMark:
    """A written dynamic: a level (start == end) or a hairpin from `start` to `end`."""

    tick: int
    end_tick: int
    start: int  # velocity
    end: int  # velocity


@dataclass(frozen=True, slots=True)
class Swing:
    """From `tick` on, off-beat steps are played late by `amount` of a step (0: straight).

    Only a written Timeline (see `realise(..., written=True)`) carries these: its notes are
    straight, as a score writes them, with a swing instruction."""

    tick: int
    amount: float


@dataclass(frozen=True, slots=True)
class Part:
    name: str  # drums, bass, comp, melody, drone
    instrument: str
    program: int


@dataclass(frozen=True, slots=True)
class Timeline:
    title: str
    bars: int
    bar_ticks: int
    parts: tuple[Part, ...]
    notes: tuple[Note, ...]  # sorted by (start, part, pitch)
    tempos: tuple[TempoChange, ...]
    time_signatures: tuple[TimeSignature, ...]
    key_signatures: tuple[KeySignature, ...]
    markers: tuple[Marker, ...] = ()
    chords: tuple[ChordEvent, ...] = ()
    fermatas: tuple[Fermata, ...] = ()
    dynamics: tuple[DynamicMark, ...] = ()
    swing: tuple[Swing, ...] = ()
    tpq: int = TPQ
    end: int = 0  # set when the bars differ in length (a pickup, a change of metre)
    pickup: int = 0  # ticks of an anacrusis: the first bar, written incomplete

    @property
    def length(self) -> int:
        """The end of the last bar, in ticks."""
        return self.end or self.bars * self.bar_ticks

    def seconds(self, tick: int | None = None) -> float:
        """Time in seconds at `tick` (default: the end), following the tempo map."""
        end = self.length if tick is None else tick
        total = 0.0
        for i, change in enumerate(self.tempos):
            if change.tick >= end:
                break
            stop = min(end, self.tempos[i + 1].tick if i + 1 < len(self.tempos) else end)
            total += (stop - change.tick) / self.tpq * 60.0 / change.bpm
        return total

    def part_notes(self, name: str) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.part == name)
