"""The typed framework: what the loader produces and the engine realises."""

from __future__ import annotations

from dataclasses import dataclass, field

from improv_cli.errors import Pos
from improv_cli.model.modes import mode_info
from improv_cli.model.tables import PITCH_CLASSES, TPQ


@dataclass(frozen=True, slots=True)
class Meter:
    numerator: int
    denominator: int

    @property
    def bar_ticks(self) -> int:
        return self.numerator * TPQ * 4 // self.denominator

    @property
    def quarters(self) -> float:
        """Length of a bar in quarter notes."""
        return self.numerator * 4 / self.denominator

    @property
    def beat_ticks(self) -> int:
        """The felt beat: a dotted quarter in compound meters (6/8, 9/8, 12/8)."""
        if self.denominator == 8 and self.numerator % 3 == 0 and self.numerator > 3:
            return TPQ * 3 // 2
        return TPQ * 4 // self.denominator

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


@dataclass(frozen=True, slots=True)
class Key:
    tonic: str  # a pitch name as written, normalised: "D", "Bb", "F#"
    mode: str  # a name from tables.MODES, or scala:<name>

    @property
    def tonic_pc(self) -> int:
        alter = sum(1 if c == "#" else -1 for c in self.tonic[1:])
        return (PITCH_CLASSES[self.tonic[0]] + alter) % 12

    @property
    def intervals(self) -> tuple[int, ...]:
        return mode_info(self.mode).intervals

    def __str__(self) -> str:
        return f"{self.tonic} {self.mode}"


@dataclass(frozen=True, slots=True)
class Chord:
    """One chord as written: a roman numeral or a chord symbol."""

    text: str
    is_roman: bool
    pos: Pos


Harmony = tuple[tuple[Chord, ...], ...]  # bars of chords that share the bar equally


@dataclass(frozen=True, slots=True)
class Degree:
    """A scale degree: 1-based in the mode, with an accidental and octave marks."""

    degree: int
    alter: int = 0
    octave: int = 0


@dataclass(frozen=True, slots=True)
class MelodyEvent:
    degree: Degree | None  # None is a rest
    ticks: int
    pos: Pos


Phrase = tuple[tuple[MelodyEvent, ...], ...]  # bars of events that fill the bar exactly


@dataclass(frozen=True, slots=True)
class DrumRow:
    name: str
    note: int
    steps: str  # one character per step, spaces removed


@dataclass(frozen=True, slots=True)
class Fill:
    """Rows that replace the groove's own in the last bar of every `every` bars."""

    every: int
    drums: tuple[DrumRow, ...] = ()  # when given, these replace all the groove's drum rows
    bass: str | None = None
    comp: str | None = None


@dataclass(frozen=True, slots=True)
class Groove:
    name: str  # the library name, or "inline"
    steps: int  # steps per bar
    swing: float
    drums: tuple[DrumRow, ...] = ()
    bass: str | None = None
    comp: str | None = None
    drone: tuple[Degree, ...] = ()
    fill: Fill | None = None

    @property
    def bars(self) -> int:
        """The groove's cycle: its longest row, or the bars from one fill to the next."""
        rows = [r.steps for r in self.drums] + [r for r in (self.bass, self.comp) if r]
        longest = max((len(r) // self.steps for r in rows), default=1)
        return max(longest, self.fill.every if self.fill else 1)


@dataclass(frozen=True, slots=True)
class ExpressionSpan:
    """A span of bars (1-based, inclusive) with a dynamic and/or a tempo, level or ramp."""

    first_bar: int
    last_bar: int
    dynamics: tuple[int, int] | None = None  # velocities at the start and end
    tempo: tuple[float, float] | None = None  # bpm at the start and end


@dataclass(frozen=True, slots=True)
class PartSpec:
    name: str
    instrument: str
    program: int
    octave: int


@dataclass(frozen=True, slots=True)
class Length:
    bars: int | None = None
    minutes: float | None = None


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    harmony: Harmony
    melody: tuple[Phrase, ...]
    groove: Groove | None
    expression: tuple[ExpressionSpan, ...]
    repeat: int = 1

    @property
    def melody_bars(self) -> tuple[tuple[MelodyEvent, ...], ...]:
        return tuple(bar for phrase in self.melody for bar in phrase)

    @property
    def bars(self) -> int:
        """One pass of the section: its longest element; the shorter ones cycle."""
        groove_bars = self.groove.bars if self.groove else 1
        return max(len(self.harmony), len(self.melody_bars), groove_bars, 1)


@dataclass(frozen=True, slots=True)
class Framework:
    name: str  # library name or file stem
    source: str  # the file it came from
    title: str
    key: Key
    tempo: float
    meter: Meter
    sections: tuple[Section, ...]  # in form order, one entry per occurrence (before repeat)
    technique: str | None = None
    purpose: str | None = None
    length: Length = field(default_factory=Length)
    seed: int = 0
    variation: float = 0.0
    expression: tuple[ExpressionSpan, ...] = ()
    parts: tuple[PartSpec, ...] = ()
    has_sections: bool = False  # written with sections/form (markers name them)
    groove_name: str | None = None

    @property
    def form_bars(self) -> int:
        """Bars in one pass of the form."""
        return sum(s.bars * s.repeat for s in self.sections)
