"""Framework -> Timeline: the form laid out bar by bar, varied, written, then shaped.

plan the bars -> place the expression -> vary each bar -> write the parts on their grids
-> fermata holds, humanise, safety -> Timeline (notes, tempo map, marks)

A *written* Timeline is the same music as a score writes it, for notation: straight notes
with the swing named (`Timeline.swing`), and no humanise.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from improv_cli.engine.expression import DEFAULT_LEVEL, Expression
from improv_cli.engine.feel import enforce, hold_fermatas, humanise
from improv_cli.engine.parts import PartWriter, tidy
from improv_cli.engine.theory import key_signature, scale_names
from improv_cli.engine.variation import BarPlan, Change, Varier
from improv_cli.model.framework import ExpressionSpan, Framework, Key
from improv_cli.model.tables import PARTS
from improv_cli.timeline import (
    ChordEvent,
    Fermata,
    KeySignature,
    Marker,
    Note,
    Part,
    Swing,
    Timeline,
    TimeSignature,
)

__all__ = ["BarPlan", "Realisation", "lay_out", "plan", "realise", "realise_logged"]


def plan(framework: Framework) -> Iterator[BarPlan]:
    """The bars of the form, repeated without end."""
    index = 0
    while True:
        for section in framework.sections:
            for local in range(section.bars * section.repeat):
                yield BarPlan(index, section, local, local == 0)
                index += 1


def _contrast(framework: Framework, bar: BarPlan, expression: Expression) -> None:
    """Sections' own tempo and dynamics: each occurrence starts at its section's level, or at
    the framework's where other sections set theirs (tempo and dynamic contrast)."""
    section = bar.section
    bars = section.bars * section.repeat
    if any(s.tempo is not None for s in framework.sections):
        bpm = section.tempo if section.tempo is not None else framework.tempo
        expression.place(ExpressionSpan(1, bars, tempo=(bpm, bpm)), bar.index)
    if any(s.dynamics is not None for s in framework.sections):
        level = section.dynamics if section.dynamics is not None else DEFAULT_LEVEL
        expression.place(ExpressionSpan(1, bars, dynamics=(level, level)), bar.index)


def lay_out(framework: Framework) -> tuple[list[BarPlan], Expression]:
    """Choose the bars to render (length in bars or minutes) and place the expression."""
    expression = Expression(framework.tempo, framework.meter, framework.safety)
    for span in framework.expression:
        expression.place(span, 0)
    bars: list[BarPlan] = []
    length = framework.length
    pass_bars = framework.form_bars
    seconds = 0.0
    for bar in plan(framework):
        if length.bars is not None and len(bars) == length.bars:
            break
        at_pass_end = bars and len(bars) % pass_bars == 0
        if length.bars is None and at_pass_end and seconds >= (length.minutes or 0) * 60:
            break
        if bar.occurrence_start:
            _contrast(framework, bar, expression)
            for span in bar.section.expression:
                expression.place(span, bar.index)
        bars.append(bar)
        if length.minutes is not None:
            seconds += expression.bar_seconds(bar.index)
    return bars, expression


@dataclass(frozen=True, slots=True)
class Realisation:
    timeline: Timeline
    changes: tuple[Change, ...]  # what variation did, bar by bar


def realise(framework: Framework, written: bool = False) -> Timeline:
    """Realise a framework into a Timeline. The same framework (and seed) give the same result.

    `written=True` gives the notation's Timeline: swing named, not played; no humanise."""
    return realise_logged(framework, written).timeline


def realise_logged(framework: Framework, written: bool = False) -> Realisation:
    """Realise a framework and say which transformations variation applied."""
    bars, expression = lay_out(framework)
    meter = framework.meter
    length = len(bars) * meter.bar_ticks
    varier = Varier(framework)
    writer = PartWriter(framework, expression, written)
    chords: list[ChordEvent] = []
    markers: list[Marker] = []
    keys: list[KeySignature] = []
    swings: list[Swing] = []
    following = islice(plan(framework), 1, None)
    previous_key: Key | None = None
    for bar, after in zip(bars, following, strict=False):
        ctx = varier.context(bar, after)
        start = ctx.start
        if bar.section.harmony:
            chords.extend(
                ChordEvent(start + tick, dur, c.symbol, c.written, c.root, c.members, c.names)
                for tick, dur, c in ctx.slots
            )
        if bar.occurrence_start and framework.has_sections:
            markers.append(Marker(start, bar.section.name))
        if ctx.key != previous_key:
            sharps, minor = key_signature(ctx.key)
            keys.append(KeySignature(start, sharps, minor, str(ctx.key), scale_names(ctx.key)))
            previous_key = ctx.key
        if written:
            groove = bar.section.groove
            amount = max(writer.swing_amount(p, groove) for p in writer.specs)
            if amount != (swings[-1].amount if swings else 0.0):
                swings.append(Swing(start, amount))
        writer.bar(ctx)
    fermatas = expression.held_beats(length)
    notes = _shaped(framework, list(writer.finish(length)), expression, fermatas, length, written)
    present = {n.part for n in notes}
    specs = {p.name: p for p in framework.parts}
    timeline = Timeline(
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
        key_signatures=tuple(keys),
        markers=tuple(markers),
        chords=tuple(chords),
        fermatas=fermatas,
        dynamics=expression.dynamic_marks(length),
        swing=tuple(swings),
    )
    return Realisation(timeline, tuple(varier.log))


def _shaped(
    framework: Framework,
    notes: list[Note],
    expression: Expression,
    fermatas: tuple[Fermata, ...],
    length: int,
    written: bool,
) -> tuple[Note, ...]:
    """Fermata holds, humanise (not when written), then the safety profile (which moves no
    note in time)."""
    bar_ticks = framework.meter.bar_ticks
    moved = False
    if fermatas:
        notes, moved = hold_fermatas(notes, fermatas), True
    if (
        framework.humanise is not None and not written
    ):  # it sorts for itself, so one tidy serves both moves
        feel = framework.humanise
        notes = humanise(notes, feel, framework.seed, expression, bar_ticks, length, fermatas)
        moved = True
    if moved:
        notes = list(tidy(notes, length))
    if framework.safety is not None:
        notes = enforce(notes, framework.safety, bar_ticks)
        notes.sort(key=lambda n: (n.start, n.part, n.pitch))
    return tuple(notes)
