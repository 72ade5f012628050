"""`improv adapt` and `improv journey`: thin commands over `improv_cli.adapt` and
`improv_cli.journey`."""

from __future__ import annotations

import enum
import sys
from typing import Annotated

import typer

from improv_cli.cli import JsonOpt, QuietOpt, SeedOpt, app
from improv_cli.cli.output import _json, reporting_errors, stderr


@app.command()
def adapt(
    song: Annotated[
        str,
        typer.Argument(
            help="A song: a MusicXML, MIDI, ABC or Humdrum file, or corpus:NAME from music21's "
            "corpus (corpus:bach/bwv66.6)."
        ),
    ],
    framework: Annotated[
        str, typer.Option("--framework", "-F", help="The framework to play the song in.")
    ],
    mode: Annotated[
        str | None, typer.Option("--mode", help="Re-colour: the same tonic, another mode.")
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", help='Move the song, e.g. "E dorian".')
    ] = None,
    groove: Annotated[
        str | None, typer.Option("--groove", help="A library groove in the song's metre.")
    ] = None,
    tempo: Annotated[
        float | None, typer.Option("--tempo", help="The tempo (default: the framework's).")
    ] = None,
    expression: Annotated[
        str | None,
        typer.Option("--expression", help="A YAML file of expression spans, in the song's bars."),
    ] = None,
    melody_part: Annotated[
        str | None,
        typer.Option(
            "--melody-part", help="The part with the tune: a name or a number (1 = first)."
        ),
    ] = None,
    bars: Annotated[
        str | None, typer.Option("--bars", help="Only these bars of the song, e.g. 1-8.")
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file; '-' for standard output.",
            show_default="./SONG-FRAMEWORK.mid",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="midi, wav, musicxml, svg, pdf or png (default: from -o)."
        ),
    ] = None,
    seed: SeedOpt = None,
    json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Play a pre-composed song inside a framework: its groove, parts and expression."""
    from improv_cli import api

    with reporting_errors():
        options = api.adaptation(song, melody_part, bars, mode, key, groove, tempo, expression)
        result = api.adapt(framework, options, out, fmt, seed)
    if json and result.output != "-":
        _json(result.as_dict())
    elif not quiet:
        about = result.about
        stderr.print(
            f"wrote {', '.join(result.files)}: {about['song']} ({about['song_key']} → "
            f"{about['key']}), {result.bars} bars, {result.seconds:.0f} s, {about['harmony']}"
        )


class Shape(enum.StrEnum):
    linear = "linear"
    exp = "exp"
    s_curve = "s-curve"
    steps = "steps"


@app.command()
def journey(
    start: Annotated[
        float | None, typer.Option("--from", help="The start tempo: the client's, bpm.")
    ] = None,
    target: Annotated[float, typer.Option("--to", help="The target tempo, bpm.")] = 72.0,
    minutes: Annotated[float, typer.Option("--minutes", help="How long, in minutes.")] = 8.0,
    framework: Annotated[
        str, typer.Option("--framework", "-F", help="The framework that travels.")
    ] = "holding/dorian-vamp",
    shape: Annotated[
        Shape, typer.Option("--shape", help="How the tempo moves: linear, exp, s-curve, steps.")
    ] = Shape.linear,
    max_step: Annotated[
        float, typer.Option("--max-step", help="Per cent the tempo may move in a phrase.")
    ] = 8.0,
    hold_start: Annotated[
        int, typer.Option("--hold-start", help="Bars at the start tempo (the match).")
    ] = 4,
    hold_end: Annotated[
        int, typer.Option("--hold-end", help="Bars at the target (the arrival).")
    ] = 4,
    phrase: Annotated[int, typer.Option("--phrase", help="Bars a phrase (a step).")] = 4,
    also: Annotated[
        str | None,
        typer.Option(
            "--also", help="Parameters that travel too: velocity:96->56,density:high->low."
        ),
    ] = None,
    recording: Annotated[
        str | None,
        typer.Option("--from-recording", help="Take the start tempo from a client's MIDI file."),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file (.mid or .wav); '-' for standard output.",
            show_default="./journey-FROM-TO.mid",
        ),
    ] = None,
    json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """An iso-principle journey: meet the start tempo, move to the target, arrive."""
    from improv_cli import api

    with reporting_errors():
        result = api.journey(
            framework, start, target, minutes, shape.value, max_step, hold_start, hold_end,
            phrase, also, recording, out,
        )  # fmt: skip
    if result.extended:
        print(f"warning: {result.extended}", file=sys.stderr)
    if json and result.output != "-":
        _json(result.as_dict())
    elif not quiet:
        stderr.print(
            f"wrote {result.output}: {result.start:g} → {result.target:g} bpm, {result.bars} bars, "
            f"{result.seconds / 60:.1f} minutes"
        )
