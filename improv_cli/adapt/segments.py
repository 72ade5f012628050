"""A song's bars in runs of one metre, each realised as its own framework and joined.

improv's engine plays bars of one length; a song may start with a pickup, end with a short
bar that completes it, or change its time signature. So the song is cut where the bar length
changes: each run becomes a framework in its own metre (the pickup a bar of, say, 1/4), and
the realised runs are joined into one Timeline (improv_cli.joining) with a time signature
where each starts. The
pickup plays the melody alone: the band comes in on the first downbeat.

Expression spans count the song's bars as printed: the pickup is bar 0, the first full bar
is bar 1. A span that crosses a cut is split there, its ramp's levels taken at the cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from improv_cli.engine.song import SongBar
from improv_cli.model.framework import ExpressionSpan, Meter
from improv_cli.model.tables import TPQ


@dataclass(frozen=True, slots=True)
class Run:
    first: int  # index of its first bar in the song's bars
    count: int
    meter: Meter
    pickup: bool  # the song's anacrusis: the melody alone
    full: bool = True  # bars as long as their time signature says (a groove may play)


def meter_of(bar: SongBar) -> Meter:
    """The bar's time signature, or for a short bar the metre its length makes (1/4, 3/8)."""
    whole = Meter(bar.numerator, bar.denominator)
    if bar.ticks == whole.bar_ticks:
        return whole
    for denominator in (bar.denominator, 8, 16, 32):
        unit = TPQ * 4 // denominator
        if bar.ticks % unit == 0:
            return Meter(bar.ticks // unit, denominator)
    return Meter(max(1, round(bar.ticks / (TPQ // 8))), 32)


def whole_bars(bars: Sequence[SongBar], pickup: int) -> tuple[SongBar, ...]:
    """Two short bars that make one whole bar joined: the end of a repeat and the pickup
    that music21 writes again after it (3/4 + 1/4 in 4/4). The song's first pickup stays."""
    out: list[SongBar] = []
    for bar in bars:
        last = out[-1] if out else None
        whole = Meter(bar.numerator, bar.denominator).bar_ticks
        if (
            last is not None
            and not (len(out) == 1 and pickup)
            and last.ticks < whole
            and bar.ticks < whole
            and last.ticks + bar.ticks == whole
            and (last.numerator, last.denominator) == (bar.numerator, bar.denominator)
        ):
            out[-1] = replace(last, ticks=whole)
        else:
            out.append(bar)
    return tuple(out)


def runs(bars: Sequence[SongBar], pickup: int) -> list[Run]:
    """Consecutive bars of one metre, the pickup on its own."""
    out: list[Run] = []
    for index, bar in enumerate(bars):
        meter = meter_of(bar)
        is_pickup = index == 0 and pickup > 0
        full = bar.ticks == Meter(bar.numerator, bar.denominator).bar_ticks
        last = out[-1] if out else None
        if last and not last.pickup and not is_pickup and (last.meter, last.full) == (meter, full):
            out[-1] = replace(last, count=last.count + 1)
        else:
            out.append(Run(index, 1, meter, is_pickup, full))
    return out


def pickup_spans(spans: Sequence[ExpressionSpan]) -> tuple[ExpressionSpan, ...]:
    """The pickup's expression: the level and tempo the first full bar starts at."""
    out = []
    for span in spans:
        if span.first_bar == 1 and (span.dynamics or span.tempo):
            level = (span.dynamics[0],) * 2 if span.dynamics else None
            tempo = (span.tempo[0],) * 2 if span.tempo else None
            out.append(ExpressionSpan(1, 1, dynamics=level, tempo=tempo))
    return tuple(out)


def spans_for(spans: Sequence[ExpressionSpan], first: int, last: int) -> tuple[ExpressionSpan, ...]:
    """The spans over song bars first..last (as printed), renumbered from 1 for the run."""
    out = []
    for span in spans:
        a, b = max(span.first_bar, first), min(span.last_bar, last)
        if a > b:
            continue
        out.append(
            replace(
                span,
                first_bar=a - first + 1,
                last_bar=b - first + 1,
                dynamics=_dynamics(span, a, b)
                if (a, b) != (span.first_bar, span.last_bar)
                else span.dynamics,
                tempo=_tempo(span, a, b)
                if (a, b) != (span.first_bar, span.last_bar)
                else span.tempo,
                fermata=span.fermata if b == span.last_bar else None,
                fermata_beat=span.fermata_beat if b == span.last_bar else None,
            )
        )
    return tuple(out)


def _dynamics(span: ExpressionSpan, a: int, b: int) -> tuple[int, int] | None:
    if span.dynamics is None:
        return None
    start, end = _ramp(span, span.dynamics, a, b)
    return round(start), round(end)


def _tempo(span: ExpressionSpan, a: int, b: int) -> tuple[float, float] | None:
    return None if span.tempo is None else _ramp(span, span.tempo, a, b)


def _ramp(span: ExpressionSpan, levels: tuple[float, float], a: int, b: int) -> tuple[float, float]:
    """A ramp's levels at the start of bar a and the end of bar b (linear between)."""
    start, end = levels
    bars = span.last_bar - span.first_bar + 1

    def at(position: int) -> float:
        return start + (end - start) * (position - span.first_bar) / bars

    return at(a), at(b + 1)
