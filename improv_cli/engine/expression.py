"""Tempo and dynamics over time, from expression spans placed on absolute bars.

A level or a ramp holds until another span changes it, as in written music: after
"66 -> 56" the music stays at 56 bpm. The latest span to start wins where spans overlap.
Tempo changes once per beat: a ramp's first beat is at its first tempo and its last beat at
its second; rubato bends each beat of a phrase along an arch; a fermata slows its held beat
so that it lasts `1 + fermata` beats. Dynamic ramps move with each note's onset and reach
their second level on the span's last beat. Accents add velocity on their positions.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field

from improv_cli.model.framework import ExpressionSpan, Meter, Safety
from improv_cli.model.tables import DYNAMICS, TPQ
from improv_cli.timeline import DynamicMark, Fermata, TempoChange

DEFAULT_LEVEL = DYNAMICS["mf"]
FINAL_Q = 2.0  # Friberg & Sundberg (1999): q = 2 models a runner's constant deceleration


def shaped(start: float, end: float, x: float, curve: str = "linear") -> float:
    """A ramp's value at x (0 at its start, 1 at its end); both ends are exact."""
    if x <= 0:
        return start
    if x >= 1:
        return end
    if curve == "exponential" and start > 0 and end > 0:
        return float(start * (end / start) ** x)
    if curve == "final" and start > 0 and end > 0:
        w = end / start
        return float(start * (1 + (w**FINAL_Q - 1) * x) ** (1 / FINAL_Q))
    return start + (end - start) * x


@dataclass(frozen=True, slots=True)
class PlacedSpan:
    start: int  # tick
    end: int  # tick
    values: tuple[float, float]
    curve: str = "linear"


class Curve:
    """A value over time built from placed spans, with a default before the first one."""

    def __init__(self, default: float) -> None:
        self.default = default
        self.spans: list[PlacedSpan] = []
        self._starts: list[int] = []

    def add(self, span: PlacedSpan) -> None:
        index = bisect_right(self._starts, span.start)
        self.spans.insert(index, span)
        self._starts.insert(index, span.start)

    def span_at(self, tick: int) -> PlacedSpan | None:
        index = bisect_right(self._starts, tick) - 1
        return self.spans[index] if index >= 0 else None


@dataclass(frozen=True, slots=True)
class PlacedAccent:
    start: int
    end: int
    offsets: frozenset[int]
    cycle: int
    amount: int


@dataclass(frozen=True, slots=True)
class PlacedRubato:
    start: int
    end: int
    depth: float
    borrowed: bool
    phrase: int  # ticks per arch


