"""`improv respond`: a therapist's part answering a client's recorded phrase.

    client.py     the recording read forgivingly; tempo and phrases estimated
    context.py    the framework's mode and metre, a seeded generator, pitch tools
    echo.py       mirror, imitate, copy, match, reflect, exaggerate (the client's own music)
    structure.py  ground, hold, contain, dialogue, accompany (a frame around it)

The therapist's part is written at the client's tempo, on channel 2; with the client's part
(channel 1, as analysis tools expect) unless asked for alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from pathlib import Path
from typing import Any

from improv_cli.errors import OptionError
from improv_cli.respond.client import Client, read_client
from improv_cli.respond.context import THERAPIST, Context, Technique, tidy
from improv_cli.timeline import KeySignature, Note, Part, TempoChange, Timeline, TimeSignature

CLIENT = "client"


def techniques() -> dict[str, Technique]:
    """Every technique by its name, in the order the docs give them."""
    from improv_cli.respond import echo, structure

    return {**echo.TECHNIQUES, **structure.TECHNIQUES}


@dataclass(frozen=True, slots=True)
class Response:
    output: str
    technique: str
    client_notes: int
    therapist_notes: int
    tempo: float
    phrases: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "technique": self.technique,
            "client_notes": self.client_notes,
            "therapist_notes": self.therapist_notes,
            "tempo": self.tempo,
            "phrases": self.phrases,
            "seconds": round(self.seconds, 3),
        }


def answer(client: Client, framework: Any, technique: str, seed: int = 0) -> list[Note]:
    """The therapist's notes for `technique` (tidied: no pitch overlaps itself)."""
    return tidy(technique_named(technique)(client, Context(framework, seed)))


def technique_named(name: str) -> Technique:
    table = techniques()
    if name not in table:
        raise OptionError(
            f"--technique: unknown technique '{name}'", "techniques: " + ", ".join(table)
        )
    return table[name]


def response_timeline(
    client: Client, therapist: list[Note], framework: Any, alone: bool = False
) -> Timeline:
    """Client (channel 1) and therapist (channel 2) as one Timeline at the client's tempo."""
    from improv_cli.engine.theory import key_signature, scale_names

    meter = framework.meter
    theirs = (
        []
        if alone
        else [Note(CLIENT, n.start, n.duration, n.pitch, n.velocity) for n in client.notes]
    )
    notes = sorted([*theirs, *therapist], key=lambda n: (n.start, n.part, n.pitch))
    end = max((n.end for n in notes), default=meter.bar_ticks)
    bars = max(1, ceil(end / meter.bar_ticks))
    program = next((p.program for p in framework.parts if p.name == "comp"), 0)
    parts = [] if alone else [Part(CLIENT, "client", 0)]
    parts.append(Part(THERAPIST, "therapist", program))
    sharps, minor = key_signature(framework.key)
    return Timeline(
        title=f"{framework.title}: response",
        bars=bars,
        bar_ticks=meter.bar_ticks,
        parts=tuple(parts),
        notes=tuple(notes),
        tempos=(TempoChange(0, client.tempo),),
        time_signatures=(TimeSignature(0, meter.numerator, meter.denominator),),
        key_signatures=(
            KeySignature(0, sharps, minor, str(framework.key), scale_names(framework.key)),
        ),
    )


def respond(
    client_path: str,
    framework_ref: str,
    technique: str,
    out: str | None = None,
    seed: int | None = None,
    alone: bool = False,
    channel: int | None = None,
    track: int | None = None,
) -> Response:
    """Write the therapist's answer to a client's recording as a MIDI file."""
    from improv_cli.api import check_target, write_files
    from improv_cli.model.loader import load_framework
    from improv_cli.render.midi import midi_bytes

    technique_named(technique)  # an unknown name fails before any work
    framework = load_framework(framework_ref)
    target = out or f"{Path(client_path).stem}-{technique}.mid"
    check_target(target)
    client = read_client(client_path, channel, track)
    therapist = answer(client, framework, technique, framework.seed if seed is None else seed)
    timeline = response_timeline(client, therapist, framework, alone)
    files = write_files([midi_bytes(timeline)], target)
    return Response(
        files[0],
        technique,
        len(client.notes),
        len(therapist),
        client.tempo,
        len(client.phrases),
        timeline.seconds(),
    )
