"""Iso-principle journeys: meet the client's tempo (and intensity), then move the music
gradually to a target (`improv journey`, docs/sessions.md).

A journey is a framework played for a number of bars in three phases: the *match* holds the
start tempo for `hold_start` bars, the *journey* moves bar by bar along a shape (linear,
exponential, an s-curve, or steps of a phrase each), the *arrival* holds the target for
`hold_end` bars. The tempo of a bar is constant within it. The step limit bounds the change
over any phrase of `phrase` bars to `max_step` per cent of the tempo at its start (for
`steps`, each step). When the limit cannot be kept in the time asked for, the journey gets
longer and says so; it never breaks the limit.

Secondary parameters follow the same normalised curve: `velocity` (the dynamic level, MIDI
velocity) and `density` (the share of the band's onsets kept, the weakest metric positions
left out first, so a thinner bar holds a subset of a fuller one).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from improv_cli.errors import OptionError
from improv_cli.model.framework import ExpressionSpan, Framework, Length, Meter
from improv_cli.timeline import Timeline

SHAPES = ("linear", "exp", "s-curve", "steps")
DENSITY_WORDS = {"high": 1.0, "medium": 0.7, "low": 0.4}
THINNED = ("drums", "bass", "comp")  # the band; the melody and the drone are kept
MAX_BARS = 20_000


@dataclass(frozen=True, slots=True)
class Also:
    """A secondary parameter travelling with the tempo."""

    name: str  # velocity or density
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class JourneySpec:
    start: float  # bpm
    target: float
    minutes: float
    shape: str = "linear"
    max_step: float = 8.0  # per cent per phrase
    hold_start: int = 4  # bars
    hold_end: int = 4
    phrase: int = 4  # bars
    also: tuple[Also, ...] = ()


@dataclass(frozen=True, slots=True)
class Journey:
    timeline: Timeline
    spec: JourneySpec
    tempi: tuple[float, ...]  # one a bar
    levels: dict[str, tuple[float, ...]]  # each secondary parameter, one value a bar
    journey_bars: int
    seconds: float
    extended: str | None  # why it lasts longer than asked, or None

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.spec.start,
            "target": self.spec.target,
            "shape": self.spec.shape,
            "max_step": self.spec.max_step,
            "bars": len(self.tempi),
            "hold_start": self.spec.hold_start,
            "journey_bars": self.journey_bars,
            "hold_end": self.spec.hold_end,
            "minutes_asked": self.spec.minutes,
            "minutes": round(self.seconds / 60, 3),
            "extended": self.extended,
            "tempi": [round(t, 3) for t in self.tempi],
            **{name: [round(v, 3) for v in values] for name, values in self.levels.items()},
        }


def check(spec: JourneySpec) -> None:
    """Refuse a journey that cannot be made, before anything is rendered."""
    for name, bpm in (("--from", spec.start), ("--to", spec.target)):
        if not 20 <= bpm <= 400:
            raise OptionError(f"{name}: {bpm:g} bpm is out of range", "use 20 to 400 bpm")
    if spec.shape not in SHAPES:
        raise OptionError(f"--shape: unknown shape '{spec.shape}'", "shapes: " + ", ".join(SHAPES))
    if not 0 < spec.minutes <= 600:
        raise OptionError(f"--minutes: {spec.minutes:g}", "a journey of up to 600 minutes")
    if spec.hold_start < 0 or spec.hold_end < 0 or spec.phrase < 1:
        raise OptionError("--hold-start, --hold-end and --phrase count bars from 0 (phrase 1)")
    if spec.start != spec.target and not 0 < spec.max_step < 100:
        raise OptionError(
            f"--max-step: {spec.max_step:g} % can never take {spec.start:g} to {spec.target:g} bpm",
            "a step limit above 0 and under 100 per cent, e.g. 8",
        )
    for also in spec.also:
        if also.name == "velocity" and not all(1 <= v <= 127 for v in (also.start, also.end)):
            raise OptionError(f"--also velocity: {also.start:g}->{also.end:g}", "velocities 1-127")
        if also.name == "density" and not all(0.1 <= v <= 1 for v in (also.start, also.end)):
            raise OptionError(
                f"--also density: {also.start:g}->{also.end:g}", "0.1-1, or high, medium, low"
            )


def progress(shape: str, bars: int, phrase: int) -> list[float]:
    """Each journey bar's position from 0 (the start) to 1 (the target), exclusive."""
    if bars == 0:
        return []
    if shape == "steps":
        steps = math.ceil(bars / phrase)
        return [(min(i // phrase, steps - 1) + 1) / (steps + 1) for i in range(bars)]
    out = []
    for i in range(bars):
        x = (i + 1) / (bars + 1)
        out.append(x * x * (3 - 2 * x) if shape == "s-curve" else x)
    return out


def value(shape: str, start: float, end: float, x: float) -> float:
    """The value at position x: geometric for `exp` (and tempo steps), else linear."""
    if shape in ("exp", "steps") and start > 0 and end > 0:
        return float(start * (end / start) ** x)
    return start + (end - start) * x


def curve(spec: JourneySpec, bars: int, start: float, end: float) -> list[float]:
    """A value a bar: the match, the journey, the arrival."""
    middle = [value(spec.shape, start, end, x) for x in progress(spec.shape, bars, spec.phrase)]
    return [start] * spec.hold_start + middle + [end] * spec.hold_end


def keeps_the_limit(spec: JourneySpec, tempi: Sequence[float]) -> bool:
    """No phrase (nor any bar) moves the tempo more than `max_step` per cent."""
    limit = spec.max_step / 100 + 1e-9
    for size in {1, spec.phrase}:
        for a, b in zip(tempi, tempi[size:], strict=False):
            if abs(b - a) / a > limit:
                return False
    return True


def seconds_of(tempi: Sequence[float], meter: Meter) -> float:
    return sum(meter.quarters * 60 / t for t in tempi)


def bars_in_time(spec: JourneySpec, meter: Meter) -> int:
    """The most journey bars whose whole journey ends within half a bar of `minutes`:
    a binary search, as the length grows with every bar added."""
    limit = spec.minutes * 60 + seconds_of([spec.target], meter) / 2

    def too_long(bars: int) -> bool:
        return seconds_of(curve(spec, bars + 1, spec.start, spec.target), meter) > limit

    return bisect.bisect_left(range(MAX_BARS), True, key=too_long)


def plan(spec: JourneySpec, meter: Meter) -> tuple[list[float], int, str | None]:
    """The tempo of every bar, the number of journey bars, and why it is longer if it is."""
    check(spec)
    timed = bars_in_time(spec, meter)
    if spec.start == spec.target:
        return curve(spec, timed, spec.start, spec.target), timed, None
    needed = max(1, timed)
    while needed < MAX_BARS and not keeps_the_limit(
        spec, curve(spec, needed, spec.start, spec.target)
    ):
        needed += 1
    if needed >= MAX_BARS:
        raise OptionError(
            f"--max-step: {spec.max_step:g} % would need over {MAX_BARS} bars",
            "allow a larger step",
        )
    tempi = curve(spec, needed, spec.start, spec.target)
    if needed <= timed:
        return tempi, needed, None
    took = seconds_of(tempi, meter) / 60
    why = (
        f"steps of at most {spec.max_step:g} % a phrase take {needed} journey bars: "
        f"the journey lasts {took:.1f} minutes, not {spec.minutes:g}"
    )
    return tempi, needed, why


def journey(framework: Framework, spec: JourneySpec) -> Journey:
    """The framework played along the journey: tempo and the secondary parameters a bar."""
    from improv_cli.engine.realise import realise

    tempi, middle, why = plan(spec, framework.meter)
    bars = len(tempi)
    levels = {a.name: curve(spec, middle, a.start, a.end) for a in spec.also}
    spans = [ExpressionSpan(i + 1, i + 1, tempo=(t, t)) for i, t in enumerate(tempi)]
    if "velocity" in levels:
        spans += [
            ExpressionSpan(i + 1, i + 1, dynamics=(round(v), round(v)))
            for i, v in enumerate(levels["velocity"])
        ]
    spans += [s for s in framework.expression if s.accent]  # the framework's accents stay
    sections = tuple(
        replace(s, tempo=None, dynamics=None, expression=()) for s in framework.sections
    )
    played = replace(
        framework,
        tempo=tempi[0],
        length=Length(bars=bars),
        expression=tuple(spans),
        sections=sections,
        vary=(),
    )
    timeline = realise(played)
    if "density" in levels:
        timeline = thinned(timeline, levels["density"])
    return Journey(
        timeline,
        spec,
        tuple(tempi),
        {k: tuple(v) for k, v in levels.items()},
        middle,
        timeline.seconds(),
        why,
    )


def weight(offset: int, bar_ticks: int) -> int:
    """How strong a position in the bar is: the downbeat, then halves, quarters, ..."""
    if offset == 0:
        return 100
    for level in range(1, 8):
        size = bar_ticks >> level
        if size and offset % size == 0:
            return 100 - 10 * level
    return 0


def thinned(timeline: Timeline, shares: Sequence[float]) -> Timeline:
    """Each bar's band onsets cut to its share: the weakest positions go first."""
    bar = timeline.bar_ticks
    positions: dict[tuple[str, int], set[int]] = {}
    for note in timeline.notes:
        if note.part in THINNED:
            positions.setdefault((note.part, note.start // bar), set()).add(note.start % bar)
    kept: dict[tuple[str, int], set[int]] = {}
    for (part, index), found in positions.items():
        share = shares[min(index, len(shares) - 1)]
        ranked = sorted(found, key=lambda o: (-weight(o, bar), o))
        kept[(part, index)] = set(ranked[: max(1, math.ceil(share * len(ranked) - 1e-9))])
    notes = tuple(
        n
        for n in timeline.notes
        if n.part not in THINNED or n.start % bar in kept[(n.part, n.start // bar)]
    )
    return replace(timeline, notes=notes)


def parse_also(text: str | None) -> tuple[Also, ...]:
    """`velocity:96->56,density:high->low`."""
    if not text:
        return ()
    out = []
    for item in text.split(","):
        name, _, values = item.partition(":")
        name = name.strip()
        first, arrow, last = values.partition("->")
        if name not in ("velocity", "density") or not arrow:
            raise OptionError(
                f"--also: '{item.strip()}'", "e.g. velocity:96->56 or density:high->low"
            )
        out.append(Also(name, _number(first, name), _number(last, name)))
    return tuple(out)


def _number(text: str, name: str) -> float:
    word = text.strip().lower()
    if name == "density" and word in DENSITY_WORDS:
        return DENSITY_WORDS[word]
    try:
        return float(word)
    except ValueError:
        raise OptionError(f"--also {name}: '{text.strip()}' is not a number") from None


@dataclass(frozen=True, slots=True)
class JourneyResult:
    output: str
    journey: Journey

    @property
    def start(self) -> float:
        return self.journey.spec.start

    @property
    def target(self) -> float:
        return self.journey.spec.target

    @property
    def bars(self) -> int:
        return len(self.journey.tempi)

    @property
    def seconds(self) -> float:
        return self.journey.seconds

    @property
    def extended(self) -> str | None:
        return self.journey.extended

    def as_dict(self) -> dict[str, Any]:
        return {"output": self.output, **self.journey.as_dict()}


def start_from(recording: str) -> float:
    """The client's tempo, estimated from their recording (as `improv respond` does)."""
    from improv_cli.respond.client import read_client

    return read_client(recording).tempo


def write_journey(
    framework_ref: str, spec: JourneySpec, recording: str | None, out: str | None
) -> JourneyResult:
    """Render the journey through the framework to MIDI or WAV (from the file's suffix)."""
    from improv_cli.api import check_target, output_format, write_files
    from improv_cli.model.loader import load_framework

    if recording is not None:
        spec = replace(spec, start=start_from(recording))
    check(spec)
    target = out or f"journey-{spec.start:g}-{spec.target:g}.mid"
    fmt = output_format(target, None, ("midi", "wav"), "a journey")
    check_target(target)
    made = journey(load_framework(framework_ref), spec)
    if fmt == "midi":
        from improv_cli.render.midi import midi_bytes

        data = midi_bytes(made.timeline)
    else:
        from improv_cli.render.audio import render_audio

        data = render_audio(made.timeline).mix
    write_files([data], target)
    return JourneyResult(target, made)
