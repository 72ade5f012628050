"""Pulse clarity and tempo (F8) on seeded synthetic onset streams."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from improv_cli.analysis.notes import Played
from improv_cli.analysis.pulse import (
    DT,
    MAX_LAG,
    Pulse,
    fold_tempo,
    onset_acf,
    pulse,
    resonance,
)

WINDOW = 6.0


def isochronous(ioi: float, length: float = WINDOW, duration: float = 0.25) -> list[Played]:
    count = math.ceil(length / ioi - 1e-9)
    return [Played(k * ioi, duration, 60, 80) for k in range(count)]


def poisson(rate: float, length: float, seed: int, duration: float = 0.25) -> list[Played]:
    rng = random.Random(seed)
    notes, t = [], rng.expovariate(rate)
    while t < length:
        notes.append(Played(t, duration, 60, 80))
        t += rng.expovariate(rate)
    return notes


def stretched(notes: list[Played], factor: float) -> list[Played]:
    return [Played(n.onset * factor, n.duration * factor, n.pitch, n.velocity) for n in notes]


def measure(notes: list[Played], length: float = WINDOW) -> Pulse:
    return pulse(onset_acf(notes, 0.0, length))


def test_acf_has_one_value_per_lag_and_one_at_lag_zero() -> None:
    acf = onset_acf(isochronous(0.5), 0.0, WINDOW)
    assert acf.shape == (round(MAX_LAG / DT) + 1,)
    assert acf[0] == pytest.approx(1.0)


def test_acf_without_onsets_in_the_window_is_zero() -> None:
    outside = [Played(-1.0, 0.5, 60, 80), Played(WINDOW, 0.5, 60, 80)]
    assert not np.any(onset_acf(outside, 0.0, WINDOW))
    assert not np.any(onset_acf([], 0.0, WINDOW))


def test_bias_correction_keeps_isochronous_peaks_level() -> None:
    acf = onset_acf(isochronous(0.5), 0.0, WINDOW)
    # without the correction the peak at 1.5 s would be 0.75 of the one at 0.5 s
    assert acf[150] == pytest.approx(acf[50], abs=0.03)


def test_resonance_curve() -> None:
    w = resonance([0.0, 0.125, 0.25, 0.5, 1.0, 2.0, 3.0])
    assert w == pytest.approx([0.0, 0.0, 0.75, 1.0, 0.75, 0.0, 0.0])


def test_isochronous_120_bpm() -> None:
    result = measure(isochronous(0.5))
    assert result.tempo == pytest.approx(120.0, abs=3.0)
    assert result.clarity > 0.8


@pytest.mark.parametrize(("ioi", "bpm"), [(0.6, 100.0), (0.75, 80.0), (60 / 137, 137.0)])
def test_isochronous_tempi(ioi: float, bpm: float) -> None:
    result = measure(isochronous(ioi))
    assert result.tempo == pytest.approx(bpm, abs=3.0)
    assert result.clarity > 0.8


def test_random_onsets_have_clearly_lower_clarity() -> None:
    iso = measure(isochronous(0.5)).clarity
    for seed in range(10):
        random_clarity = measure(poisson(2.0, WINDOW, seed)).clarity
        assert iso - random_clarity > 0.3, seed


@pytest.mark.parametrize("factor", [1.25, 0.8])
def test_time_stretch_divides_tempo(factor: float) -> None:
    base = isochronous(0.6)
    tempo = measure(base).tempo
    slower = measure(stretched(base, factor), WINDOW * factor).tempo
    assert slower / tempo == pytest.approx(1.0 / factor, rel=0.02)


def test_fast_stream_is_reported_at_the_resonant_level() -> None:
    # 240 bpm onsets: the resonance weight chooses the 0.5 s level
    assert measure(isochronous(0.25)).tempo == pytest.approx(120.0, abs=3.0)


def test_resonance_prefers_the_beat_over_the_bar() -> None:
    # long–short pairs at 0.5 s: the raw peak is at the 1 s bar, the weighted choice the beat
    notes = [Played(0.5 * k, 0.4 if k % 2 == 0 else 0.25, 60, 80) for k in range(12)]
    acf = onset_acf(notes, 0.0, WINDOW)
    assert acf[100] > acf[50]
    result = pulse(acf)
    assert result.tempo == pytest.approx(120.0, abs=3.0)
    assert result.clarity == pytest.approx(acf[50], abs=0.02)


def test_fold_tempo_into_range() -> None:
    assert fold_tempo(400.0) == 200.0
    assert fold_tempo(45.0) == 90.0
    assert fold_tempo(100.0) == 100.0
    assert math.isnan(fold_tempo(float("nan")))


def test_empty_or_flat_acf_gives_nan() -> None:
    for acf in (onset_acf([], 0.0, WINDOW), np.array([]), onset_acf([Played(1, 1, 60, 80)], 0, 6)):
        result = pulse(acf)
        assert math.isnan(result.clarity)
        assert math.isnan(result.tempo)
