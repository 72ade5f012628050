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
    tied: bool = False  # continues the note before it (a song's note tied over a bar line)


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
    """A span of bars (1-based, inclusive) with Nordoff–Robbins' expressive components.

    Dynamics and tempo are a level or a ramp (`curve` shapes the ramps); a fermata holds one
    beat of the span's last bar; accents lift positions that repeat every `accent_cycle`
    ticks from the span's start; rubato bends the tempo and the dynamics in phrase arches.
    """

    first_bar: int
    last_bar: int
    dynamics: tuple[int, int] | None = None  # velocities at the start and end
    tempo: tuple[float, float] | None = None  # bpm at the start and end
    curve: str = "linear"  # linear, exponential or final (Friberg–Sundberg)
    fermata: float | None = None  # beats added to the held beat
    fermata_beat: int | None = None  # 1-based beat of the last bar; None: the last beat
    accent: tuple[int, ...] = ()  # accented offsets in ticks within one cycle
    accent_cycle: int = 0  # ticks after which the accent pattern starts again
    accent_amount: int = 16  # velocity added on accented positions
    rubato: float | None = None  # depth of the phrase arch, e.g. 0.08
    borrowed_time: bool = True  # rubato gives back the time it takes: phrases keep their length
    phrase: int = 4  # bars per rubato arch


@dataclass(frozen=True, slots=True)
class Humanise:
    """Seeded timing and velocity jitter, never beyond the bounds."""

    timing_ms: float  # largest shift of an onset, in milliseconds
    velocity: int  # largest change of a velocity


@dataclass(frozen=True, slots=True)
class Safety:
    """Limits for sensory-sensitive clients, enforced on every note and tempo event."""

    ceiling: int = 127  # no velocity above this
    max_change: int | None = None  # per part: a bar's mean velocity moves at most this much
    max_accent: int | None = None  # accents add at most this much velocity
    tempo_low: float | None = None  # the pulse stays within these bounds (fermatas excepted)
    tempo_high: float | None = None

    @property
    def limits_tempo(self) -> bool:
        return self.tempo_low is not None or self.tempo_high is not None


@dataclass(frozen=True, slots=True)
class PassPlan:
    """Transformations for some passes of the form (1-based, inclusive): the `vary:` plan."""

    first_pass: int
    last_pass: int
    density: float = 0.0  # -1 thins the groove ... +1 fills it in, on the groove's grid
    fills: bool = False  # a drum fill (and a melodic lead-in) at the end of each phrase
    ornament: float = 0.0  # share of melody notes given a passing or neighbour note
    sequence: int = 0  # the melody moved this many scale steps
    inversion: bool = False  # the melody's intervals mirrored around its first note
    retrograde: bool = False  # the melody's pitches in reverse order over its rhythm
    register: tuple[tuple[str, int], ...] = ()  # (part, octaves)
    voicing: float = 0.0  # share of comp chords in another voicing
    substitute: float = 0.0  # share of chords replaced by a neighbour chord of the mode
    mode: str | None = None  # modal shift: the same degrees in another mode
    transpose: int = 0  # semitones
    mute: tuple[str, ...] = ()  # parts that rest

    def covers(self, pass_number: int) -> bool:
        return self.first_pass <= pass_number <= self.last_pass

    def settings(self) -> dict[str, object]:
        """The transformations this entry sets (those not at their default), in field order."""
        return {
            name: getattr(self, name)
            for name, spec in PassPlan.__dataclass_fields__.items()
            if name not in ("first_pass", "last_pass") and getattr(self, name) != spec.default
        }


@dataclass(frozen=True, slots=True)
class PartSpec:
    name: str
    instrument: str
    program: int
    octave: int
    swing: float | None = None  # None: the groove's swing


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
    tempo: float | None = None  # the section's own tempo (tempo contrast)
    dynamics: int | None = None  # the section's own level (dynamic contrast)

    @property
    def melody_bars(self) -> tuple[tuple[MelodyEvent, ...], ...]:
        return tuple(bar for phrase in self.melody for bar in phrase)

    @property
    def bars(self) -> int:
        """One pass of the section: its longest element; the shorter ones cycle."""
        groove_bars = self.groove.bars if self.groove else 1
        return max(len(self.harmony), len(self.melody_bars), groove_bars, 1)


@dataclass(frozen=True, slots=True)
class SongSpec:
    """A pre-composed song the framework plays (`song:`): see docs/adapt.md."""

    source: str  # a path (from the framework file's folder) or corpus:NAME
    melody_part: str | int | None = None
    bars: tuple[int, int] | None = None  # as the song numbers them (a pickup is bar 0)
    mode: str | None = None  # re-colour: the song's tonic in this mode


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
    humanise: Humanise | None = None
    safety: Safety | None = None
    vary: tuple[PassPlan, ...] = ()
    song: SongSpec | None = None

    @property
    def form_bars(self) -> int:
        """Bars in one pass of the form."""
        return sum(s.bars * s.repeat for s in self.sections)
