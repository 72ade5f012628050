"""Same input and seed: the same bytes. Seeds matter only where the framework allows variation."""

from __future__ import annotations

from pathlib import Path

from improv_cli import api
from improv_cli.api import Overrides

VARIED = """\
title: Varied vamp
key: A minor
tempo: 96
variation: 0.8
groove:
  drums:
    kick: "x... x..."
    snare: "..x. ..x."
    closed-hihat: "xxxx xxxx"
  bass: "1-5- 8-5-"
  comp: "x-.x -.x."
harmony: "i7 | iv7 | v7 | i7"
"""


def render(source: str, tmp_path: Path, name: str, seed: int | None) -> bytes:
    framework = tmp_path / "framework.yaml"
    framework.write_text(source, encoding="utf-8")
    out = tmp_path / f"{name}.mid"
    api.render(str(framework), str(out), None, Overrides(seed=seed, bars=32))
    return out.read_bytes()


def test_same_seed_gives_identical_bytes(tmp_path):
    one = render(VARIED, tmp_path, "one", 7)
    two = render(VARIED, tmp_path, "two", 7)
    assert one == two


def test_library_render_is_byte_identical_across_processes(tmp_path, cli):
    outs = [tmp_path / "a.mid", tmp_path / "b.mid"]
    for out in outs:
        result = cli("render", "holding/dorian-vamp", "-o", str(out), "--seed", "3")
        assert result.returncode == 0, result.stderr
    assert outs[0].read_bytes() == outs[1].read_bytes()


def test_different_seeds_differ_where_variation_is_allowed(tmp_path):
    renders = {render(VARIED, tmp_path, f"s{seed}", seed) for seed in (1, 2, 3)}
    assert len(renders) == 3


def test_without_variation_the_seed_changes_nothing(tmp_path):
    strict = VARIED.replace("variation: 0.8\n", "")
    assert render(strict, tmp_path, "a", 1) == render(strict, tmp_path, "b", 2)


def test_a_longer_render_keeps_its_earlier_bars(tmp_path):
    from improv_cli.engine.realise import realise
    from improv_cli.model.loader import load_framework

    framework_path = tmp_path / "framework.yaml"
    framework_path.write_text(VARIED, encoding="utf-8")
    framework = api.apply(load_framework(str(framework_path)), Overrides(seed=5, bars=8))
    longer = api.apply(framework, Overrides(bars=16))
    short_notes = realise(framework).notes
    long_notes = [n for n in realise(longer).notes if n.start < 8 * 1920]
    assert list(short_notes) == long_notes
