"""Decode a MIDI file into what a musician checks: notes with absolute times, meta events."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import mido


@dataclass(frozen=True)
class DecodedNote:
    start: int
    end: int
    pitch: int
    velocity: int
    channel: int


@dataclass
class DecodedTrack:
    name: str
    end: int = 0
    notes: list[DecodedNote] = field(default_factory=list)
    meta: list[tuple[int, mido.MetaMessage]] = field(default_factory=list)
    programs: list[tuple[int, int, int]] = field(default_factory=list)  # tick, channel, program
    unmatched_offs: int = 0
    hanging: int = 0


def decode(source: Path | mido.MidiFile) -> list[DecodedTrack]:
    midi = source if isinstance(source, mido.MidiFile) else mido.MidiFile(str(source))
    tracks = []
    for track in midi.tracks:
        decoded = DecodedTrack(track.name)
        now = 0
        sounding: dict[tuple[int, int], tuple[int, int]] = {}
        for msg in track:
            now += msg.time
            if msg.is_meta:
                decoded.meta.append((now, msg))
            elif msg.type == "program_change":
                decoded.programs.append((now, msg.channel, msg.program))
            elif msg.type == "note_on" and msg.velocity > 0:
                key = (msg.channel, msg.note)
                assert key not in sounding, f"{track.name}: {key} struck again at {now}"
                sounding[key] = (now, msg.velocity)
            elif msg.type in ("note_off", "note_on"):
                key = (msg.channel, msg.note)
                if key not in sounding:
                    decoded.unmatched_offs += 1
                    continue
                start, velocity = sounding.pop(key)
                decoded.notes.append(DecodedNote(start, now, msg.note, velocity, msg.channel))
        decoded.end = now
        decoded.hanging = len(sounding)
        tracks.append(decoded)
    return tracks


def by_name(tracks: list[DecodedTrack]) -> dict[str, DecodedTrack]:
    return {t.name: t for t in tracks}


def metas(track: DecodedTrack, kind: str) -> list[tuple[int, mido.MetaMessage]]:
    return [(tick, m) for tick, m in track.meta if m.type == kind]
