"""Session analysis: what happened in the music of a recorded improvisation, measured.

`analyze(paths, ...)` reads each MIDI file, takes the client's and the therapist's channels
(by default the lowest-numbered channels with notes, the drum channel last: channel 1 the
client and channel 2 the therapist, the convention of the Music Therapy Toolbox, CAMII and
`improv respond`), and measures each player's playing over sliding windows and for the
whole file, and what passes between them. See docs/analysis.md for every feature.

The numbers describe the music. They are features and indicators for the therapist's own
listening and judgement, never ratings of a person, assessments or diagnoses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from improv_cli.analysis.notes import Played
from improv_cli.analysis.session import ALIGNS, Session, analyse
from improv_cli.errors import OptionError, RenderError

__all__ = ["NOT_A_RATING", "Analysis", "Played", "Session", "analyse", "analyze", "read_parts"]

NOT_A_RATING = (
    "Musical features and indicators for the therapist's judgement: "
    "not ratings, assessments or diagnoses."
)
DRUMS = 10


@dataclass(frozen=True)
class Analysis:
    sessions: list[Session]
    plot: str | None = None  # the PNG written, if any

    def as_dict(self, frames: bool = True) -> dict[str, Any]:
        from improv_cli.analysis.report import session_dict

        return {
            "sessions": [session_dict(s, frames) for s in self.sessions],
            "plot": self.plot,
            "note": NOT_A_RATING,
        }


def analyze(
    paths: Sequence[str],
    client: int | None = None,
    therapist: int | None = None,
    window: float = 6.0,
    hop: float = 1.0,
    align: str = "trailing",
    plot: str | None = None,
) -> Analysis:
    """The analysis of every session in `paths`, in that order (channels 1-16), and with
    `plot` a PNG of it: one session over time, or several compared."""
    check(paths, client, therapist, window, hop, align, plot)
    sessions = []
    for path in paths:
        parts, counts = read_parts(path, client, therapist)
        sessions.append(analyse(str(path), parts, window, hop, align, counts))
    if plot is not None:
        from improv_cli.analysis.plot import session_png, sessions_png
        from improv_cli.api import write_output

        image = session_png(sessions[0]) if len(sessions) == 1 else sessions_png(sessions)
        write_output(image, plot)
    return Analysis(sessions, plot)


def check(
    paths: Sequence[str],
    client: int | None,
    therapist: int | None,
    window: float,
    hop: float,
    align: str,
    plot: str | None = None,
) -> None:
    """Refuse bad options before any file is read."""
    if not paths:
        raise OptionError("no session given", hint="improv analyze SESSION.mid [MORE.mid ...]")
    for name, channel in (("--client", client), ("--therapist", therapist)):
        if channel is not None and not 1 <= channel <= 16:
            raise OptionError(f"{name}: channel {channel} is not 1-16")
    if client is not None and client == therapist:
        raise OptionError(f"--client and --therapist are both channel {client}")
    if not 0 < window <= 600:
        raise OptionError(f"--window: {window:g} s", hint="a window of 1-600 seconds, e.g. 6")
    if not 0 < hop <= window:
        raise OptionError(
            f"--hop: {hop:g} s", hint=f"a hop above 0 and at most the window ({window:g} s)"
        )
    if align not in ALIGNS:
        raise OptionError(f"--align: '{align}'", hint="trailing or centered")
    if plot is not None:
        from improv_cli.api import check_target

        if plot == "-" or Path(plot).suffix.lower() != ".png":
            raise OptionError(
                f"--plot: '{plot}' is not a .png file", hint="e.g. --plot session.png"
            )
        check_target(plot)


def read_parts(
    path: str | Path, client: int | None = None, therapist: int | None = None
) -> tuple[list[tuple[str, int, list[Played]]], dict[int, int]]:
    """The (role, channel, notes) of the players in a MIDI file, and every channel's count."""
    from improv_cli.respond.client import read_recording

    name = str(path)
    by_channel = {
        channel + 1: [Played(s, e - s, pitch, v) for s, e, pitch, v in notes]
        for channel, notes in read_recording(name, what="a session recording").items()
    }
    counts = {channel: len(notes) for channel, notes in sorted(by_channel.items())}
    if not counts:
        raise RenderError(f"{name}: no notes to analyse", "record the session as MIDI first")
    chosen = players(counts, client, therapist, name)
    return [(role, ch, by_channel[ch]) for role, ch in chosen], counts


def players(
    counts: dict[int, int], client: int | None, therapist: int | None, name: str
) -> list[tuple[str, int]]:
    """Which channel is the client's and which the therapist's (there may be no therapist)."""
    found = ", ".join(str(c) for c in counts)
    for option, channel in (("--client", client), ("--therapist", therapist)):
        if channel is not None and channel not in counts:
            raise RenderError(
                f"{option}: no notes on channel {channel} in {name}", f"channels: {found}"
            )
    order = sorted(counts, key=lambda c: (c == DRUMS, c))
    if client is None:
        client = next((c for c in order if c != therapist), None)
    if client is None:
        raise RenderError(f"{name}: only the therapist's channel has notes", f"channels: {found}")
    if therapist is None:
        therapist = next((c for c in order if c != client), None)
    chosen = [("client", client)]
    return chosen + ([("therapist", therapist)] if therapist is not None else [])