@dataclass
class Expression:
    """The tempo map, the dynamic level, accents and holds of a rendering."""

    tempo_default: float
    meter: Meter
    safety: Safety | None = None
    tempo: Curve = field(init=False)
    level: Curve = field(init=False)
    accents: list[PlacedAccent] = field(default_factory=list)
    rubatos: list[PlacedRubato] = field(default_factory=list)
    fermatas: dict[int, float] = field(default_factory=dict)  # held beat tick -> added beats
    # (span, phrase start) -> tempo factor per beat; cleared when the tempo map changes
    _arches: dict[tuple[PlacedRubato, int], dict[int, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tempo = Curve(self.tempo_default)
        self.level = Curve(DEFAULT_LEVEL)

    def place(self, span: ExpressionSpan, first_bar_index: int) -> None:
        """Add a span whose bar 1 is bar `first_bar_index` (0-based) of the rendering."""
        bar = self.meter.bar_ticks
        start = (first_bar_index + span.first_bar - 1) * bar
        end = (first_bar_index + span.last_bar) * bar
        if span.tempo:
            self.tempo.add(PlacedSpan(start, end, span.tempo, span.curve))
            self._arches.clear()  # borrowed time depends on the tempo under the phrase
        if span.dynamics:
            values = (float(span.dynamics[0]), float(span.dynamics[1]))
            self.level.add(PlacedSpan(start, end, values, span.curve))
        if span.accent:
            self.accents.append(
                PlacedAccent(
                    start, end, frozenset(span.accent), span.accent_cycle, span.accent_amount
                )
            )
        if span.rubato:
            phrase = span.phrase * bar
            self.rubatos.append(PlacedRubato(start, end, span.rubato, span.borrowed_time, phrase))
            self._arches.clear()
        if span.fermata:
            beat = self.meter.beat_ticks
            beats = bar // beat
            held = end - bar + ((span.fermata_beat or beats) - 1) * beat
            self.fermatas[held] = span.fermata

    def level_tempo(self, tick: int) -> float:
        """The written tempo: levels and ramps, before rubato, bounds and fermatas."""
        span = self.tempo.span_at(tick)
        if span is None:
            return self.tempo.default
        if tick >= span.end:
            return span.values[1]
        beat = self.meter.beat_ticks
        beats = max(1, (span.end - span.start) // beat)
        if beats == 1:
            return span.values[1]
        index = (tick - span.start) // beat
        return shaped(span.values[0], span.values[1], index / (beats - 1), span.curve)

    def pulse(self, tick: int) -> float:
        """The tempo of the beat at `tick` with rubato, inside the safety bounds."""
        bpm = self.level_tempo(tick)
        rubato = self._rubato_at(tick)
        if rubato is not None:
            bpm *= self._arch(rubato, tick)
        return self._bounded(bpm)

    def bpm_at(self, tick: int) -> float:
        """The tempo the beat at `tick` is played at: its pulse, slowed by a fermata."""
        beat = self.meter.beat_ticks
        start = tick - tick % beat
        bpm = self.pulse(start)
        extra = self.fermatas.get(start)
        return bpm / (1 + extra) if extra else bpm

    def _bounded(self, bpm: float) -> float:
        safety = self.safety
        if safety is None:
            return bpm
        if safety.tempo_low is not None:
            bpm = max(bpm, safety.tempo_low)
        if safety.tempo_high is not None:
            bpm = min(bpm, safety.tempo_high)
        return bpm

    def _rubato_at(self, tick: int) -> PlacedRubato | None:
        found = None
        for rubato in self.rubatos:  # few spans; the latest to start wins
            if rubato.start <= tick < rubato.end and (found is None or rubato.start >= found.start):
                found = rubato
        return found

    def _phrase(self, rubato: PlacedRubato, tick: int) -> tuple[int, int]:
        start = rubato.start + (tick - rubato.start) // rubato.phrase * rubato.phrase
        return start, min(start + rubato.phrase, rubato.end)

    def _arch(self, rubato: PlacedRubato, tick: int) -> float:
        """The tempo factor of the beat at `tick`: slowest at the phrase's ends.

        Beat j of n has g = 1 - depth * (1 - sin(pi * (j + 1/2) / n)). With borrowed time
        every factor is scaled so that the phrase lasts as long as it would without rubato.
        """
        start, end = self._phrase(rubato, tick)
        factors = self._arches.get((rubato, start))
        if factors is None:
            beat = self.meter.beat_ticks
            ticks = list(range(start, end, beat))
            n = len(ticks)
            raw = [1 - rubato.depth * (1 - math.sin(math.pi * (j + 0.5) / n)) for j in range(n)]
            scale = 1.0
            if rubato.borrowed:
                base = [self.level_tempo(t) for t in ticks]
                plain = sum(1 / b for b in base)
                bent = sum(1 / (g * b) for g, b in zip(raw, base, strict=True))
                scale = bent / plain
            factors = {t: g * scale for t, g in zip(ticks, raw, strict=True)}
            self._arches[(rubato, start)] = factors
        beat_start = tick - (tick - start) % self.meter.beat_ticks
        return factors.get(beat_start, 1.0)

    def level_at(self, tick: int) -> float:
        """The dynamic level (a velocity) at `tick`, before rubato and accents."""
        span = self.level.span_at(tick)
        if span is None:
            return self.level.default
        if tick >= span.end:
            return span.values[1]
        last_beat = span.end - self.meter.beat_ticks
        if last_beat <= span.start:
            return span.values[1]
        x = (tick - span.start) / (last_beat - span.start)
        return shaped(span.values[0], span.values[1], x, span.curve)

    def velocity_at(self, tick: int) -> float:
        """The level at `tick`, louder toward the middle of a rubato phrase."""
        level = self.level_at(tick)
        rubato = self._rubato_at(tick)
        if rubato is None:
            return level
        start, end = self._phrase(rubato, tick)
        x = (tick - start) / (end - start)
        return level * (1 + rubato.depth * (math.sin(math.pi * x) - 0.5))

    def accent_at(self, tick: int) -> int:
        """Velocity added by accents on this grid position (the largest, where spans overlap)."""
        amount = 0
        for accent in self.accents:
            inside = accent.start <= tick < accent.end
            if inside and (tick - accent.start) % accent.cycle in accent.offsets:
                amount = max(amount, accent.amount)
        return amount

    def bar_seconds(self, bar_index: int) -> float:
        """How long one bar lasts under the tempo map."""
        beat = self.meter.beat_ticks
        start = bar_index * self.meter.bar_ticks
        return sum(
            beat / TPQ * 60.0 / self.bpm_at(tick)
            for tick in range(start, start + self.meter.bar_ticks, beat)
        )

    def tempo_changes(self, length: int) -> tuple[TempoChange, ...]:
        """Tempo events up to `length` ticks: one at 0, then one wherever a beat's tempo changes."""
        beat = self.meter.beat_ticks
        changes: list[TempoChange] = []
        if not (self.tempo.spans or self.rubatos or self.fermatas or self.safety):
            return (TempoChange(0, round(self.tempo.default, 3)),)
        for tick in range(0, length, beat):
            bpm = round(self.bpm_at(tick), 3)
            if not changes or changes[-1].bpm != bpm:
                changes.append(TempoChange(tick, bpm))
        return tuple(changes)

    def held_beats(self, length: int) -> tuple[Fermata, ...]:
        beat = self.meter.beat_ticks
        return tuple(
            Fermata(tick, beat, extra)
            for tick, extra in sorted(self.fermatas.items())
            if tick < length
        )

    def dynamic_marks(self, length: int) -> tuple[DynamicMark, ...]:
        """The written dynamics: each level span as a mark, a ramp as a hairpin."""
        marks = []
        for span in self.level.spans:
            if span.start < length:
                end = min(span.end, length)
                marks.append(DynamicMark(span.start, end, int(span.values[0]), int(span.values[1])))
        return tuple(marks)
