"""Notation benchmark: a 90-bar four-part framework engraved to PDF, step by step.

Run from the repository root: `.venv/bin/python benchmarks/notation.py [--quick]`.
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
BARS = 90  # about a 5-minute session
LONG = 400  # the growth row
OUT = "/tmp/bench.pdf"
STEPS = ("realise", "musicxml", "svg", "pdf")
Times = dict[str, tuple[float, float]]  # step -> (wall, CPU) seconds


def cpu() -> float:
    """CPU seconds used by this process and its finished children (insensitive to load)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def clock() -> tuple[float, float]:
    return time.perf_counter(), cpu()


def since(start: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - start[0], cpu() - start[1]


def to_pdf(bars: int) -> tuple[Times, list[str], bytes]:
    """Realise `bars` bars (written) and engrave them to PDF, timing each step.

    Returns the (wall, CPU) seconds of each step, the SVG pages and the PDF bytes.
    """
    from improv_cli.api import score_header
    from improv_cli.engine.realise import realise
    from improv_cli.model.framework import Length
    from improv_cli.model.loader import load_framework
    from improv_cli.render.engrave import pdf_document, svg_pages
    from improv_cli.render.musicxml import musicxml_bytes

    gc.collect()  # start each run with no garbage left by the one before
    times: Times = {}
    start = clock()
    framework = replace(load_framework(FRAMEWORK), length=Length(bars=bars))
    timeline = realise(framework, written=True)
    times["realise"] = since(start)
    start = clock()
    xml = musicxml_bytes(timeline, header=score_header(framework))
    times["musicxml"] = since(start)
    start = clock()
    svgs = svg_pages(xml)
    times["svg"] = since(start)
    start = clock()
    pdf = pdf_document(svgs)
    times["pdf"] = since(start)
    return times, svgs, pdf


def best_of(runs: list[Times], steps: tuple[str, ...]) -> tuple[float, float]:
    """The shortest wall and CPU time, over the runs, of the sum of `steps`."""
    walls = [sum(run[step][0] for step in steps) for run in runs]
    cpus = [sum(run[step][1] for step in steps) for run in runs]
    return min(walls), min(cpus)


def best(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """The shortest wall time and CPU time of `runs` calls, and the last call's result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        gc.collect()
        start = clock()
        result = fn()
        wall, used = since(start)
        walls.append(wall)
        cpus.append(used)
    return min(walls), min(cpus), result


def row(name: str, runs: int, wall: float, used: float) -> None:
    print(f"{name:<42} {runs:4} {wall:8.3f} {used:8.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help="90 bars to PDF once; no PNG, 400 bars or command"
    )
    quick = parser.parse_args(argv).quick
    runs = 1 if quick else 3

    fresh = "music21" not in sys.modules
    start = time.perf_counter()
    import music21.musicxml.m21ToXml  # noqa: F401
    import pypdf  # noqa: F401
    import resvg_py  # noqa: F401
    import svg2pdf_py  # type: ignore[import-untyped]  # noqa: F401
    import verovio  # noqa: F401

    import improv_cli.api
    import improv_cli.engine.realise
    import improv_cli.render.engrave
    import improv_cli.render.musicxml  # noqa: F401

    imported = time.perf_counter() - start
    shown = f"{imported:.3f} s" if fresh else f"{imported:.3f} s (music21 was already imported)"
    print(f"improv notation benchmark: {FRAMEWORK} (drums, bass, comp, melody), {BARS} bars")
    print(f"one-time import of music21 + verovio + resvg + svg2pdf + pypdf + improv: {shown}\n")

    to_pdf(4)  # warm-up: first-call caches (chords, scales, the extracted fonts) are not timed
    print(f"{BARS} bars, step by step, in-process (after a 4-bar warm-up)")
    print(f"{'step':<42} runs   wall s    cpu s")
    timed = []
    for _ in range(runs):
        times, svgs, pdf = to_pdf(BARS)
        timed.append(times)
    row("realise (written)", runs, *best_of(timed, ("realise",)))
    row("MusicXML (music21 + fix-ups)", runs, *best_of(timed, ("musicxml",)))
    row("SVG layout (verovio)", runs, *best_of(timed, ("svg",)))
    row("PDF (svg2pdf + pypdf)", runs, *best_of(timed, ("pdf",)))
    if not quick:
        from improv_cli.render.engrave import png_pages

        wall, used, _ = best(lambda: png_pages(svgs), runs)
        row(f"PNG (resvg, all {len(svgs)} pages)", runs, wall, used)
    total, total_cpu = best_of(timed, STEPS)
    row(f"total {BARS} bars to PDF (realise to PDF)", runs, total, total_cpu)
    engraved = best_of(timed, STEPS[1:])
    if not quick:
        long_times, long_svgs, _ = to_pdf(LONG)
        long_wall, long_cpu = best_of([long_times], STEPS[1:])
        row(f"{LONG} bars: MusicXML + SVG + PDF", 1, long_wall, long_cpu)
        argv = [sys.executable, "-m", "improv_cli", "render", FRAMEWORK, "--bars", str(BARS)]
        argv += ["-o", OUT]
        command = partial(subprocess.run, argv, cwd=ROOT, capture_output=True, check=True)
        wall, used, _ = best(command, runs)
        row(f"improv render --bars {BARS} -o {OUT}", runs, wall, used)

    print(f"\n{BARS} bars: {len(svgs)} pages, PDF {len(pdf)} bytes ({len(pdf) / 1024:.0f} KiB)")
    if not quick:
        ratio, linear = long_wall / engraved[0], LONG / BARS
        print(
            f"{LONG} bars: {len(long_svgs)} pages; MusicXML + SVG + PDF take {ratio:.1f}x the"
            f" {BARS}-bar time (linear: {linear:.1f}x)"
        )
    print(f"{BARS} bars to PDF: {total:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
