"""Playback benchmark: how close to their schedule the onsets go out, in real time.

Run from the repository root: `.venv/bin/python benchmarks/playback.py [--quick]`.
DESIGN's budget: onsets within 2 ms of schedule at the 99th percentile.

The schedule is 2,000 events: 1,000 sixteenth notes at 120 bpm, each a note-on and a note-off
half a sixteenth later (so one event every 62.5 ms, 125 s a run). `--quick` plays 200 events
of sixteenths at 480 bpm (one every 15.6 ms, about 3 s a run). The events go to a
RecordingPort (the fake device: there is no MIDI hardware here) with the real clock; an
onset's error is the time the port received it minus its scheduled time. No benchmark
libraries: wall clock only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from improv_cli.play import Cues, Event, LiveView, RecordingPort, play
from improv_cli.play.scheduler import percentile

BUDGET_MS = 2.0  # DESIGN: p99 onset error under 2 ms
SPINNER = "while True: pass"


def sixteenths(events: int, bpm: float) -> list[Event]:
    """`events` events: a note-on per sixteenth, its note-off half a sixteenth later."""
    import mido

    step = 60.0 / bpm / 4
    made = []
    for i in range(events):
        note = 60 + (i // 2) % 12
        if i % 2 == 0:
            message = mido.Message("note_on", channel=0, note=note, velocity=80)
        else:
            message = mido.Message("note_off", channel=0, note=note)
        made.append(Event(i * step / 2, message, 1 + i // 32, i * 60))
    return made


@contextmanager
def busy(cores: int) -> Iterator[None]:
    """`cores` other processes spinning in a loop while the block runs; killed after."""
    spinners = [subprocess.Popen([sys.executable, "-c", SPINNER]) for _ in range(cores)]
    try:
        time.sleep(0.3)  # let them get going
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@contextmanager
def nothing() -> Iterator[None]:
    yield


def run(
    events: list[Event], *, view: bool = False, realtime: bool = True
) -> tuple[list[float], Any, dict[str, float]]:
    """Play `events`: the onset errors in ms, the stats, and the live view's draw figures."""
    port = RecordingPort()
    drawn: dict[str, float] = {}
    if view:
        from rich.console import Console

        with open(os.devnull, "w", encoding="utf-8") as screen:
            console = Console(file=screen, force_terminal=True, width=100)
            about = Cues("benchmark", events[-1].bar, events[-1].seconds)
            with LiveView(about, console=console) as live:
                costs: list[float] = []
                refresh = timed(live.refresh, costs)
                stats = play(events, port, on_tick=live.on_tick, on_idle=refresh, realtime=realtime)
            drawn = {"draws": live.draws, "max_ms": 1000 * max(costs, default=0.0)}
    else:
        stats = play(events, port, realtime=realtime)
    errors = [
        1000 * (at - stats.started - event.seconds)
        for (at, _), event in zip(port.sent, events, strict=False)
    ]
    return errors, stats, drawn


def timed(fn: Callable[[], None], costs: list[float]) -> Callable[[], None]:
    def call() -> None:
        began = time.perf_counter()
        fn()
        costs.append(time.perf_counter() - began)

    return call


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="200 events at 480 bpm")
    quick = parser.parse_args(argv).quick
    count, bpm = (200, 480.0) if quick else (2000, 120.0)
    events = sixteenths(count, bpm)
    print(f"improv playback benchmark: {count} events (note-on/off pairs, 16ths at {bpm:g} bpm)")
    print(
        f"{events[-1].seconds:.1f} s a run, to a RecordingPort, real clock, {os.cpu_count()} cores"
    )
    rows: list[tuple[str, Callable[[], Any], dict[str, Any]]] = [
        ("a. alone", nothing, {}),
        ("b. other core busy", lambda: busy(1), {}),
        ("c. live view on", nothing, {"view": True}),
    ]
    if not quick:
        rows += [
            ("d. both cores busy", lambda: busy(2), {}),
            ("e. b without real-time", lambda: busy(1), {"realtime": False}),
        ]
    print("\nrow                        sent  mean ms   p99 ms   max ms  > 2 ms  p99 < 2 ms")
    granted = False
    notes: list[str] = []
    for name, load, options in rows:
        with load():
            errors, stats, drawn = run(events, **options)
        granted = granted or stats.realtime
        late = sum(e > BUDGET_MS for e in errors)
        p99 = percentile(errors, 0.99)
        mean = sum(errors) / len(errors)
        verdict = "PASS" if p99 < BUDGET_MS else "FAIL"
        print(
            f"{name:<25} {len(errors):6} {mean:8.3f} {p99:8.3f} {max(errors):8.3f}"
            f" {late:7}  {verdict}"
        )
        if drawn:
            notes.append(
                f"live view: {drawn['draws']:.0f} draws in {stats.seconds:.1f} s,"
                f" the longest {drawn['max_ms']:.2f} ms (drawn in idle time only)"
            )
    print("\n" + "\n".join(notes))
    state = "granted (SCHED_FIFO 10)" if granted else "not allowed here: ordinary scheduling"
    print(f"real-time scheduling: {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
