"""`improv adapt`: a thin command over `improv_cli.adapt`."""

from __future__ import annotations

from typing import Annotated

import typer

from improv_cli.cli import JsonOpt, QuietOpt, SeedOpt, app
from improv_cli.cli.output import reporting_errors, stderr


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
        from improv_cli.cli.output import _json

        _json(result.as_dict())
    elif not quiet:
        about = result.about
        stderr.print(
            f"wrote {', '.join(result.files)}: {about['song']} ({about['song_key']} → "
            f"{about['key']}), {result.bars} bars, {result.seconds:.0f} s, {about['harmony']}"
        )
