"""Timeline -> Standard MIDI File (type 1, 480 ticks per quarter), written with mido.

Track 0 is the conductor (tempo, time and key signatures, section markers, chord symbols as
text events); then one track per part, named as the part, with a program change at tick 0.
Drums use channel 10 (index 9); the other parts take channels 1, 2, 3 ... skipping 10.
Every track ends exactly at the end of the last bar. Cost is linear in the number of events
(plus one sort).
"""

from __future__ import annotations

import io

import mido

from improv_cli.timeline import Timeline

DRUM_CHANNEL = 9
_MAJOR_KEYS = ("Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#")
_MINOR_KEYS = (
    "Abm",
    "Ebm",
    "Bbm",
    "Fm",
    "Cm",
    "Gm",
    "Dm",
    "Am",
    "Em",
    "Bm",
    "F#m",
    "C#m",
    "G#m",
    "D#m",
    "A#m",
)

# An event waiting to be written: (tick, order at that tick, message factory arguments).
# Note messages are built once, with their delta time, when the track is assembled:
# mido checks every message it builds, and building then copying doubled the cost.
Event = tuple[int, int, str, int, int, int]  # tick, order, type, channel, data1, data2
Meta = tuple[int, int, mido.MetaMessage]

NOTE_OFF, NOTE_ON = 1, 2  # at one tick, note-offs come before note-ons


def channels(part_names: list[str]) -> dict[str, int]:
    """Drums on channel index 9; the others on 0, 1, 2 ... skipping 9, in part order."""
    free = (c for c in range(16) if c != DRUM_CHANNEL)
    return {name: DRUM_CHANNEL if name == "drums" else next(free) for name in part_names}


def to_midifile(timeline: Timeline) -> mido.MidiFile:
    midi = mido.MidiFile(type=1, ticks_per_beat=timeline.tpq)
    midi.tracks.append(_track(_conductor(timeline), [], timeline.length))
    assigned = channels([p.name for p in timeline.parts])
    by_part: dict[str, list[Event]] = {p.name: [] for p in timeline.parts}
    for note in timeline.notes:
        channel = assigned[note.part]
        events = by_part[note.part]
        events.append((note.start, NOTE_ON, "note_on", channel, note.pitch, note.velocity))
        events.append((note.end, NOTE_OFF, "note_off", channel, note.pitch, 0))
    for part in timeline.parts:
        head: list[Meta] = [(0, 0, mido.MetaMessage("track_name", name=part.name))]
        program: Event = (0, 0, "program_change", assigned[part.name], part.program, 0)
        midi.tracks.append(_track(head, [program, *by_part[part.name]], timeline.length))
    return midi


def _conductor(timeline: Timeline) -> list[Meta]:
    events: list[Meta] = [(0, 0, mido.MetaMessage("track_name", name=timeline.title))]
    for ts in timeline.time_signatures:
        events.append(
            (
                ts.tick,
                1,
                mido.MetaMessage(
                    "time_signature", numerator=ts.numerator, denominator=ts.denominator
                ),
            )
        )
    for ks in timeline.key_signatures:
        names = _MINOR_KEYS if ks.minor else _MAJOR_KEYS
        events.append((ks.tick, 2, mido.MetaMessage("key_signature", key=names[ks.sharps + 7])))
    for tempo in timeline.tempos:
        events.append((tempo.tick, 3, mido.MetaMessage("set_tempo", tempo=_usec(tempo.bpm))))
    for marker in timeline.markers:
        events.append((marker.tick, 4, mido.MetaMessage("marker", text=marker.text)))
    for chord in timeline.chords:
        events.append((chord.tick, 5, mido.MetaMessage("text", text=chord.symbol)))
    return events


def _usec(bpm: float) -> int:
    return max(1, min(0xFFFFFF, round(60_000_000 / bpm)))


def _track(metas: list[Meta], events: list[Event], end: int) -> mido.MidiTrack:
    """One track: meta events first at each tick, then channel events, then end of track."""
    order = [(m[0], 0, m[1], i) for i, m in enumerate(metas)]
    order.extend((e[0], 1, e[1], i) for i, e in enumerate(events))
    order.sort()
    track = mido.MidiTrack()
    now = 0
    for tick, is_channel, _, index in order:
        delta = tick - now
        now = tick
        if not is_channel:
            track.append(metas[index][2].copy(time=delta))
            continue
        _, _, kind, channel, data1, data2 = events[index]
        if kind == "program_change":
            track.append(mido.Message(kind, channel=channel, program=data1, time=delta))
        else:
            track.append(
                mido.Message(kind, channel=channel, note=data1, velocity=data2, time=delta)
            )
    track.append(mido.MetaMessage("end_of_track", time=end - now))
    return track


def midi_bytes(timeline: Timeline) -> bytes:
    buffer = io.BytesIO()
    to_midifile(timeline).save(file=buffer)
    return buffer.getvalue()
