"""`improv show` says how a framework is shaped: variation, humanise, safety, expression, vary."""

from __future__ import annotations

import json

from tests.conftest import run_cli

SHAPED = """\
title: Shaped
key: D dorian
tempo: 70
groove: ballad
harmony: "i7 | IV7"
melody: "1 2 3 5 | 4:h 3:q 2"
variation: 0.25
humanise: {timing: 8, velocity: 4}
safety: {preset: gentle, tempo: 50-72}
expression:
  - {bars: 1-4, dynamics: "p -> mf"}
  - {bars: 5-8, tempo: "70 -> 58", curve: final}
  - {bar: 8, fermata: 1.5, beat: 3}
  - {bars: 1-8, accent: [1, 3], amount: 10}
  - {bars: 9-12, accent: "3+3+2"}
  - {bars: 1-8, rubato: 0.05, borrowed_time: false, phrase: 2}
vary:
  - {pass: 2-3, inversion: true, mute: [bass]}
"""


def test_show_prints_every_shaping_setting(tmp_path):
    path = tmp_path / "shaped.yaml"
    path.write_text(SHAPED, encoding="utf-8")
    result = run_cli("show", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for expected in (
        "variation 0.25, humanise 8 ms, velocity 4",
        "safety: ceiling 80, bar-to-bar change at most 6, accents at most +8, tempo 50-72",
        "expression bars 1-4: dynamics p -> mf",
        "expression bars 5-8: tempo 70 -> 58 (final)",
        "expression bar 8: fermata on beat 3, +1.5 beats",
        "expression bars 1-8: accents +10 on beats 1, 3",
        "expression bars 9-12: accents +16 on eighths 1, 4, 7 of every 8",
        "expression bars 1-8: rubato 0.05 (2-bar phrases, broadening)",
        "vary passes 2-3: inversion, mute bass",
    ):
        assert expected in lines, f"{expected!r} not in:\n{result.stdout}"


def test_show_json_carries_the_shaping(tmp_path):
    path = tmp_path / "shaped.yaml"
    path.write_text(SHAPED, encoding="utf-8")
    info = json.loads(run_cli("show", str(path), "--json").stdout)["shaping"]
    assert info["safety"] == {"ceiling": 80, "max_change": 6, "max_accent": 8, "tempo": [50, 72]}
    assert info["humanise"] == {"timing_ms": 8, "velocity": 4}
    assert len(info["expression"]) == 6 and info["vary"] == ["passes 2-3: inversion, mute bass"]


def test_a_plain_framework_shows_no_limits():
    result = run_cli("show", "holding/dorian-vamp")
    assert "variation 0, humanise off" in result.stdout.splitlines()
    assert "safety:" not in result.stdout
