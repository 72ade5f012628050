"""Framework -> Timeline: the form laid out bar by bar, each part realised on its grid."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from improv_cli.engine.expression import Expression
from improv_cli.engine.parts import PartWriter
from improv_cli.engine.theory import ChordTones, chord_tones, key_signature, tonic_chord
from improv_cli.model.framework import Framework, Section
from improv_cli.model.tables import PARTS
from improv_cli.timeline import (
    ChordEvent,
    KeySignature,
    Marker,
    Part,
    Timeline,
    TimeSignature,
)


@dataclass(frozen=True, slots=True)
class BarPlan:
    index: int  # 0-based bar of the rendering
    section: Section
    local: int  # bar within this occurrence of the section, counting through its repeats
    occurrence_start: bool


def plan(framework: Framework) -> Iterator[BarPlan]:
    """The bars of the form, repeated without end."""
    index = 0
    while True:
        for section in framework.sections:
            for local in range(section.bars * section.repeat):
                yield BarPlan(index, section, local, local == 0)
                index += 1


def lay_out(framework: Framework) -> tuple[list[BarPlan], Expression]:
    """Choose the bars to render (length in bars or minutes) and place the expression."""
    expression = Expression(framework.tempo, framework.meter)
    for span in framework.expression:
        expression.place(span, 0)
    bars: list[BarPlan] = []
    length = framework.length
    pass_bars = framework.form_bars
    seconds = 0.0
    for bar in plan(framework):
        if bar.occurrence_start:
            for span in bar.section.expression:
                expression.place(span, bar.index)
        if length.bars is not None and len(bars) == length.bars:
            break
        at_pass_end = bars and len(bars) % pass_bars == 0
        if length.bars is None and at_pass_end and seconds >= (length.minutes or 0) * 60:
            break
        bars.append(bar)
        if length.minutes is not None:
            seconds += expression.bar_seconds(bar.index)
    return bars, expression


def realise(framework: Framework) -> Timeline:
    """Realise a framework into a Timeline. The same framework (and seed) give the same result."""
    bars, expression = lay_out(framework)
    meter = framework.meter
    length = len(bars) * meter.bar_ticks
    writer = PartWriter(framework, expression, framework.seed)
    chords: list[ChordEvent] = []
    markers: list[Marker] = []
    for bar in bars:
        start = bar.index * meter.bar_ticks
        slots = _bar_chords(framework, bar)
        if bar.section.harmony:
            chords.extend(
                ChordEvent(start + tick, dur, c.symbol, c.written, c.root, c.members)
                for tick, dur, c in slots
            )
        if bar.occurrence_start and framework.has_sections:
            markers.append(Marker(start, bar.section.name))
        writer.bar(bar.section, bar.local, start, slots, bar.occurrence_start)
    notes = writer.finish(length)
    sharps, minor = key_signature(framework.key)
    present = {n.part for n in notes}
    specs = {p.name: p for p in framework.parts}
    return Timeline(
        title=framework.title,
        bars=len(bars),
        bar_ticks=meter.bar_ticks,
        parts=tuple(
            Part(name, specs[name].instrument, specs[name].program)
            for name in PARTS
            if name in present
        ),
        notes=notes,
        tempos=expression.tempo_changes(length),
        time_signatures=(TimeSignature(0, meter.numerator, meter.denominator),),
        key_signatures=(KeySignature(0, sharps, minor, str(framework.key)),),
        markers=tuple(markers),
        chords=tuple(chords),
    )


def _bar_chords(framework: Framework, bar: BarPlan) -> list[tuple[int, int, ChordTones]]:
    """The chords of one bar as (offset, duration, chord); no harmony rests on the tonic."""
    bar_ticks = framework.meter.bar_ticks
    harmony = bar.section.harmony
    if not harmony:
        return [(0, bar_ticks, tonic_chord(framework.key))]
    written = harmony[bar.local % len(harmony)]
    edges = [i * bar_ticks // len(written) for i in range(len(written) + 1)]
    return [
        (edges[i], edges[i + 1] - edges[i], chord_tones(chord, framework.key))
        for i, chord in enumerate(written)
    ]
