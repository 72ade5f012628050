"""What to send, and when: a Timeline (or a MIDI file) as a list of timed MIDI messages.

An `Event` is one channel message at its time in seconds from the start, following the
tempo map; the ticks are turned into seconds in one forward pass over the tempo changes.
The program changes come first, at time 0, on the channels `render.midi.channels()` gives
the parts (so playback and the written MIDI file agree); at one time, note-offs come before
note-ons, so a repeated note is released before it is struck again.

`Cues` is what the live view shows beside the bar number: the chord symbols, keys and loops
along the way, by time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import mido

from improv_cli.errors import RenderError
from improv_cli.render.midi import channels
from improv_cli.timeline import Timeline

DEFAULT_BPM = 120.0  # MIDI's tempo until the first tempo change
PROGRAM, OFF, ON = 0, 1, 2  # the order of messages at one time
LOOP = re.compile(r"loop (\d+)$")
CHORD = re.compile(r"[A-G][#b]?[^\s]{0,12}$")  # a text event that looks like a chord symbol


class Event(NamedTuple):
    seconds: float  # from the start of the playback
    message: mido.Message
    bar: int  # 1-based
    tick: int  # in the source's own ticks


@dataclass(frozen=True, slots=True)
class Cues:
    """What the live view shows, by time in seconds: chords, keys and loops (0: count-in)."""

    title: str
    bars: int
    seconds: float  # the length of the whole
    chords: tuple[tuple[float, str], ...] = ()
    keys: tuple[tuple[float, str], ...] = ()
    loops: tuple[tuple[float, int], ...] = ()


class TempoMap:
    """Ticks to seconds in one forward pass: ask for ticks in non-decreasing order."""

    def __init__(self, changes: Iterable[tuple[int, float]], tpq: int) -> None:
        self._changes = sorted(changes)  # (tick, seconds per tick)
        self._next = 0
        self._tick = 0
        self._seconds = 0.0
        self._per_tick = 60.0 / DEFAULT_BPM / tpq

    def seconds(self, tick: int) -> float:
        changes = self._changes
        while self._next < len(changes) and changes[self._next][0] <= tick:
            at, per_tick = changes[self._next]
            self._seconds += (at - self._tick) * self._per_tick
            self._tick, self._per_tick = at, per_tick
            self._next += 1
        return self._seconds + (tick - self._tick) * self._per_tick


def tempo_map(timeline: Timeline) -> TempoMap:
    return TempoMap(((t.tick, 60.0 / t.bpm / timeline.tpq) for t in timeline.tempos), timeline.tpq)


class _Messages:
    """mido checks every message it builds: build each distinct message once, and share it."""

    def __init__(self) -> None:
        self._made: dict[tuple[int, int, int, int], mido.Message] = {}

    def get(self, order: int, channel: int, data1: int, data2: int) -> mido.Message:
        key = (order, channel, data1, data2)
        message = self._made.get(key)
        if message is None:
            if order == PROGRAM:
                message = mido.Message("program_change", channel=channel, program=data1)
            else:
                kind = "note_on" if order == ON else "note_off"
                message = mido.Message(kind, channel=channel, note=data1, velocity=data2)
            self._made[key] = message
        return message


def schedule(timeline: Timeline) -> list[Event]:
    """Every note-on and note-off of the Timeline, at its time, after the program changes."""
    assigned = channels([p.name for p in timeline.parts])
    raw = [(0, PROGRAM, assigned[p.name], p.program, 0) for p in timeline.parts]
    for note in timeline.notes:
        channel = assigned[note.part]
        raw.append((note.start, ON, channel, note.pitch, note.velocity))
        raw.append((note.end, OFF, channel, note.pitch, 0))
    raw.sort()
    clock, made = tempo_map(timeline), _Messages()
    bar_ticks, last = timeline.bar_ticks, max(1, timeline.bars)
    return [
        Event(
            clock.seconds(tick), made.get(order, ch, d1, d2), min(tick // bar_ticks + 1, last), tick
        )
        for tick, order, ch, d1, d2 in raw
    ]


def cues(timeline: Timeline) -> Cues:
    """The Timeline's chord symbols, keys and loop markers, by time."""
    marks: list[tuple[int, int, str]] = [(c.tick, 0, c.symbol) for c in timeline.chords]
    marks += [(k.tick, 1, k.name) for k in timeline.key_signatures]
    marks += [(m.tick, 2, m.text) for m in timeline.markers]
    marks.sort()
    clock = tempo_map(timeline)
    found: tuple[list[tuple[float, str]], list[tuple[float, str]], list[tuple[float, str]]]
    found = ([], [], [])
    for tick, kind, text in marks:
        found[kind].append((clock.seconds(tick), text))
    return Cues(
        timeline.title,
        timeline.bars,
        clock.seconds(timeline.length),
        tuple(found[0]),
        tuple(found[1]),
        _loops(found[2]),
    )


