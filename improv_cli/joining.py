"""Timelines one after another: a song's runs of one metre, a session's segments.

Each timeline's events move by the length of those before; a time signature, key, tempo
or swing is kept only where it changes; a timeline may keep only its melody (a song's
pickup) or continue the melody note sounding into it (a tie over a cut).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, Protocol, TypeVar, cast

from improv_cli.timeline import (
    ChordEvent,
    DynamicMark,
    Fermata,
    KeySignature,
    Marker,
    Note,
    Part,
    Swing,
    TempoChange,
    Timeline,
    TimeSignature,
)


class _Ticked(Protocol):
    @property
    def tick(self) -> int: ...


T = TypeVar("T", bound=_Ticked)


def _moved(items: Sequence[T], offset: int) -> list[T]:
    return [cast(T, replace(cast(Any, item), tick=item.tick + offset)) for item in items]


def joined(
    title: str,
    timelines: Sequence[Timeline],
    melody_only: Sequence[bool],
    tied: Sequence[bool] = (),
) -> Timeline:
    """Realised runs one after another; a run marked `melody_only` keeps only the melody; a
    run marked `tied` continues the melody note sounding into it (one note, not two)."""
    parts: list[Part] = []
    notes: list[Note] = []
    tempos: list[TempoChange] = []
    meters: list[TimeSignature] = []
    keys: list[KeySignature] = []
    chords: list[ChordEvent] = []
    markers: list[Marker] = []
    fermatas: list[Fermata] = []
    dynamics: list[DynamicMark] = []
    swing: list[Swing] = []
    offset = 0
    for index, (timeline, alone) in enumerate(zip(timelines, melody_only, strict=True)):
        moved = partial(_moved, offset=offset)
        parts += [p for p in timeline.parts if p.name not in {q.name for q in parts}]
        placed = [
            replace(n, start=n.start + offset)
            for n in timeline.notes
            if not alone or n.part == "melody"
        ]
        if tied and tied[index]:
            placed = _continued(notes, placed, offset)
        notes += placed
        tempos += moved(timeline.tempos)
        meters += moved(timeline.time_signatures)
        keys += moved(timeline.key_signatures)
        chords += [] if alone else moved(timeline.chords)
        markers += moved(timeline.markers)
        fermatas += moved(timeline.fermatas)
        dynamics += [
            replace(d, tick=d.tick + offset, end_tick=d.end_tick + offset)
            for d in timeline.dynamics
        ]
        swing += moved(timeline.swing)
        offset += timeline.length
    lengths = {t.bar_ticks for t in timelines if t.bars}
    main = max(timelines, key=lambda t: t.bars)
    return Timeline(
        title=title,
        bars=sum(t.bars for t in timelines),
        bar_ticks=main.bar_ticks,
        parts=tuple(parts),
        notes=tuple(sorted(notes, key=lambda n: (n.start, n.part, n.pitch))),
        tempos=tuple(_changes(tempos, lambda t: t.bpm)),
        time_signatures=tuple(_changes(meters, lambda m: (m.numerator, m.denominator))),
        key_signatures=tuple(_changes(keys, lambda k: k.name)),
        markers=tuple(markers),
        chords=tuple(chords),
        fermatas=tuple(fermatas),
        dynamics=tuple(dynamics),
        swing=tuple(_changes(swing, lambda s: s.amount)),
        end=offset if len(lengths) > 1 else 0,
        pickup=timelines[0].length if melody_only and melody_only[0] and len(timelines) > 1 else 0,
    )


def _continued(before: list[Note], placed: list[Note], at: int) -> list[Note]:
    """Join the melody note that ends at `at` with the one of its pitch that starts there."""
    ending = [i for i, n in enumerate(before) if n.part == "melody" and n.end == at]
    for i in ending:
        match = next(
            (
                n
                for n in placed
                if n.part == "melody" and n.start == at and n.pitch == before[i].pitch
            ),
            None,
        )
        if match is not None:
            before[i] = replace(before[i], duration=before[i].duration + match.duration)
            placed = [n for n in placed if n is not match]
    return placed


U = TypeVar("U")


def _changes(items: Sequence[U], value: Callable[[U], object]) -> list[U]:
    """Keep an item only where its value differs from the one before."""
    out: list[U] = []
    for item in items:
        if not out or value(out[-1]) != value(item):
            out.append(item)
    return out
