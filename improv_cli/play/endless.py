"""Endless playback (`practice --play` without --loops): one stretch, then another played
again and again until Ctrl-C, produced as it is played, so the first note comes at once."""

from __future__ import annotations

from collections.abc import Iterator

from improv_cli.play.events import Cues, Event, cues, schedule
from improv_cli.timeline import Timeline

CUE_ROUNDS = 1000  # rounds the live view knows the chords and loops of (hours of music)


def endless(first: Timeline, again: Timeline) -> tuple[Iterator[Event], Cues]:
    """`first` (with its count-in), then `again` forever; the live view's cues to match."""
    head, body = schedule(first), schedule(again)
    start, round_seconds = first.seconds(), again.seconds()
    head_loops = max((n for _, n in cues(first).loops), default=0)
    body_cues = cues(again)
    body_loops = max((n for _, n in body_cues.loops), default=0)

    def events() -> Iterator[Event]:
        yield from head
        offset, bars = start, first.bars
        while True:
            for event in body:
                yield event._replace(seconds=event.seconds + offset, bar=event.bar + bars)
            offset += round_seconds
            bars += again.bars

    def rounds(marks: tuple[tuple[float, str], ...]) -> tuple[tuple[float, str], ...]:
        return tuple(
            (start + r * round_seconds + t, text) for r in range(CUE_ROUNDS) for t, text in marks
        )

    head_cues = cues(first)
    loops = head_cues.loops + tuple(
        (start + r * round_seconds + t, head_loops + r * body_loops + n)
        for r in range(CUE_ROUNDS)
        for t, n in body_cues.loops
        if n
    )
    about = Cues(
        head_cues.title,
        first.bars + CUE_ROUNDS * again.bars,
        start + CUE_ROUNDS * round_seconds,
        head_cues.chords + rounds(body_cues.chords),
        head_cues.keys + rounds(body_cues.keys),
        loops,
    )
    return events(), about
