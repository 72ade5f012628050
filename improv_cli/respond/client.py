"""A client's recording read as notes, with its tempo and phrases estimated.

Reading is forgiving, as real recordings are messy: overlapping notes of one pitch (a new
strike ends the sounding one), a sustain pedal (CC 64 at 64 or more holds every note-off
until the pedal lifts), several channels (the client is, by default, the channel other than
the drum channel with the most notes), no tempo map (MIDI's default of 120 bpm), long
silences, notes never released (they last to the end of the file). Times are read in
seconds, then laid on a grid of 480 ticks a beat at the estimated tempo, so the therapist's
part is written at that tempo with nothing moved.

Tempo: the inter-onset intervals (onsets within 40 ms count as one) between 0.1 s and 2 s;
the commonest of them (to 10 ms; a tie goes to the longer), doubled or halved into
0.4-1.2 s (50-150 bpm), is the beat. Phrases: a new
phrase begins after a silence of at least max(0.6 s, 1.5 beats) since every note ended.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from improv_cli.errors import RenderError
from improv_cli.model.tables import TPQ

CHORD_WINDOW = 0.04  # seconds: onsets this close are struck together
DRUM_CHANNEL = 9
UNRELEASED = 0.5  # seconds a never-released note lasts when the file ends as it starts


@dataclass(frozen=True, slots=True)
class ClientNote:
    start: int  # ticks at the client's tempo
    duration: int
    pitch: int
    velocity: int

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class Client:
    """The client's playing: notes in ticks (480 a beat) at `tempo`, and its phrases."""

    notes: tuple[ClientNote, ...]  # sorted by (start, pitch)
    tempo: float  # bpm, estimated
    phrases: tuple[tuple[int, int], ...]  # (first note index, last index + 1)
    channel: int = 0  # 0-based, as read
    source: str = ""

    @property
    def beat(self) -> int:
        return TPQ

    def phrase_notes(self, index: int) -> tuple[ClientNote, ...]:
        first, last = self.phrases[index]
        return self.notes[first:last]

    def span(self, index: int) -> tuple[int, int]:
        """Where phrase `index` starts and where its last note ends, in ticks."""
        notes = self.phrase_notes(index)
        return notes[0].start, max(n.end for n in notes)

    @property
    def end(self) -> int:
        return max((n.end for n in self.notes), default=0)


Timed = tuple[float, float, int, int]  # start s, end s, pitch, velocity


def read_client(path: str | Path, channel: int | None = None, track: int | None = None) -> Client:
    """The client's notes from a MIDI file (channel and track 1-based, as users count)."""
    name = str(path)
    by_channel = read_recording(name, track)
    if not by_channel:
        raise RenderError(f"{name}: no notes to respond to", "record the client's playing first")
    if channel is None:
        candidates = {c: n for c, n in by_channel.items() if c != DRUM_CHANNEL} or by_channel
        chosen = max(candidates, key=lambda c: (len(candidates[c]), -c))
    else:
        chosen = channel - 1
        if chosen not in by_channel:
            found = ", ".join(str(c + 1) for c in sorted(by_channel))
            raise RenderError(
                f"--channel: no notes on channel {channel} in {name}", f"channels: {found}"
            )
    timed = sorted(by_channel[chosen])
    return client_from_seconds(timed, chosen, name)


def client_from_seconds(timed: list[Timed], channel: int = 0, source: str = "") -> Client:
    """A Client from notes in seconds: the tempo estimated, the notes laid on its grid."""
    tempo = estimate_tempo([t[0] for t in timed])
    per_second = tempo / 60 * TPQ
    laid = [
        ClientNote(round(s * per_second), max(1, round((e - s) * per_second)), pitch, velocity)
        for s, e, pitch, velocity in timed
    ]
    notes = tuple(sorted(laid, key=lambda n: (n.start, n.pitch)))
    return Client(notes, tempo, phrases(notes, tempo), channel, source)


