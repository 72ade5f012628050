"""Timeline notes -> the shapes a score is made of, in plain ticks: no music21 here.

A part's notes become events (notes struck and released together form one chord), the
events are dealt into voices that never overlap, and each voice is cut at bar lines and
into note values a reader can count (dotted and triplet values, ties between the pieces).
Pitches are spelled from the key's scale, then the chord's own spelling, then the key
signature's side (sharps or flats; with no signature C#, Eb, F#, Ab, Bb, as `show` names
the notes outside a mode).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from improv_cli.timeline import ChordEvent, KeySignature, Note, Timeline, TimeSignature

# Note values in ticks at 480 per quarter, longest first: plain, dotted, then triplets.
_PLAIN = (1920, 960, 480, 240, 120, 60, 30)
VALUES = tuple(
    sorted(
        {*_PLAIN, *(v * 3 // 2 for v in _PLAIN[1:]), *(v * 2 // 3 for v in _PLAIN)}, reverse=True
    )
)
_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_PLAIN_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")  # no signature


@dataclass(frozen=True, slots=True)
class Event:
    """Notes struck together and released together in one part (empty pitches: a rest)."""

    start: int
    duration: int
    pitches: tuple[int, ...]

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class Piece:
    """One written note, chord or rest inside a bar; `tie_*` join it to its neighbours."""

    offset: int  # ticks from the bar line
    duration: int
    pitches: tuple[int, ...]
    tie_start: bool = False
    tie_stop: bool = False
    onset: int = 0  # the tick the event starts at (where its marks belong)


def events(notes: Sequence[Note]) -> list[Event]:
    """Group one part's notes into chords by identical start and duration."""
    groups: dict[tuple[int, int], list[int]] = {}
    for note in notes:
        groups.setdefault((note.start, note.duration), []).append(note.pitch)
    return [Event(s, d, tuple(sorted(p))) for (s, d), p in sorted(groups.items())]


def voices(part_events: Sequence[Event]) -> list[list[Event]]:
    """Deal the events into voices: each goes to the first voice that is free by its start."""
    dealt: list[list[Event]] = []
    for event in part_events:
        for voice in dealt:
            if voice[-1].end <= event.start:
                voice.append(event)
                break
        else:
            dealt.append([event])
    return dealt or [[]]


@dataclass(frozen=True, slots=True)
class BarSpan:
    """One bar of a score: where it starts, how long it is, the metre it is written in."""

    start: int
    ticks: int
    numerator: int
    denominator: int
    pickup: bool = False  # an incomplete first bar (an anacrusis), written in the next metre


def bar_spans(timeline: Timeline) -> list[BarSpan]:
    """The bars from the time signatures: a bar lasts what the signature in force says; the
    timeline's pickup, if it has one, is written as an incomplete bar of the metre after it."""
    changes = sorted(timeline.time_signatures, key=lambda t: t.tick) or [TimeSignature(0, 4, 4)]
    spans: list[BarSpan] = []
    tick = 0
    while tick < timeline.length:
        sign = [c for c in changes if c.tick <= tick][-1]
        ticks = sign.numerator * timeline.tpq * 4 // sign.denominator
        nxt = next((c.tick for c in changes if c.tick > tick), timeline.length)
        ticks = min(ticks, nxt - tick)
        spans.append(BarSpan(tick, ticks, sign.numerator, sign.denominator))
        tick += ticks
    if timeline.pickup and len(spans) > 1 and spans[0].ticks == timeline.pickup:
        second = spans[1]
        spans[0] = BarSpan(0, spans[0].ticks, second.numerator, second.denominator, True)
    return spans


