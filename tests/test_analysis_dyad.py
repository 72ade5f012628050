"""Client–therapist measures: pulse sync (I1), overlap, coincidence, lead/follow (I2)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from improv_cli.analysis.dyad import (
    coincidence,
    distinct_onsets,
    lead_follow,
    overlap,
    sync,
)
from improv_cli.analysis.notes import Played
from improv_cli.analysis.pulse import onset_acf

WINDOW = 6.0


def isochronous(
    ioi: float, length: float = WINDOW, duration: float = 0.25, offset: float = 0.0
) -> list[Played]:
    count = math.ceil((length - offset) / ioi - 1e-9)
    return [Played(offset + k * ioi, duration, 60, 80) for k in range(count)]


def acf_of(notes: list[Played]) -> np.ndarray:
    return onset_acf(notes, 0.0, WINDOW)


def walk(seed: int, frames: int = 120) -> list[float]:
    rng = random.Random(seed)
    value, series = 0.0, []
    for _ in range(frames):
        value += rng.gauss(0.0, 1.0)
        series.append(value)
    return series


def delayed(series: list[float], frames: int) -> list[float]:
    return [math.nan] * frames + series[:-frames]


# --- sync ---------------------------------------------------------------------------------


def test_locked_players_sync_at_their_tempo() -> None:
    value, tempo = sync(acf_of(isochronous(0.6)), acf_of(isochronous(0.6, offset=0.1)))
    assert value > 0.9
    assert tempo == pytest.approx(100.0, abs=3.0)


def test_mismatched_tempi_sync_markedly_lower() -> None:
    client = acf_of(isochronous(0.6))
    locked, _ = sync(client, acf_of(isochronous(0.6)))
    mismatched, _ = sync(client, acf_of(isochronous(60 / 137)))
    assert locked - mismatched > 0.3
    assert mismatched < 0.2


def test_silent_player_gives_nan_sync() -> None:
    for other in (acf_of([]), np.array([])):
        value, tempo = sync(acf_of(isochronous(0.6)), other)
        assert math.isnan(value)
        assert math.isnan(tempo)


# --- overlap --------------------------------------------------------------------------------


def test_overlap_of_identical_parts_is_one() -> None:
    part = isochronous(0.5, duration=0.4)
    assert overlap(part, part) == pytest.approx(1.0)


def test_overlap_of_alternating_turns_is_zero() -> None:
    client = [Played(2.0 * k, 1.0, 60, 80) for k in range(5)]
    therapist = [Played(2.0 * k + 1.0, 1.0, 48, 80) for k in range(5)]
    assert overlap(client, therapist) == 0.0


def test_half_overlap() -> None:
    client = [Played(0.0, 2.0, 60, 80), Played(0.5, 1.0, 64, 80)]  # chord: union 0–2
    therapist = [Played(1.0, 2.0, 48, 80)]
    assert overlap(client, therapist) == pytest.approx(1.0 / 3.0)


def test_overlap_when_nobody_sounds_is_nan() -> None:
    assert math.isnan(overlap([], []))


# --- coincidence ----------------------------------------------------------------------------


def test_coincidence_identical_and_offset() -> None:
    part = isochronous(0.5)
    assert coincidence(part, part) == 1.0
    assert coincidence(part, isochronous(0.5, offset=0.25)) == 0.0


def test_coincidence_counts_a_chord_once() -> None:
    chord = [Played(0.0, 1, 60, 80), Played(0.01, 1, 64, 80), Played(0.03, 1, 67, 80)]
    assert distinct_onsets(chord) == [0.0]
    assert coincidence(chord, [Played(0.02, 1, 48, 80)]) == 1.0


def test_coincidence_partial_share() -> None:
    client = isochronous(0.5)  # 12 onsets
    therapist = isochronous(1.0)  # 6 onsets, all on client onsets
    assert coincidence(client, therapist) == pytest.approx((6 + 6) / (12 + 6))


def test_coincidence_with_a_silent_player_is_nan() -> None:
    assert math.isnan(coincidence(isochronous(0.5), []))


# --- lead / follow --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_therapist_delayed_copy_means_client_initiates(seed: int) -> None:
    client = walk(seed)
    result = lead_follow(client, delayed(client, 3), hop=1.0)
    assert result.initiate > 0.9
    assert result.initiate - result.imitate > 0.4
    assert result.lag == pytest.approx(3.0)


def test_client_delayed_copy_means_client_imitates() -> None:
    therapist = walk(3)
    result = lead_follow(delayed(therapist, 3), therapist, hop=1.0)
    assert result.imitate - result.initiate > 0.4
    assert result.lag == pytest.approx(-3.0)


def test_lag_is_in_seconds() -> None:
    client = walk(4)
    assert lead_follow(client, delayed(client, 3), hop=0.5).lag == pytest.approx(1.5)


def test_identical_series_integrate() -> None:
    client = walk(5)
    result = lead_follow(client, client, hop=1.0)
    assert result.integrate > 0.99
    assert result.lag == 0.0


def test_independent_walks_stay_low_on_average() -> None:
    results = [lead_follow(walk(seed), walk(100 + seed), hop=1.0) for seed in range(10)]
    assert np.mean([r.initiate for r in results]) < 0.3
    assert np.mean([r.imitate for r in results]) < 0.3
    assert np.mean([r.integrate for r in results]) < 0.3


def test_flat_series_give_zero_not_warnings() -> None:
    result = lead_follow([1.0] * 30, [1.0] * 30, hop=1.0)
    assert (result.initiate, result.imitate, result.integrate) == (0.0, 0.0, 0.0)


def test_nan_frames_skip_their_segments() -> None:
    client = walk(6)
    client[50:55] = [math.nan] * 5
    result = lead_follow(client, delayed(client, 2), hop=1.0)
    assert result.lag == pytest.approx(2.0)
    assert result.initiate > 0.9


def test_all_nan_or_short_series_give_nan() -> None:
    assert math.isnan(lead_follow([math.nan] * 20, walk(1, 20), hop=1.0).initiate)
    assert math.isnan(lead_follow([1.0, 2.0], [1.0, 2.0], hop=1.0).lag)


def test_lead_follow_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        lead_follow(walk(1, 20), walk(2, 21), hop=1.0)
