"""Real-time playback: each message sent at its time, and every sounding note released, always.

Timing (see docs/playback.md and benchmarks/playback.py): sleep until SPIN seconds before a
message is due, then spin on the clock; the interpreter's thread switch interval is 1 ms
while playing, so no other thread holds the interpreter longer than that; the objects alive
before playback are frozen out of the garbage collector's scans; and the playing thread
asks for real-time scheduling, which the system grants to root or an rtprio user. Between
messages, when the next one is far enough away, `on_idle` runs (the live view draws then).

Release: whatever ends the playback (the end, `stop`, Ctrl-C, SIGTERM, an error in a
callback, a port that fails), a `finally` sends a note-off for every note still sounding,
then sustain off (CC 64) and all notes off (CC 123) on all 16 channels, and all sound off
(CC 120) too when the playback was cut short. Ctrl-C and SIGTERM are held while it does so.
The exception is then raised again: KeyboardInterrupt, `Terminated` (SIGTERM), the
callback's own error, or `PortError` for a port that failed (raised from the port's error).
"""

from __future__ import annotations

import gc
import math
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import mido

from improv_cli.errors import RenderError
from improv_cli.play.events import Event
from improv_cli.play.ports import OutputPort
from improv_cli.play.realtime import Priority, Signals, Terminated

__all__ = ["FakeClock", "PlayStats", "PortError", "Terminated", "percentile", "play"]

SPIN = 0.0015  # seconds before a deadline when sleeping stops and spinning starts
NAP = 0.02  # the longest single sleep: how soon `stop` and the idle work are seen
LEAD = 0.01  # the first message is due this long after play() starts
SWITCH_INTERVAL = 0.001  # sys.setswitchinterval while playing
IDLE_GUARD = 0.01  # on_idle runs only when the next message is at least this far away
CHANNELS = range(16)
SUSTAIN, ALL_SOUND_OFF, ALL_NOTES_OFF = 64, 120, 123


class PortError(RenderError):
    """The MIDI output failed during playback (closed, unplugged): raised from its error."""


@dataclass(frozen=True, slots=True)
class PlayStats:
    events: int  # in the schedule
    sent: int  # of them, sent
    stopped: bool  # `stop` was set before the end
    started: float  # the clock's reading at time 0 of the schedule
    seconds: float  # from time 0 to the last message sent
    released: int  # note-offs sent by the release
    lateness: tuple[float, ...]  # seconds late, per message sent
    realtime: bool = False  # the system granted real-time scheduling while playing

    @property
    def mean_ms(self) -> float:
        return 1000 * sum(self.lateness) / len(self.lateness) if self.lateness else 0.0

    @property
    def p99_ms(self) -> float:
        return 1000 * percentile(self.lateness, 0.99)

    @property
    def max_ms(self) -> float:
        return 1000 * max(self.lateness, default=0.0)