def bar_pieces(voice: Sequence[Event], bar_start: int, bar_ticks: int, beat: int) -> list[Piece]:
    """One voice's bar as written pieces: notes cut at the bar lines, gaps as rests."""
    bar_end = bar_start + bar_ticks
    out: list[Piece] = []
    at = bar_start
    for event in voice:
        if event.end <= bar_start or event.start >= bar_end:
            continue
        if event.start > at:
            out.extend(_cut(at - bar_start, event.start - at, (), beat, False, False, at))
        start = max(event.start, bar_start)
        end = min(event.end, bar_end)
        tie_in = event.start < bar_start
        tie_out = event.end > bar_end
        out.extend(
            _cut(start - bar_start, end - start, event.pitches, beat, tie_in, tie_out, event.start)
        )
        at = end
    if at < bar_end:
        out.extend(_cut(at - bar_start, bar_end - at, (), beat, False, False, at))
    return out


def _cut(
    offset: int,
    length: int,
    pitches: tuple[int, ...],
    beat: int,
    tie_in: bool,
    tie_out: bool,
    onset: int,
) -> list[Piece]:
    values = list(note_values(offset, length, beat))
    last = len(values) - 1
    out = []
    for i, (at, value) in enumerate(values):
        sounding = bool(pitches)
        out.append(
            Piece(
                at,
                value,
                pitches,
                tie_start=sounding and (i < last or tie_out),
                tie_stop=sounding and (i > 0 or tie_in),
                onset=onset,
            )
        )
    return out


def note_values(offset: int, length: int, beat: int) -> Iterator[tuple[int, int]]:
    """(offset, value) pieces of a note: a note that starts off the beat is first cut at
    the next beat, then each piece is the longest value that fits."""
    end = offset + length
    while offset < end:
        limit = end
        if offset % beat:
            limit = min(end, (offset // beat + 1) * beat)
        room = limit - offset
        plain = offset % 30 == 0 and room % 30 == 0  # stay on the 64th-note grid
        value = next(
            (
                v
                for v in VALUES
                if v <= room and offset % _grain(v) == 0 and (not plain or v % 30 == 0)
            ),
            room,
        )
        yield offset, value
        offset += value


def _grain(value: int) -> int:
    """Where a value may start: triplets anywhere on their own grid, others on theirs."""
    if value % 3 and value not in _PLAIN:  # a triplet value (320, 160, ...)
        return value
    return 30


class Speller:
    """Note names for MIDI pitches at a given tick, from the key and the chord sounding."""

    def __init__(self, timeline: Timeline) -> None:
        self.keys = timeline.key_signatures
        self.key_ticks = [k.tick for k in self.keys]
        self.chords = timeline.chords
        self.chord_ticks = [c.tick for c in self.chords]

    def key_at(self, tick: int) -> KeySignature | None:
        i = bisect_right(self.key_ticks, tick) - 1
        return self.keys[i] if i >= 0 else None

    def chord_at(self, tick: int) -> ChordEvent | None:
        i = bisect_right(self.chord_ticks, tick) - 1
        if i >= 0 and tick < self.chords[i].tick + self.chords[i].duration:
            return self.chords[i]
        return None

    def name(self, pitch: int, tick: int) -> str:
        """Spelled name with octave, e.g. 'F#4', 'Bb2' (octave of the written letter)."""
        pc = pitch % 12
        key = self.key_at(tick)
        chord = self.chord_at(tick)
        spelled = None
        for names in (key.scale if key else (), chord.names if chord else ()):
            spelled = next((n for n in names if pitch_class(n) == pc), None)
            if spelled:
                break
        if spelled is None:
            sharps = key.sharps if key is not None else 0
            table = _PLAIN_NAMES if sharps == 0 else _FLAT_NAMES if sharps < 0 else _SHARP_NAMES
            spelled = table[pc]
        alter = spelled.count("#") - spelled.count("b")
        octave = (pitch - alter - _LETTERS[spelled[0]]) // 12 - 1
        return f"{spelled}{octave}"


def pitch_class(name: str) -> int:
    return (_LETTERS[name[0]] + name.count("#") - name.count("b")) % 12
