"""Plots of an analysis as PNG: a session (piano roll of both players over time, with the
main feature curves under it), or several sessions side by side (each feature per session).

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no global state), with the
software stamp left out, so the same analysis gives the same bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from improv_cli.analysis.session import Player, Session

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

COLOURS = {"client": "#d9480f", "therapist": "#1864ab"}  # orange and blue: told apart by all
CURVES = (  # (series, axis label, y limits or None)
    ("density", "notes / s", None),
    ("velocity", "velocity", (0, 127)),
    ("pulse_clarity", "pulse clarity", (0, 1.05)),
    ("tension", "tension (0-1)", (0, 1)),
)
SESSION_FEATURES = (  # (where, feature, label) for the comparison of sessions
    ("player", "density", "notes / s"),
    ("player", "velocity", "mean velocity"),
    ("player", "pitch", "mean pitch"),
    ("player", "pulse_clarity", "pulse clarity"),
    ("player", "tonal_clarity", "tonal clarity"),
    ("player", "silence", "long-pause share"),
    ("between", "sync", "pulse synchrony"),
    ("between", "overlap", "overlap"),
)
DPI = 100


def session_png(session: Session) -> bytes:
    """The piano roll of the session's players with density, velocity, pulse clarity,
    tension and (with two players) pulse synchrony over time."""
    rows = len(CURVES) + (1 if session.between else 0)
    figure = _figure(10, 3 + 1.3 * rows)
    grid = figure.add_gridspec(1 + rows, 1, height_ratios=[3] + [1] * rows, hspace=0.15)
    roll = figure.add_subplot(grid[0])
    _piano_roll(roll, session.players)
    roll.set_title(_title(session), loc="left", fontsize=10)
    axes = [roll]
    for row, (name, label, limits) in enumerate(CURVES, start=1):
        ax = figure.add_subplot(grid[row], sharex=roll)
        for player in session.players:
            values = player.tension_curve if name == "tension" else player.series[name]
            ax.plot(session.times, values, color=COLOURS[player.role], linewidth=1.2)
        _label(ax, label, limits)
        axes.append(ax)
    if session.between:
        ax = figure.add_subplot(grid[rows], sharex=roll)
        ax.plot(session.times, session.between.series["sync"], color="#2b8a3e", linewidth=1.2)
        _label(ax, "pulse synchrony", (0, 1.05))
        axes.append(ax)
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel("time (s)")
    roll.set_xlim(0, max(session.length, session.window))
    return _png(figure)


def sessions_png(sessions: Sequence[Session]) -> bytes:
    """Each session's whole-file features, session by session, a panel per feature."""
    figure = _figure(10, 7.5)
    grid = figure.add_gridspec(4, 2, hspace=0.55, wspace=0.25)
    names = [Path(s.source).stem for s in sessions]
    positions = list(range(1, len(sessions) + 1))
    for index, (where, feature, label) in enumerate(SESSION_FEATURES):
        ax = figure.add_subplot(grid[index // 2, index % 2])
        for role in COLOURS:
            values = [_whole(s, where, feature, role) for s in sessions]
            if (where == "between" and role == "therapist") or all(map(math.isnan, values)):
                continue
            colour = "#2b8a3e" if where == "between" else COLOURS[role]
            ax.plot(positions, values, marker="o", color=colour, linewidth=1.2)
        ax.set_title(label, fontsize=9, loc="left")
        ax.set_xticks(positions, names if len(names) <= 8 else map(str, positions), fontsize=7)
        ax.grid(alpha=0.3)
    figure.suptitle(
        "Sessions compared (client orange, therapist blue)", fontsize=10, x=0.01, ha="left"
    )
    return _png(figure)


def _whole(session: Session, where: str, feature: str, role: str) -> float:
    if where == "between":
        return session.between.whole[feature] if session.between else math.nan
    player = next((p for p in session.players if p.role == role), None)
    return player.whole[feature] if player else math.nan


def _piano_roll(ax: Axes, players: Sequence[Player]) -> None:
    pitches = [n.pitch for p in players for n in p.notes] or [60]
    for player in players:
        bars = [(n.onset, max(n.duration, 0.02)) for n in player.notes]
        for pitch in sorted({n.pitch for n in player.notes}):
            row = [b for b, n in zip(bars, player.notes, strict=True) if n.pitch == pitch]
            ax.broken_barh(row, (pitch - 0.4, 0.8), facecolors=COLOURS[player.role], alpha=0.8)
        ax.plot([], [], color=COLOURS[player.role], linewidth=6, label=_who(player))
    ax.set_ylim(min(pitches) - 2, max(pitches) + 2)
    ax.set_ylabel("MIDI pitch")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.grid(alpha=0.3)


def _who(player: Player) -> str:
    return f"{player.role} (channel {player.channel}, {len(player.notes)} notes)"


def _title(session: Session) -> str:
    return (
        f"{Path(session.source).name}: {session.length:.0f} s, "
        f"window {session.window:g} s every {session.hop:g} s"
    )


def _label(ax: Axes, label: str, limits: tuple[float, float] | None) -> None:
    ax.set_ylabel(label, fontsize=8)
    if limits:
        ax.set_ylim(*limits)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=7)


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight")
    return buffer.getvalue()
