"""Printing an analysis: rich tables for people, JSON and CSV for scripts."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from rich import box
from rich.markup import escape
from rich.table import Table

from improv_cli.cli.output import _clock, _json, stdout

if TYPE_CHECKING:
    from improv_cli.analysis import Analysis
    from improv_cli.analysis.session import Session

UNITS = {  # how each whole-file value is shown: label, decimals
    "density": ("density (notes/s)", 2),
    "duration": ("perceived duration (0-1)", 2),
    "pitch": ("mean pitch (MIDI)", 1),
    "spread": ("pitch spread (semitones)", 1),
    "velocity": ("mean velocity", 1),
    "articulation": ("articulation (0 legato-1 staccato)", 2),
    "silence": ("long-pause share", 2),
    "pulse_clarity": ("pulse clarity", 2),
    "tempo": ("pulse tempo (bpm)", 1),
    "tonal_clarity": ("tonal clarity", 2),
    "majorness": ("majorness", 2),
    "minorness": ("minorness", 2),
    "dissonance": ("sensory dissonance", 3),
}
BETWEEN_UNITS = {
    "sync": ("pulse synchrony", 2),
    "syntempo": ("shared tempo (bpm)", 1),
    "overlap": ("overlap (both sounding)", 2),
    "coincidence": ("onsets together (50 ms)", 2),
}
COMPARED = (  # (role or "between", feature, heading)
    ("client", "density", "n/s"),
    ("client", "velocity", "vel"),
    ("client", "pitch", "pitch"),
    ("client", "pulse_clarity", "pulse"),
    ("client", "tempo", "bpm"),
    ("client", "tonal_clarity", "tonal"),
    ("client", "silence", "pause"),
    ("between", "sync", "sync"),
    ("between", "overlap", "ovl"),
)


def analysed(result: Analysis, *, as_json: bool, as_csv: bool) -> None:
    from improv_cli.analysis import NOT_A_RATING
    from improv_cli.analysis.report import csv_text

    if as_json:
        _json(result.as_dict())
        return
    if as_csv:
        print(csv_text(result.sessions), end="")
        return
    if len(result.sessions) == 1:
        _one(result.sessions[0])
    else:
        stdout.print(_compared(result.sessions))
    stdout.print(f"[dim]{NOT_A_RATING}[/dim]")
    if result.plot:
        stdout.print(f"plot: {escape(result.plot)}")


def _value(value: float, places: int) -> str:
    return "–" if math.isnan(value) else f"{value:.{places}f}"


def _one(session: Session) -> None:
    stdout.print(
        f"[bold]{escape(session.source)}[/bold]: {_clock(session.length)}, "
        f"window {session.window:g} s every {session.hop:g} s ({session.align})"
    )
    players = session.players
    table = Table("feature", *(f"{p.role} (ch {p.channel})" for p in players))
    table.add_row("notes", *(str(len(p.notes)) for p in players))
    table.add_row("key (best correlation)", *(p.key or "–" for p in players))
    for name, (label, places) in UNITS.items():
        table.add_row(label, *(_value(p.whole[name], places) for p in players))
    stdout.print(table)
    indicators = Table("indicator (not a rating)", *(p.role for p in players))
    for field in asdict(players[0].variability):
        row = (_value(getattr(p.variability, field), 2) for p in players)
        indicators.add_row(f"variability: {field.replace('_', ' ')}", *row)
    for field in asdict(players[0].tension):
        row = (_value(getattr(p.tension, field), 2) for p in players)
        indicators.add_row(f"tension: {field}", *row)
    stdout.print(indicators)
    if session.between is not None:
        stdout.print(_between(session))


def _between(session: Session) -> Table:
    assert session.between is not None
    table = Table("between the players", "value", "client leads", "client follows", "together")
    for name, (label, places) in BETWEEN_UNITS.items():
        table.add_row(label, _value(session.between.whole[name], places), "", "", "")
    for name, lead in session.between.lead_follow.items():
        cells = (_value(v, 2) for v in (lead.initiate, lead.imitate, lead.integrate))
        table.add_row(f"{name}: lag {lead.lag:+g} s", "", *cells)
    autonomy = session.between.autonomy
    cells = (
        _value(v, 2) for v in (autonomy.client_leads, autonomy.client_follows, autonomy.together)
    )
    table.add_row("all three", "", *cells)
    return table


def _compared(sessions: list[Session]) -> Table:
    table = Table(
        "session",
        "time",
        *(heading for _, _, heading in COMPARED),
        title="the client's playing, and between the players",
        caption="n/s notes a second, vel velocity, pulse clarity and bpm, tonal clarity, "
        "pause long-pause share, sync pulse synchrony, ovl overlap",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for session in sessions:
        cells = [_compared_value(session, where, name) for where, name, _ in COMPARED]
        table.add_row(escape(Path(session.source).stem), _clock(session.length), *cells)
    return table


def _compared_value(session: Session, where: str, name: str) -> str:
    places = (BETWEEN_UNITS if where == "between" else UNITS)[name][1]
    if where == "between":
        return _value(session.between.whole[name], places) if session.between else "–"
    player = next((p for p in session.players if p.role == where), None)
    return _value(player.whole[name], places) if player else "–"
