"""The benchmark script runs (its numbers are read by people, not asserted here)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT


def test_quick_benchmark_runs_and_reports_the_growth_ratio():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "render.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "900/90 wall ratio" in result.stdout
    assert "shaped 900/90 wall ratio" in result.stdout
    rows = [line.split() for line in result.stdout.splitlines()]
    assert [r[0] for r in rows if r and r[0] in ("90", "900")] == ["90", "900"] * 2


def test_quick_notation_benchmark_runs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "notation.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "90 bars to PDF:" in result.stdout
    pages = re.search(r"^90 bars: (\d+) pages, PDF \d+ bytes", result.stdout, re.MULTILINE)
    assert pages, result.stdout
    assert int(pages[1]) >= 2


def test_quick_playback_benchmark_prints_its_table():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "playback.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "mean ms   p99 ms   max ms" in result.stdout
    rows = [line[:3] for line in result.stdout.splitlines()]
    assert [r for r in rows if r in ("a. ", "b. ", "c. ")] == ["a. ", "b. ", "c. "]
    assert "real-time scheduling:" in result.stdout


def test_quick_analysis_benchmark_runs_and_reports_the_growth_ratio():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "analysis.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "10/2 minutes wall ratio" in result.stdout
    rows = [line.split() for line in result.stdout.splitlines()]
    assert [r[0] for r in rows if r and r[0] in ("2", "10")] == ["2", "10"]