def percentile(values: Iterable[float], fraction: float) -> float:
    """The nearest-rank percentile (0.0 for no values)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class FakeClock:
    """A clock for timing tests: `sleep` moves it on; each reading moves it `step` seconds."""

    def __init__(self, start: float = 0.0, step: float = 1e-6) -> None:
        self.now = start
        self.step = step
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


def play(
    events: Iterable[Event],
    port: OutputPort,
    clock: Callable[[], float] = time.perf_counter,
    sleep: Callable[[float], None] = time.sleep,
    on_tick: Callable[[Event], None] | None = None,
    stop: threading.Event | None = None,
    on_idle: Callable[[], None] | None = None,
    realtime: bool = True,
) -> PlayStats:
    """Send each event's message at its time; release every sounding note however it ends.

    `on_tick` is called after each message is sent (keep it cheap); `on_idle` between
    messages when the next is at least IDLE_GUARD (or four times its own longest run) away.
    `realtime` asks for real-time scheduling while playing, where the system allows it.
    """
    run = _Run(port, clock, sleep, stop)
    signals = Signals()
    priority = Priority(realtime)
    switch = sys.getswitchinterval()
    freeze = gc.get_freeze_count() == 0  # leave a caller's own frozen objects as they are
    complete = False
    try:
        signals.install()
        priority.raise_()
        sys.setswitchinterval(SWITCH_INTERVAL)
        if freeze:
            gc.collect()
            gc.freeze()
        run.loop(events, on_tick, on_idle)
        complete = True
    finally:
        signals.hold()
        try:
            run.release(full=not complete or run.stopped)
        finally:
            if freeze:
                gc.unfreeze()
            sys.setswitchinterval(switch)
            priority.restore()
            signals.restore(raise_held=complete)
    if run.release_error is not None:
        raise PortError(f"MIDI output failed: {run.release_error}") from run.release_error
    return run.stats(realtime=priority.granted)


class _Run:
    def __init__(
        self,
        port: OutputPort,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        stop: threading.Event | None,
    ) -> None:
        self.port, self.clock, self.sleep, self.stop = port, clock, sleep, stop
        self.sounding: set[tuple[int, int]] = set()
        self.lateness: list[float] = []
        self.events = 0
        self.started = 0.0
        self.last = 0.0
        self.stopped = False
        self.broken = False
        self.released = 0
        self.release_error: Exception | None = None
        self.guard = IDLE_GUARD

    def loop(
        self,
        events: Iterable[Event],
        on_tick: Callable[[Event], None] | None,
        on_idle: Callable[[], None] | None,
    ) -> None:
        clock, late, sounding = self.clock, self.lateness, self.sounding
        self.started = clock() + LEAD
        for event in events:
            self.events += 1
            deadline = self.started + event.seconds
            if not self._wait(deadline, on_idle):
                self.stopped = True
                break
            message = event.message
            kind = message.type
            if kind == "note_on" and message.velocity:
                sounding.add((message.channel, message.note))  # before: a release never misses it
                self._send(message)
            else:
                self._send(message)
                if kind == "note_off" or kind == "note_on":
                    sounding.discard((message.channel, message.note))
            late.append(clock() - deadline)
            self.last = event.seconds
            if on_tick is not None:
                on_tick(event)
        if isinstance(events, list | tuple):
            self.events = len(events)

    def _wait(self, deadline: float, on_idle: Callable[[], None] | None) -> bool:
        """Sleep, then spin, until `deadline`; False when `stop` was set meanwhile."""
        clock, stop = self.clock, self.stop
        while True:
            if stop is not None and stop.is_set():
                return False
            remaining = deadline - clock()
            if remaining <= SPIN:
                break
            if on_idle is not None and remaining > self.guard:
                began = clock()
                on_idle()
                self.guard = max(self.guard, 4 * (clock() - began))
                remaining = deadline - clock()
                if remaining <= SPIN:
                    break
            self.sleep(min(remaining - SPIN, NAP))
        while clock() < deadline:
            pass
        return True

    def _send(self, message: mido.Message) -> None:
        try:
            self.port.send(message)
        except Exception as err:
            self.broken = True
            raise PortError(f"MIDI output failed during playback: {err}") from err

    def release(self, full: bool) -> None:
        """Note-offs for the sounding notes, then the channel-mode messages on every channel."""
        messages = [
            mido.Message("note_off", channel=ch, note=note) for ch, note in sorted(self.sounding)
        ]
        controls = (SUSTAIN, ALL_NOTES_OFF, ALL_SOUND_OFF) if full else (SUSTAIN, ALL_NOTES_OFF)
        messages += [
            mido.Message("control_change", channel=ch, control=c, value=0)
            for ch in CHANNELS
            for c in controls
        ]
        for message in messages:
            try:
                self.port.send(message)
            except Exception as err:  # a port that has gone: one attempt, no second error
                if not self.broken:
                    self.release_error = err
                self.broken = True
                return
            if message.type == "note_off":
                self.released += 1
                self.sounding.discard((message.channel, message.note))

    def stats(self, realtime: bool) -> PlayStats:
        return PlayStats(
            events=self.events,
            sent=len(self.lateness),
            stopped=self.stopped,
            started=self.started,
            seconds=self.last,
            released=self.released,
            lateness=tuple(self.lateness),
            realtime=realtime,
        )
