"""A session analysis as data: JSON-ready dictionaries and CSV rows of the frame series."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from improv_cli.analysis.session import FEATURES, Player, Session

PLACES = 4  # decimals kept in JSON and CSV: far below what any feature can resolve


def number(value: float) -> float | None:
    """A value for JSON and CSV: rounded, and None (null, an empty cell) when undefined."""
    return None if value is None or math.isnan(value) else round(float(value), PLACES)


def numbers(values: dict[str, float]) -> dict[str, float | None]:
    return {name: number(value) for name, value in values.items()}


def player_dict(player: Player) -> dict[str, Any]:
    return {
        "role": player.role,
        "channel": player.channel,
        "notes": len(player.notes),
        "key": player.key,
        "whole": numbers(player.whole),
        "variability": numbers(asdict(player.variability)),
        "tension": numbers(asdict(player.tension)),
    }


def session_dict(session: Session, frames: bool = True) -> dict[str, Any]:
    """Everything measured in one session; `frames` adds the per-frame series."""
    out: dict[str, Any] = {
        "source": session.source,
        "length": number(session.length),
        "window": session.window,
        "hop": session.hop,
        "align": session.align,
        "channels": {str(c): n for c, n in session.channels.items()},
        "players": [player_dict(p) for p in session.players],
        "between": None,
    }
    if session.between is not None:
        out["between"] = {
            "whole": numbers(session.between.whole),
            "lead_follow": {k: numbers(asdict(v)) for k, v in session.between.lead_follow.items()},
            "autonomy": numbers(asdict(session.between.autonomy)),
        }
    if frames:
        out["frames"] = frame_dict(session)
    return out


def frame_dict(session: Session) -> dict[str, Any]:
    series: dict[str, Any] = {"time": session.times}
    for player in session.players:
        values = {k: [number(v) for v in vs] for k, vs in player.series.items()}
        values["tension"] = [number(v) for v in player.tension_curve]
        series[player.role] = values
    if session.between is not None:
        series["between"] = {k: [number(v) for v in vs] for k, vs in session.between.series.items()}
    return series


ROLES = ("client", "therapist")
SERIES = (*FEATURES, "tension")
BETWEEN_SERIES = ("sync", "syntempo")
COLUMNS = (
    "session",
    "time",
    *(f"{role}_{name}" for role in ROLES for name in SERIES),
    *BETWEEN_SERIES,
)


def csv_text(sessions: Sequence[Session]) -> str:
    """One row per frame of every session, with the same columns for all; empty cells where
    a feature is undefined or a session has no therapist."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for session in sessions:
        for index, time in enumerate(session.times):
            writer.writerow([session.source, time, *_cells(session, index)])
    return buffer.getvalue()


def _cells(session: Session, index: int) -> list[float | str]:
    by_role = {p.role: p for p in session.players}
    cells: list[float | str] = []
    for role in ROLES:
        player = by_role.get(role)
        if player is None:
            cells += [""] * len(SERIES)
            continue
        values = [player.series[name][index] for name in FEATURES]
        cells += [_cell(v) for v in [*values, player.tension_curve[index]]]
    between = session.between
    cells += [_cell(between.series[k][index]) if between else "" for k in BETWEEN_SERIES]
    return cells


def _cell(value: float) -> float | str:
    rounded = number(value)
    return "" if rounded is None else rounded