def _loops(markers: list[tuple[float, str]]) -> tuple[tuple[float, int], ...]:
    loops = []
    for seconds, text in markers:
        match = LOOP.match(text)
        if match:
            loops.append((seconds, int(match[1])))
        elif text == "count-in":
            loops.append((seconds, 0))
    return tuple(loops)


def from_midi_file(path: str | Path) -> list[Event]:
    """The channel messages of a MIDI file (all tracks merged), at their times in seconds."""
    return load_midi_file(path)[0]


def load_midi_file(path: str | Path) -> tuple[list[Event], Cues]:
    """A MIDI file's channel messages and what the live view shows (text events as chords)."""
    midi = _read(Path(path))
    tpq = midi.ticks_per_beat
    tempos: list[tuple[int, float]] = []
    bars = _Bars(tpq)
    timed: list[tuple[int, int, int, mido.Message]] = []  # tick, order, file order, message
    marks: list[tuple[int, int, str]] = []
    tick = end = 0
    for index, message in enumerate(mido.merge_tracks(midi.tracks)):
        tick += message.time
        end = max(end, tick)
        if not message.is_meta:
            if message.type != "sysex" or message.data:
                timed.append((tick, _order(message), index, message.copy(time=0)))
        elif message.type == "set_tempo":
            tempos.append((tick, message.tempo / 1e6 / tpq))
        elif message.type == "time_signature":
            bars.change(tick, message.numerator, message.denominator)
        elif message.type == "key_signature":
            marks.append((tick, 1, message.key))
        elif message.type in ("text", "marker"):
            kind = 0 if message.type == "text" and CHORD.match(message.text) else 2
            marks.append((tick, kind, message.text))
    timed.sort(key=lambda t: t[:3])
    clock = TempoMap(tempos, tpq)
    events = [Event(clock.seconds(t), m, bars.at(t), t) for t, _, _, m in timed]
    clock = TempoMap(tempos, tpq)
    found: tuple[list[tuple[float, str]], list[tuple[float, str]], list[tuple[float, str]]]
    found = ([], [], [])
    for at, kind, text in sorted(marks):
        found[kind].append((clock.seconds(at), text))
    total = bars.count(end)
    events = [e._replace(bar=total) if e.bar > total else e for e in events]
    title = Path(path).stem
    about = Cues(
        title, total, clock.seconds(end), tuple(found[0]), tuple(found[1]), _loops(found[2])
    )
    return events, about


def _read(path: Path) -> mido.MidiFile:
    try:
        return mido.MidiFile(str(path))
    except FileNotFoundError:
        raise RenderError(f"{path}: no such file") from None
    except (OSError, EOFError, ValueError, KeyError, IndexError) as err:
        raise RenderError(f"{path}: not a MIDI file I can read ({err})") from None


def _order(message: mido.Message) -> int:
    if message.type == "note_on" and message.velocity > 0:
        return ON
    return OFF if message.type in ("note_on", "note_off") else PROGRAM


class _Bars:
    """Bar numbers of ticks, through the time-signature changes (given in tick order)."""

    def __init__(self, tpq: int) -> None:
        self._tpq = tpq
        self._changes: list[tuple[int, int, int]] = [(0, 0, 4 * tpq)]  # tick, first bar, length

    def change(self, tick: int, numerator: int, denominator: int) -> None:
        length = max(1, numerator * self._tpq * 4 // denominator)
        at, first, old = self._changes[-1]
        first += -(-(tick - at) // old)  # a change in mid-bar starts a new bar
        if tick == at:
            self._changes[-1] = (tick, first, length)
        else:
            self._changes.append((tick, first, length))

    def at(self, tick: int) -> int:
        """The 1-based bar that `tick` falls in."""
        for at, first, length in reversed(self._changes):
            if at <= tick:
                return first + (tick - at) // length + 1
        return 1

    def count(self, end: int) -> int:
        """How many bars a piece ending at `end` has (a started bar counts)."""
        at, first, length = self._changes[-1]
        return max(1, first + -(-(max(end, at) - at) // length))
