"""What play() changes in the process while playing, and puts back after.

`Priority`: real-time scheduling for the playing thread, where the system allows it.
`Signals`: SIGTERM raises `Terminated` while playing; Ctrl-C and SIGTERM are held (not lost)
while the notes are being released, and raised after.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from types import FrameType
from typing import Any

RT_PRIORITY = 10  # SCHED_FIFO priority while playing, where allowed (JACK's default is 10)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived while playing: the CLI ends as for Ctrl-C, with exit code 143."""

    exit_code = 128 + signal.SIGTERM


class Priority:
    """Real-time scheduling (SCHED_FIFO, priority RT_PRIORITY, as JACK's clients use) for the
    playing thread, where the system allows it: root, or a user with an rtprio limit (the
    "audio" group of many Linux audio setups). Elsewhere nothing changes. Against other busy
    processes it is what keeps the onsets within the budget: see docs/playback.md."""

    def __init__(self, wanted: bool) -> None:
        self.wanted = wanted and hasattr(os, "sched_setscheduler")
        self.saved: tuple[int, int] | None = None
        self.granted = False

    def raise_(self) -> None:
        if not self.wanted:
            return
        try:
            policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(RT_PRIORITY))
        except OSError:
            return  # not allowed here: ordinary scheduling
        self.saved = (policy, param.sched_priority)
        self.granted = True

    def restore(self) -> None:
        if self.saved is not None:
            policy, priority = self.saved
            with contextlib.suppress(OSError):
                os.sched_setscheduler(0, policy, os.sched_param(priority))
            self.saved = None


class Signals:
    """SIGTERM raises Terminated while playing; Ctrl-C and SIGTERM wait while releasing.

    Only the main thread can set signal handlers; elsewhere this does nothing (and neither
    signal can interrupt a thread that is not the main one)."""

    def __init__(self) -> None:
        self.active = threading.current_thread() is threading.main_thread()
        self.saved: dict[int, Any] = {}
        self.held: list[int] = []

    def install(self) -> None:
        if self.active:
            self.saved[signal.SIGTERM] = signal.signal(signal.SIGTERM, _terminate)
            self.saved[signal.SIGINT] = signal.getsignal(signal.SIGINT)

    def hold(self) -> None:
        for signum, handler in self.saved.items():
            if handler is not None:
                signal.signal(signum, self._hold)

    def _hold(self, signum: int, frame: FrameType | None) -> None:
        self.held.append(signum)

    def restore(self, raise_held: bool) -> None:
        """Put the old handlers back; a signal held meanwhile is raised if nothing else is."""
        for signum, handler in self.saved.items():
            if handler is not None:  # None: a handler not set from Python, left as it is
                signal.signal(signum, handler)
        if raise_held and self.held:
            if signal.SIGTERM in self.held:
                raise Terminated()
            raise KeyboardInterrupt()


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated()
