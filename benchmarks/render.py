"""Render benchmarks: growth with length, music21's MIDI writer, whole-command wall times.

Run from the repository root: `.venv/bin/python benchmarks/render.py [--quick]`.
See docs/benchmarks.md for what each row means. Wall clock, with CPU time beside it; no
benchmark libraries.
"""

from __future__ import annotations

import argparse
import gc
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK = "holding/dorian-vamp"
SHAPED = "holding/breathing-vamp"  # rubato, ramps, fermata, a vary plan, gentle safety
RATIO_LIMIT = 12.0  # the issue: 900 bars take at most ~12x the 90-bar time
STARTUP_BUDGET = 0.3  # DESIGN: `improv --help` and `improv validate` under 0.3 s
MMA_5_MIN = 0.38  # DESIGN: MMA's wall time for the same 5-minute groove
OUT = "/tmp/x.mid"
M21_LIMIT = 60.0  # skip music21's 900-bar write when it would take longer than this


def cpu() -> float:
    """CPU seconds used by this process and its finished children (insensitive to load)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def best(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """The shortest wall time and CPU time of `runs` calls, and the last call's result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        gc.collect()  # start each run with no garbage left by the one before
        wall, used = time.perf_counter(), cpu()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu() - used)
    return min(walls), min(cpus), result


def render_once(bars: int, shaped: bool = False) -> tuple[int, int]:
    """Load + realise + MIDI bytes for `bars` bars: (notes, MIDI bytes).

    `shaped` renders the breathing vamp with every layer of issue 4 switched on: variation
    0.6 and its vary plan, humanise, rubato, ramps, a fermata and the gentle safety profile.
    """
    from improv_cli.engine.realise import realise
    from improv_cli.model.framework import Humanise, Length
    from improv_cli.model.loader import load_framework
    from improv_cli.render.midi import midi_bytes

    framework = replace(load_framework(SHAPED if shaped else FRAMEWORK), length=Length(bars=bars))
    if shaped:
        framework = replace(framework, variation=0.6, humanise=Humanise(10.0, 5))
    timeline = realise(framework)
    return len(timeline.notes), len(midi_bytes(timeline))


def music21_score(bars: int) -> Any:
    """The same music as a music21 Score: one Part per timeline part (build not timed)."""
    from music21 import note, stream, tempo

    from improv_cli import api

    timeline = api.timeline(FRAMEWORK, api.Overrides(bars=bars))
    score = stream.Score()
    parts = {p.name: stream.Part(id=p.name) for p in timeline.parts}  # type: ignore[no-untyped-call]
    parts[timeline.parts[0].name].insert(0, tempo.MetronomeMark(number=timeline.tempos[0].bpm))
    for n in timeline.notes:
        m21 = note.Note(n.pitch, quarterLength=n.duration / timeline.tpq)
        m21.volume.velocity = n.velocity
        parts[n.part].insert(n.start / timeline.tpq, m21)
    for part in parts.values():
        score.insert(0, part)
    return score


def music21_write(score: Any) -> int:
    from music21.midi import translate

    return len(translate.streamToMidiFile(score).writestr())


def command(*args: str) -> tuple[float, float]:
    """Best-of-3 wall and CPU time of the .venv's `improv` with `args`, from the repo root."""
    argv = [str(Path(sys.executable).parent / "improv"), *args]
    wall, used, _ = best(lambda: subprocess.run(argv, cwd=ROOT, capture_output=True, check=True), 3)
    return wall, used


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="90 and 900 bars once, nothing else")
    quick = parser.parse_args(argv).quick

    fresh = "music21" not in sys.modules
    start = time.perf_counter()
    import music21  # noqa: F401

    import improv_cli.engine.realise
    import improv_cli.render.midi  # noqa: F401

    imported = time.perf_counter() - start
    shown = f"{imported:.3f} s" if fresh else f"{imported:.3f} s (music21 was already imported)"
    print(f"improv render benchmark: {FRAMEWORK} (drums, bass, comp, melody)")
    print(f"one-time import of music21 + engine + MIDI writer: {shown}\n")

    render_once(4)  # warm-up: first-call caches (parsed chords, scales) are not timed
    print("1. load + realise + MIDI bytes, in-process (after a 4-bar warm-up)")
    print("  bars runs   wall s    cpu s   notes  notes/s   x 90")
    walls: dict[int, float] = {}
    for bars, runs in [(90, 1), (900, 1)] if quick else [(90, 3), (900, 3), (9000, 1)]:
        wall, used, (notes, _) = best(partial(render_once, bars), runs)
        walls[bars] = wall
        rate, ratio = notes / wall, wall / walls[90]
        print(f"{bars:6} {runs:4} {wall:8.3f} {used:8.3f} {notes:7} {rate:8.0f} {ratio:6.1f}")
    growth = walls[900] / walls[90]
    ok = verdict(growth <= RATIO_LIMIT)
    print(f"900/90 wall ratio {growth:.2f} (limit {RATIO_LIMIT:g}): {ok}")

    print(f"\n1b. the same with every expressive layer on: {SHAPED}, variation 0.6, humanise 0.5")
    print("  bars runs   wall s    cpu s   notes  notes/s   x 90  x plain")
    render_once(4, shaped=True)
    shaped: dict[int, float] = {}
    for bars, runs in [(90, 1), (900, 1)] if quick else [(90, 3), (900, 3), (9000, 1)]:
        wall, used, (notes, _) = best(partial(render_once, bars, True), runs)
        shaped[bars] = wall
        rate, ratio, cost = notes / wall, wall / shaped[90], wall / walls[bars]
        print(
            f"{bars:6} {runs:4} {wall:8.3f} {used:8.3f} {notes:7} {rate:8.0f} {ratio:6.1f}"
            f" {cost:8.2f}"
        )
    growth = shaped[900] / shaped[90]
    ok = verdict(growth <= RATIO_LIMIT and shaped[90] < MMA_5_MIN)
    print(f"shaped 900/90 wall ratio {growth:.2f}, 90 bars under MMA's {MMA_5_MIN:g} s: {ok}")
    if quick:
        return 0

    print("\n2. music21's own MIDI writer (streamToMidiFile + bytes), same music, build not timed")
    print("  bars runs   wall s    cpu s  x ours")
    m21: dict[int, float] = {}
    for bars, runs in ((90, 3), (900, 1)):
        if bars == 900 and m21[90] * 30 > M21_LIMIT:
            print(f"{bars:6}  skipped: about {m21[90] * 30:.0f} s expected (> {M21_LIMIT:g} s)")
            continue
        score = music21_score(bars)
        m21[bars], used, _ = best(partial(music21_write, score), runs)
        print(f"{bars:6} {runs:4} {m21[bars]:8.3f} {used:8.3f} {m21[bars] / walls[bars]:7.1f}")
    if 900 in m21:
        print(f"music21 900/90 wall ratio {m21[900] / m21[90]:.1f} (DESIGN measured about 28)")

    print("\n3. whole commands in a fresh process (best of 3)")
    print("command               wall s   cpu s")
    render = ["render", FRAMEWORK, "--minutes", "5", "-o", OUT]
    for name, args, limit, against in (
        ("improv --help", ["--help"], STARTUP_BUDGET, "budget"),
        ("improv validate", ["validate", f"frameworks/{FRAMEWORK}.yaml"], STARTUP_BUDGET, "budget"),
        ("improv render 5 min", render, MMA_5_MIN, "MMA"),
    ):
        wall, used = command(*args)
        ok = verdict(wall < limit)
        print(f"{name:<20} {wall:7.3f} {used:7.3f}   {against} {limit:g} s: {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
