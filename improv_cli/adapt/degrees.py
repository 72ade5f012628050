"""A song's melody as scale degrees: each note by its spelling, counted from the song's
tonic in the song's own scale, so the same degrees sound in any seven-note mode.

A note of the song's scale becomes that degree of the target mode: the F natural of an A
minor song is F# in A dorian. A chromatic note keeps its interval above the tonic: the G#
leading note of A minor stays G# in A dorian, the B flat of a C major song stays B flat in
C mixolydian. Rendering in the song's own key gives back every pitch exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

from improv_cli.engine.song import SongBar, SongNote
from improv_cli.errors import Pos
from improv_cli.model.framework import Degree, Key, MelodyEvent

LETTERS = "CDEFGAB"
MELODY_OCTAVE = 4  # degree 1 sits in this octave (C4 = 60) when the melody is re-spelled
NO_POS = Pos("song", 0, 0)


def step_and_alter(key: Key, letter: str, pitch: int) -> tuple[int, int]:
    """The scale step (0-6) a note spelled with `letter` stands on in `key`, and how far
    (in semitones, -6..5) its pitch lies from that step of the scale."""
    index = (LETTERS.index(letter) - LETTERS.index(key.tonic[0])) % 7
    scale_pc = (key.tonic_pc + key.intervals[index]) % 12
    return index, (pitch - scale_pc + 6) % 12 - 6


def spelled_degree(key: Key, note: SongNote) -> Degree:
    """The degree of `note` in `key` (a seven-note mode), with the alteration and octave
    that give back its pitch in that key with the melody in MELODY_OCTAVE."""
    index, alter = step_and_alter(key, note.step, note.pitch)
    base = key.tonic_pc + 12 * (MELODY_OCTAVE + 1) + key.intervals[index] + alter
    octave, rest = divmod(note.pitch - base, 12)
    assert rest == 0, (note, key)
    return Degree(index + 1, alter, octave)


def coloured(degree: Degree, song_key: Key, key: Key) -> Degree:
    """The degree to play in `key`: a note of the song's scale as that degree of the mode;
    a chromatic note (a blue seventh, a raised leading note) keeps its interval above the
    tonic, so a flat seventh in a major song is the seventh of mixolydian, not a sixth."""
    if degree.alter == 0:
        return degree
    index = degree.degree - 1
    alter = song_key.intervals[index] + degree.alter - key.intervals[index]
    return Degree(degree.degree, alter, degree.octave)


def melody_bars(
    notes: Sequence[SongNote], bars: Sequence[SongBar], song_key: Key, key: Key | None = None
) -> list[tuple[MelodyEvent, ...]]:
    """Each bar's melody events in `key` (default: the song's), filling the bar exactly:
    rests in the gaps, a note that crosses a bar line split there and tied over."""
    target = key or song_key
    out = []
    for bar in bars:
        end = bar.start + bar.ticks
        events: list[MelodyEvent] = []
        at = bar.start
        for note in notes:
            if note.start + note.duration <= bar.start or note.start >= end:
                continue
            begin, finish = max(note.start, bar.start), min(note.start + note.duration, end)
            if begin > at:
                events.append(MelodyEvent(None, begin - at, NO_POS))
            degree = coloured(spelled_degree(song_key, note), song_key, target)
            events.append(MelodyEvent(degree, finish - begin, NO_POS, tied=note.start < bar.start))
            at = finish
        if at < end:
            events.append(MelodyEvent(None, end - at, NO_POS))
        out.append(tuple(events))
    return out


def degree_index(degree: Degree) -> int:
    """0-6: the step of the scale a degree names, octave aside."""
    return (degree.degree - 1) % 7