def read_recording(
    path: str | Path, track: int | None = None, what: str = "the client's recording"
) -> dict[int, list[Timed]]:
    """Every channel's notes in seconds (0-based channel -> notes), read forgivingly."""
    import mido

    name = str(path)
    try:
        midi = mido.MidiFile(name)
    except FileNotFoundError:
        raise RenderError(f"{name}: no such file", f"give {what}, a .mid") from None
    except (OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise RenderError(
            f"{name}: not a readable MIDI file ({exc})", "export the recording as a .mid"
        ) from None
    if track is not None and not 1 <= track <= len(midi.tracks):
        raise RenderError(f"--track: {name} has {len(midi.tracks)} tracks, not {track}")
    return _notes(midi, track)


def _notes(midi: object, track: int | None) -> dict[int, list[Timed]]:
    import mido

    assert isinstance(midi, mido.MidiFile)
    tracks = [midi.tracks[track - 1]] if track is not None else midi.tracks
    merged = mido.merge_tracks(tracks)
    tempo = 500_000
    now = 0.0
    sounding: dict[tuple[int, int], tuple[float, int]] = {}
    held: dict[int, list[tuple[float, int, int]]] = {}  # channel -> released under the pedal
    pedal: dict[int, bool] = {}
    out: dict[int, list[Timed]] = {}

    def finish(channel: int, pitch: int, at: float) -> None:
        start, velocity = sounding.pop((channel, pitch))
        if at > start:
            out.setdefault(channel, []).append((start, at, pitch, velocity))

    for msg in merged:
        now += mido.tick2second(msg.time, midi.ticks_per_beat, tempo)
        if msg.type == "set_tempo":
            tempo = msg.tempo
        elif msg.type == "note_on" and msg.velocity > 0:
            key = (msg.channel, msg.note)
            if key in sounding:
                finish(msg.channel, msg.note, now)  # struck again: the old one ends
            sounding[key] = (now, msg.velocity)
        elif msg.type in ("note_off", "note_on"):
            if (msg.channel, msg.note) not in sounding:
                continue
            if pedal.get(msg.channel):
                held.setdefault(msg.channel, []).append((now, msg.note, msg.channel))
            else:
                finish(msg.channel, msg.note, now)
        elif msg.type == "control_change" and msg.control == 64:
            down = msg.value >= 64
            if pedal.get(msg.channel) and not down:
                for _, pitch, ch in held.pop(msg.channel, []):
                    if (ch, pitch) in sounding:
                        finish(ch, pitch, now)
            pedal[msg.channel] = down
    for channel, pitch in list(sounding):  # never released: they end with the file, or
        finish(channel, pitch, max(now, sounding[(channel, pitch)][0] + UNRELEASED))
    return out


def estimate_tempo(onsets: list[float], default: float = 90.0) -> float:
    """The beat from the commonest inter-onset interval, folded into 50-150 bpm."""
    starts: list[float] = []
    for t in sorted(onsets):
        if not starts or t - starts[-1] > CHORD_WINDOW:
            starts.append(t)
    gaps = [b - a for a, b in pairwise(starts) if 0.1 <= b - a <= 2.0]
    if not gaps:
        return default
    counts = Counter(round(g, 2) for g in gaps)
    beat = max(counts, key=lambda g: (counts[g], g))  # the commonest; a tie to the longer
    while beat < 0.4:
        beat *= 2
    while beat > 1.2:
        beat /= 2
    return round(60 / beat, 1)


def phrases(notes: tuple[ClientNote, ...], tempo: float) -> tuple[tuple[int, int], ...]:
    """Phrases: a silence of at least max(0.6 s, 1.5 beats) after every note ended."""
    if not notes:
        return ()
    gap = max(round(0.6 * tempo / 60 * TPQ), round(1.5 * TPQ))
    out = []
    first, end = 0, notes[0].end
    for i, note in enumerate(notes[1:], start=1):
        if note.start - end >= gap:
            out.append((first, i))
            first = i
        end = max(end, note.end)
    out.append((first, len(notes)))
    return tuple(out)
