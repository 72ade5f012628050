"""The live view while playing: bar (of the total), chord, key, loop and elapsed time.

One line on standard error, drawn with rich at most `interval` (0.1 s) apart and only in the
scheduler's idle time (`play(..., on_tick=view.on_tick, on_idle=view.refresh)`): `on_tick`
only notes the event just sent; `refresh` draws when a draw is due. When standard error is
not a terminal, nothing is printed at all.
"""

from __future__ import annotations

import bisect
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from improv_cli.play.events import Cues, Event

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text


class _Track:
    """The value in force at a time, from (time, value) pairs in time order."""

    def __init__(self, marks: tuple[tuple[float, Any], ...]) -> None:
        self._times = [t for t, _ in marks]
        self._values = [v for _, v in marks]

    def at(self, seconds: float) -> Any:
        index = bisect.bisect_right(self._times, seconds + 1e-9) - 1
        return self._values[index] if index >= 0 else None


class LiveView:
    """Shows where the playback is; use as a context manager around `play()`."""

    def __init__(
        self,
        cues: Cues,
        *,
        console: Console | None = None,
        clock: Callable[[], float] = time.perf_counter,
        interval: float = 0.1,
        endless: bool = False,
    ) -> None:
        self.cues = cues
        self.enabled = console is not None or sys.stderr.isatty()
        self.draws = 0
        self._console = console
        self._clock = clock
        self._interval = interval
        self._chords = _Track(cues.chords)
        self._keys = _Track(cues.keys)
        self._loops = _Track(cues.loops)
        self._endless = endless  # no totals: the loops go on until Ctrl-C
        self._total_loops = 0 if endless else max((n for _, n in cues.loops), default=0)
        self._event: Event | None = None
        self._start: float | None = None
        self._drawn = -float("inf")
        self._live: Live | None = None

    def __enter__(self) -> LiveView:
        if self.enabled:
            from rich.console import Console
            from rich.live import Live

            console = self._console or Console(stderr=True)
            self._live = Live(
                self.render(),
                console=console,
                auto_refresh=False,  # no drawing thread: we draw in the scheduler's idle time
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.update(self.render(), refresh=True)
            self._live.stop()
            self._live = None

    def on_tick(self, event: Event) -> None:
        """Note the event just sent (cheap: called after every message)."""
        self._event = event
        if self._start is None:
            self._start = self._clock() - event.seconds

    def refresh(self) -> None:
        """Draw, if a draw is due (at most one each `interval`)."""
        if self._live is None:
            return
        now = self._clock()
        if now - self._drawn < self._interval:
            return
        self._drawn = now
        self.draws += 1
        self._live.update(self.render(), refresh=True)

    def elapsed(self) -> float:
        return 0.0 if self._start is None else self._clock() - self._start

    def line(self) -> str:
        """What the view shows, as plain text."""
        return self.render().plain

    def render(self) -> Text:
        from rich.text import Text

        cues, event = self.cues, self._event
        at = event.seconds if event is not None else 0.0
        text = Text()
        text.append("▶ " if event is not None else "  ", style="green")
        text.append(cues.title, style="bold")
        bars = "" if self._endless else f"/{cues.bars}"
        text.append(f"   bar {event.bar if event else 1}{bars}")
        chord, key, loop = self._chords.at(at), self._keys.at(at), self._loops.at(at)
        if chord:
            text.append(f"   {chord}", style="bold cyan")
        if key:
            text.append(f"   {key}", style="magenta")
        if loop == 0:
            text.append("   count-in", style="yellow")
        elif loop is not None:
            total = f"/{self._total_loops}" if self._total_loops else ""
            text.append(f"   loop {loop}{total}", style="yellow")
        length = "" if self._endless else f" / {_clock_time(cues.seconds)}"
        text.append(f"   {_clock_time(self.elapsed())}{length}", style="dim")
        return text


def _clock_time(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    return f"{whole // 60}:{whole % 60:02d}"
