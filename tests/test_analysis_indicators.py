"""IAP-inspired indicators (numbers, never ratings) on seeded synthetic fixtures."""

from __future__ import annotations

import dataclasses
import math
import random
from pathlib import Path

import pytest

from improv_cli.analysis import indicators
from improv_cli.analysis.dyad import LeadFollow, lead_follow
from improv_cli.analysis.indicators import (
    autonomy,
    normalised_entropy,
    npvi,
    scaled_tension_curve,
    tension,
    tension_curve,
    variability,
)
from improv_cli.analysis.notes import Played

FRAMES = 64
GRADIENTS = ("rigid", "stable", "contrasting", "hypotense", "hypertense", "dependent", "resister")


def looping_cell(bars: int = 8) -> list[Played]:
    cell = [(0.0, 0.5, 60), (0.5, 0.25, 64), (0.75, 0.25, 67), (1.0, 1.0, 64)]
    return [Played(2.0 * bar + o, d, p, 80) for bar in range(bars) for o, d, p in cell]


def uniform_random(seed: int, count: int = 200) -> list[Played]:
    rng = random.Random(seed)
    notes, t = [], 0.0
    for _ in range(count):
        notes.append(Played(t, 0.2, rng.randint(48, 83), 80))
        t += rng.uniform(0.1, 0.6)
    return notes


def constant(value: float) -> list[float]:
    return [value] * FRAMES


def triangle(period: int, seed: int | None = None) -> list[float]:
    """Crescendo–decrescendo cycles of velocity, optionally with seeded jitter (SD 4)."""
    rng = random.Random(seed)
    half = period / 2
    jitter = (lambda: rng.gauss(0.0, 4.0)) if seed is not None else (lambda: 0.0)
    return [40.0 + 60.0 * (1 - abs((k % period) - half) / half) + jitter() for k in range(FRAMES)]


# --- Variability ----------------------------------------------------------------------------


def test_looping_cell_repeats_and_uses_few_pitch_classes() -> None:
    result = variability(looping_cell())
    assert result.repetition > 0.8
    assert result.pitch_entropy == pytest.approx(
        normalised_entropy([0, 4, 4, 7], 12)  # C, E, E, G
    )
    assert result.pitch_entropy < 0.5


@pytest.mark.parametrize("seed", range(5))
def test_uniform_random_notes_are_spread_and_uncorrelated(seed: int) -> None:
    result = variability(uniform_random(seed))
    assert result.pitch_entropy > 0.9
    assert abs(result.pitch_autocorrelation) < 0.2
    assert result.repetition < 0.2


def test_npvi_reference_values() -> None:
    assert npvi([0.5, 0.5, 0.5]) == 0.0
    assert npvi([1.0, 2.0]) == pytest.approx(100.0 / 1.5)
    assert npvi([1.0, 2.0, 1.0, 2.0]) == pytest.approx(100.0 / 1.5)
    assert math.isnan(npvi([1.0]))


def test_isochronous_melody_has_no_timing_variability() -> None:
    notes = [Played(0.5 * k, 0.4, 60 + (k % 3), 80) for k in range(16)]
    result = variability(notes)
    assert result.ioi_cv == pytest.approx(0.0, abs=1e-9)
    assert result.npvi == pytest.approx(0.0, abs=1e-9)


def test_chords_count_as_one_event() -> None:
    chords = [Played(1.0 * k + d, 0.5, p, 80) for k in range(8) for d, p in ((0, 60), (0.02, 64))]
    result = variability(chords)
    assert result.ioi_cv == pytest.approx(0.0, abs=1e-9)  # no 20 ms IOIs
    assert result.interval_entropy == 0.0  # top voice 64 throughout


def test_wide_intervals_are_clipped_to_an_octave() -> None:
    leaps = [Played(0.5 * k, 0.4, 40 + 30 * (k % 2), 80) for k in range(10)]
    repeated = [Played(0.5 * k, 0.4, 40 + 12 * (k % 2), 80) for k in range(10)]
    assert variability(leaps).interval_entropy == variability(repeated).interval_entropy


