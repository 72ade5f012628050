"""Tempo and dynamics over time, from expression spans placed on absolute bars.

A level or a ramp holds until another span changes it, as in written music: after
"66 -> 56" the music stays at 56 bpm. The latest span to start wins where spans overlap.
Tempo ramps change once per beat; dynamic ramps move continuously with each note's onset.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from improv_cli.model.framework import ExpressionSpan, Meter
from improv_cli.model.tables import DYNAMICS, TPQ
from improv_cli.timeline import TempoChange

DEFAULT_LEVEL = DYNAMICS["mf"]


@dataclass(frozen=True, slots=True)
class PlacedSpan:
    start: int  # tick
    end: int  # tick
    values: tuple[float, float]


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


class Expression:
    """The tempo map and the dynamic level of a rendering."""

    def __init__(self, tempo: float, meter: Meter) -> None:
        self.meter = meter
        self.tempo = Curve(tempo)
        self.level = Curve(DEFAULT_LEVEL)

    def place(self, span: ExpressionSpan, first_bar_index: int) -> None:
        """Add a span whose bar 1 is bar `first_bar_index` (0-based) of the rendering."""
        bar = self.meter.bar_ticks
        start = (first_bar_index + span.first_bar - 1) * bar
        end = (first_bar_index + span.last_bar) * bar
        if span.tempo:
            self.tempo.add(PlacedSpan(start, end, span.tempo))
        if span.dynamics:
            self.level.add(PlacedSpan(start, end, (float(span.dynamics[0]), span.dynamics[1])))

    def bpm_at(self, tick: int) -> float:
        span = self.tempo.span_at(tick)
        if span is None:
            return self.tempo.default
        if tick >= span.end:
            return span.values[1]
        beat = self.meter.beat_ticks
        beats = max(1, (span.end - span.start) // beat)
        index = (tick - span.start) // beat
        if beats == 1:
            return span.values[1]
        return span.values[0] + (span.values[1] - span.values[0]) * index / (beats - 1)

    def velocity_at(self, tick: int) -> float:
        span = self.level.span_at(tick)
        if span is None:
            return self.level.default
        if tick >= span.end:
            return span.values[1]
        fraction = (tick - span.start) / (span.end - span.start)
        return span.values[0] + (span.values[1] - span.values[0]) * fraction

    def bar_seconds(self, bar_index: int) -> float:
        """How long one bar lasts under the tempo map."""
        beat = self.meter.beat_ticks
        start = bar_index * self.meter.bar_ticks
        return sum(
            beat / TPQ * 60.0 / self.bpm_at(tick)
            for tick in range(start, start + self.meter.bar_ticks, beat)
        )

    def tempo_changes(self, length: int) -> tuple[TempoChange, ...]:
        """Tempo events up to `length` ticks: one at 0, then one per beat inside ramps."""
        ticks = {0}
        beat = self.meter.beat_ticks
        for span in self.tempo.spans:
            ticks.update(range(span.start, min(span.end, length), beat))
            if span.end < length:
                ticks.add(span.end)
        changes: list[TempoChange] = []
        for tick in sorted(t for t in ticks if t < length):
            bpm = round(self.bpm_at(tick), 3)
            if not changes or changes[-1].bpm != bpm:
                changes.append(TempoChange(tick, bpm))
        return tuple(changes)
