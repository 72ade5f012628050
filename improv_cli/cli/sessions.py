"""`improv session`: a thin command over `improv_cli.session`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from improv_cli.cli import JsonOpt, QuietOpt, app
from improv_cli.cli.output import reporting_errors, stderr


@app.command()
def session(
    plan: Annotated[
        str | None,
        typer.Argument(
            help="A session plan (YAML): segments of frameworks and journeys, transitions, "
            "safety. With --replay: where the plan is now, if it moved.",
            show_default=False,
            metavar="PLAN",
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="The session folder: new, empty, or holding a previous session only.",
            show_default="./PLAN-session",
        ),
    ] = None,
    replay: Annotated[
        str | None,
        typer.Option(
            "--replay",
            help="Render again from DIR/manifest.json; refuse if the plan or an input changed.",
        ),
    ] = None,
    wav: Annotated[
        bool, typer.Option("--wav", help="Also write session.wav (slow: it is synthesised).")
    ] = False,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", help="Base seed: segment n (from 0) plays seed + n (default: the plan's)."
        ),
    ] = None,
    json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Render a session plan: the session's MIDI, one file per segment, a card, a manifest."""
    from improv_cli import session as sessions

    if replay is None and plan is None:
        raise typer.BadParameter("give a PLAN, or --replay DIR/manifest.json", param_hint="PLAN")
    if replay is not None and (out is None or wav or seed is not None):
        raise typer.BadParameter(
            "a replay takes -o DIR and plays the manifest's seed and outputs", param_hint="--replay"
        )
    with reporting_errors():
        if replay is not None and out is not None:
            result = sessions.replay(replay, out, plan)
        elif plan is not None:
            result = sessions.session(plan, out, wav, seed)
    if json:
        from improv_cli.cli.output import _json

        _json(result.as_dict())
        return
    if quiet:
        return
    for warning in result.warnings:
        stderr.print(f"warning: {escape(warning)}", soft_wrap=True)
    pieces = len(result.segments)
    minutes, rest = divmod(round(result.seconds), 60)
    how = "replayed into" if result.replayed else "wrote"
    stderr.print(
        f"{how} {escape(result.folder)}/: {len(result.files)} files, {pieces} pieces, "
        f"{result.bars} bars, {minutes}:{rest:02d}"
        + (" (every output matches the manifest's sha256)" if result.replayed else ""),
        soft_wrap=True,
    )
