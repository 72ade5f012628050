"""`improv respond`: a therapist's part answering a client's recorded phrase.

    client.py     the recording read forgivingly; tempo and phrases estimated
    context.py    the framework's mode and metre, a seeded generator, pitch tools
    echo.py       mirror, imitate, copy, match, reflect, exaggerate (the client's own music)
    structure.py  ground, hold, contain, dialogue, accompany (a frame around it)

The therapist's part is written at the client's tempo, on channel 2; with the client's part
(channel 1, as analysis tools expect) unless asked for alone.
"""

from __future__ import annotations

from collections.abc import Sequence
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


# Each technique's settings (`improv respond --param NAME=VALUE`): name -> (type, what it does)
PARAMS: dict[str, dict[str, tuple[type, str]]] = {
    "mirror": {"octave": (int, "octaves the answer moves (default 0)")},
    "imitate": {
        "octave": (int, "octaves the answer moves (default 0)"),
        "steps": (int, "notes of the mode it moves up (or down, negative; default 0)"),
    },
    "exaggerate": {"factor": (float, "how much the feature is enlarged (default 1.5)")},
    "contain": {"step_down": (bool, "softer and sparser bar by bar (default true)")},
}
TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def answer(
    client: Client,
    framework: Any,
    technique: str,
    seed: int = 0,
    params: dict[str, Any] | None = None,
) -> list[Note]:
    """The therapist's notes for `technique` (tidied: no pitch overlaps itself)."""
    return tidy(technique_named(technique)(client, Context(framework, seed, dict(params or {}))))


def technique_params(technique: str, given: Sequence[str]) -> dict[str, Any]:
    """`NAME=VALUE` settings read for `technique`, each checked against PARAMS."""
    known = PARAMS.get(technique, {})
    out: dict[str, Any] = {}
    for item in given:
        name, equals, text = item.partition("=")
        name = name.strip()
        if not equals or name not in known:
            names = ", ".join(f"{k} ({v[1]})" for k, v in known.items()) or "none"
            raise OptionError(
                f"--param: {technique} has no setting '{item}'", f"its settings: {names}"
            )
        out[name] = _param_value(technique, name, known[name][0], text.strip())
    return out


def _param_value(technique: str, name: str, kind: type, text: str) -> Any:
    if kind is bool:
        if text.lower() in TRUE + FALSE:
            return text.lower() in TRUE
        raise OptionError(f"--param: {technique} {name}='{text}' is not true or false")
    try:
        value = kind(text)
    except ValueError:
        raise OptionError(
            f"--param: {technique} {name}='{text}' is not a {kind.__name__}"
        ) from None
    if name == "factor" and not 0 < value <= 4:
        raise OptionError(f"--param: exaggerate factor={text}", "a factor above 0, up to 4")
    if name == "octave" and not -3 <= value <= 3:
        raise OptionError(f"--param: {technique} octave={text}", "from -3 to 3 octaves")
    return value


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
    params: Sequence[str] = (),
) -> Response:
    """Write the therapist's answer to a client's recording as a MIDI file (`params`:
    the technique's NAME=VALUE settings, see PARAMS)."""
    from improv_cli.api import check_target, write_files
    from improv_cli.model.loader import load_framework
    from improv_cli.render.midi import midi_bytes

    technique_named(technique)  # an unknown name fails before any work
    settings = technique_params(technique, params)
    framework = load_framework(framework_ref)
    target = out or f"{Path(client_path).stem}-{technique}.mid"
    check_target(target)
    client = read_client(client_path, channel, track)
    chosen = framework.seed if seed is None else seed
    therapist = answer(client, framework, technique, chosen, settings)
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