def test_no_notes_give_nan() -> None:
    result = variability([])
    assert all(math.isnan(v) for v in dataclasses.astuple(result))


def test_indicators_are_numbers_never_gradient_labels() -> None:
    for value in dataclasses.astuple(variability(looping_cell())):
        assert isinstance(value, float)
    text = Path(str(indicators.__file__)).read_text(encoding="utf-8").lower()
    assert not any(f'"{word}"' in text for word in GRADIENTS)


# --- Tension --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [None, *range(8)])
def test_crescendo_cycles_are_periodic(seed: int | None) -> None:
    # with jitter the multiples 16 s and 24 s are often a little higher than 8 s
    velocity = triangle(8, seed)
    curve = tension_curve(velocity, constant(2.0), constant(60), constant(0.1), constant(0.8))
    result = tension(curve, hop=1.0)
    assert result.periodicity > 0.8
    assert result.period == pytest.approx(8.0)


def test_random_loudness_is_less_periodic_than_cycles() -> None:
    rng = random.Random(1)
    noise = [rng.gauss(64.0, 20.0) for _ in range(FRAMES)]
    curve = tension_curve(noise, constant(2.0), constant(60), constant(0.1), constant(0.8))
    cyclic = tension_curve(triangle(8), constant(2.0), constant(60), constant(0.1), constant(0.8))
    assert tension(curve, 1.0).periodicity < tension(cyclic, 1.0).periodicity - 0.3


def test_soft_sparse_consonant_is_lower_than_loud_dense_rough() -> None:
    calm = scaled_tension_curve(
        constant(30), constant(0.5), constant(60), constant(0.02), constant(0.9)
    )
    tense = scaled_tension_curve(
        constant(110), constant(8), constant(60), constant(0.4), constant(0.3)
    )
    low, high = tension(calm, 1.0), tension(tense, 1.0)
    assert 0.0 <= low.level < high.level <= 1.0
    assert low.spread == pytest.approx(0.0, abs=1e-12)
    assert math.isnan(low.periodicity)


def test_tension_curve_is_nan_aware_and_zero_for_constants() -> None:
    velocity = [60.0, math.nan, 100.0, math.nan]
    flat = [1.0] * 4
    nan = [math.nan] * 4
    curve = tension_curve(velocity, flat, flat, flat, nan)
    assert curve[0] == pytest.approx(-1.0 / 4)  # z = −1 averaged with three zeros
    assert curve[1] == 0.0
    assert curve[2] == pytest.approx(1.0 / 4)
    assert all(math.isnan(v) for v in tension_curve(nan, nan, nan, nan, nan))


def test_tension_components_must_align() -> None:
    with pytest.raises(ValueError):
        tension_curve([1.0, 2.0], [1.0], [1.0, 2.0], [1.0, 2.0], [1.0, 2.0])


# --- Autonomy -------------------------------------------------------------------------------


def test_delayed_copy_shows_client_leading() -> None:
    rng = random.Random(7)
    results: list[LeadFollow] = []
    for _ in range(2):  # two features
        client = [0.0]
        for _ in range(119):
            client.append(client[-1] + rng.gauss(0.0, 1.0))
        therapist = [math.nan] * 3 + client[:-3]
        results.append(lead_follow(client, therapist, hop=1.0))
    summary = autonomy(results)
    assert summary.client_leads > summary.client_follows + 0.3


def test_autonomy_ignores_nan_features() -> None:
    nan = float("nan")
    summary = autonomy([LeadFollow(0.8, 0.2, 0.4, 3.0), LeadFollow(nan, nan, nan, nan)])
    assert (summary.client_leads, summary.client_follows, summary.together) == (0.8, 0.2, 0.4)
    assert math.isnan(autonomy([]).client_leads)
