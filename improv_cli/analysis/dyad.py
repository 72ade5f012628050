"""Client–therapist interaction measures (features I1 and I2, plus overlap and coincidence).

Re-implemented from the published descriptions, not from any GPL code:

- pulse synchronicity ("sync", "syntempo") as the lag-wise product of the two players' onset
  autocorrelations: Erkkilä et al. (2004), "Intelligent music systems in music therapy",
  *Music Therapy Today* V(5); Luck et al. (2006), *Nordic J. Music Therapy* 15(1);
- the imitation / initiation / integration analysis of feature curves: Erkkilä et al. (2004);
  Erkkilä, Ala-Ruona & Lartillot (2014);
- proportion of coincident onsets: Eerola & Toiviainen (2004), *MIDI Toolbox* (``concur``).

These functions measure how two players' musical features relate. They are not an assessment
or a diagnosis of either person, and they do not name an IAP Autonomy gradient (Bruscia 1987):
that rating belongs to the therapist.

Conventions chosen here:

- ``sync`` picks the product peak like ``pulse.strongest_peak``: local maxima at lags
  ≥ 0.125 s, chosen by product × resonance weight, reported unweighted. Without the weight,
  lag 1.2 s competes with 0.6 s for two 100 bpm players (equal product up to edge effects).
- ``lead_follow`` uses every frame as a segment start (segments overlap), indexes the
  correlation matrix by the client's segment start (time) and the therapist-minus-client
  offset (lag, positive = therapist later), and gives ``integrate`` a Gaussian lag weight with
  σ = one hop (weights 1, 0.61, 0.14 at 0, ±1, ±2 hops).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from improv_cli.analysis.features import TOGETHER
from improv_cli.analysis.notes import Played
from improv_cli.analysis.pulse import fold_tempo, strongest_peak

CHORD_SPREAD = TOGETHER  # s, onsets this close to a group's first onset count as one onset
COINCIDENCE_TOLERANCE = 0.05  # s
INTEGRATE_SIGMA_HOPS = 1.0  # σ of the lag-0 weight of `integrate`, in frames
FLAT_SD = 1e-10  # relative SD below which a segment counts as flat

NAN = float("nan")
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class LeadFollow:
    """Mean best correlation when the client leads, follows, or moves together; lag in s."""

    initiate: float
    imitate: float
    integrate: float
    lag: float


# --- I1 pulse synchronicity -----------------------------------------------------------------


def _usable(acf: FloatArray) -> bool:
    return acf.size > 0 and bool(np.all(np.isfinite(acf))) and bool(np.any(acf[1:] != 0.0))


def sync(acf_a: ArrayLike, acf_b: ArrayLike) -> tuple[float, float]:
    """(sync, syntempo in bpm) from two ``onset_acf`` results; NaN, NaN if either is empty."""
    a, b = np.asarray(acf_a, dtype=float), np.asarray(acf_b, dtype=float)
    if not (_usable(a) and _usable(b)):
        return NAN, NAN
    size = min(a.size, b.size)
    height, lag = strongest_peak(a[:size] * b[:size])
    if math.isnan(lag):
        return NAN, NAN
    return height, fold_tempo(60.0 / lag)


# --- overlap and coincidence ----------------------------------------------------------------


def _union(notes: Sequence[Played]) -> list[tuple[float, float]]:
    """The player's sounding time as sorted, disjoint intervals."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted((n.onset, n.end) for n in notes if n.duration > 0):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _length(intervals: Sequence[tuple[float, float]]) -> float:
    return sum(end - start for start, end in intervals)


def _intersection(a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]) -> float:
    total, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        total += max(0.0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def overlap(a: Sequence[Played], b: Sequence[Played]) -> float:
    """Time both players sound / time either sounds (0–1); NaN if nobody sounds."""
    ua, ub = _union(a), _union(b)
    both = _intersection(ua, ub)
    either = _length(ua) + _length(ub) - both
    return both / either if either > 0 else NAN


def distinct_onsets(notes: Sequence[Played], spread: float = CHORD_SPREAD) -> list[float]:
    """Sorted onsets with each chord (onsets within ``spread`` s of its first) counted once."""
    groups: list[float] = []
    for onset in sorted(n.onset for n in notes):
        if not groups or onset - groups[-1] > spread:
            groups.append(onset)
    return groups


def _matched(own: FloatArray, other: FloatArray, tolerance: float) -> int:
    """How many of ``own`` have an onset of ``other`` (sorted) within ``tolerance``."""
    right = np.clip(np.searchsorted(other, own), 0, other.size - 1)
    left = np.clip(right - 1, 0, other.size - 1)
    nearest = np.minimum(np.abs(other[right] - own), np.abs(other[left] - own))
    return int(np.count_nonzero(nearest <= tolerance + 1e-9))


def coincidence(
    a: Sequence[Played], b: Sequence[Played], tolerance: float = COINCIDENCE_TOLERANCE
) -> float:
    """Share of both players' distinct onsets that the other player meets within ``tolerance``."""
    oa, ob = np.array(distinct_onsets(a)), np.array(distinct_onsets(b))
    if oa.size == 0 or ob.size == 0:
        return NAN
    hits = _matched(oa, ob, tolerance) + _matched(ob, oa, tolerance)
    return hits / (oa.size + ob.size)


# --- I2 initiation / imitation / integration ------------------------------------------------


def _segments(series: FloatArray, k: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per segment start: mean-removed rows, means and SDs (rows with NaN are all NaN)."""
    rows = np.lib.stride_tricks.sliding_window_view(series, k).copy()
    rows[~np.all(np.isfinite(rows), axis=1)] = np.nan
    means = rows.mean(axis=1)
    centred = rows - means[:, None]
    sds = np.sqrt((centred**2).mean(axis=1))
    return centred, means, sds


def _pair_scores(
    x: tuple[FloatArray, FloatArray, FloatArray],
    y: tuple[FloatArray, FloatArray, FloatArray],
    span: float,
    flat: float,
) -> FloatArray:
    """Penalised correlation of paired segment rows; NaN where a segment is missing."""
    (cx, mx, sx), (cy, my, sy) = x, y
    valid = np.isfinite(mx) & np.isfinite(my)
    scores = np.full(mx.shape, np.nan)
    sx, sy = sx[valid], sy[valid]
    live = (sx > flat) & (sy > flat)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(live, (cx[valid] * cy[valid]).mean(axis=1) / (sx * sy), 0.0)
        ratio = np.where(live, np.minimum(sx, sy) / np.maximum(sx, sy), 0.0)
    level = (1.0 - np.abs(mx[valid] - my[valid]) / span) ** 3 if span > 0 else 1.0
    scores[valid] = np.clip(r, -1.0, 1.0) * level * ratio
    return scores


def _lag_matrix(x: FloatArray, y: FloatArray, k: int, max_shift: int) -> FloatArray:
    """Scores indexed [client segment start, lag + max_shift]; lag = therapist − client."""
    finite = np.concatenate([x[np.isfinite(x)], y[np.isfinite(y)]])
    span = float(finite.max() - finite.min()) if finite.size else 0.0
    flat = FLAT_SD * max(span, float(np.abs(finite).max()) if finite.size else 0.0, 1e-300)
    sx, sy = _segments(x, k), _segments(y, k)
    n = sx[1].size
    matrix = np.full((n, 2 * max_shift + 1), np.nan)
    for column, lag in enumerate(range(-max_shift, max_shift + 1)):
        i = np.arange(max(0, -lag), min(n, n - lag))
        if i.size == 0:
            continue
        j = i + lag
        pair_x = (sx[0][i], sx[1][i], sx[2][i])
        pair_y = (sy[0][j], sy[1][j], sy[2][j])
        matrix[i, column] = _pair_scores(pair_x, pair_y, span, flat)
    return matrix


def _mean_best(matrix: FloatArray, weights: FloatArray) -> float:
    """Time-average of each row's best weighted non-negative score (rows without data skipped)."""
    present = np.isfinite(matrix)
    rows = np.any(present, axis=1)
    if matrix.shape[1] == 0 or not np.any(rows):
        return NAN
    scored = np.where(present, np.maximum(matrix, 0.0), 0.0) * weights
    return float(scored[rows].max(axis=1).mean())


def _strongest_lag(matrix: FloatArray, lags: FloatArray) -> float:
    present = np.isfinite(matrix)
    counts = present.sum(axis=0)
    if not np.any(counts):
        return NAN
    totals = np.where(present, matrix, 0.0).sum(axis=0)
    means = np.where(counts > 0, totals / np.maximum(counts, 1), -np.inf)
    return float(lags[int(np.argmax(means))])


def lead_follow(
    x: Sequence[float],
    y: Sequence[float],
    hop: float,
    segment: int = 5,
    max_lag: float = 20.0,
) -> LeadFollow:
    """Initiation / imitation / integration of a feature: x = client, y = therapist.

    ``initiate`` averages over time the best score at lags where the therapist is later (the
    client leads), ``imitate`` where the client is later, ``integrate`` the best score weighted
    by a Gaussian around lag 0. ``lag`` (s) is the lag of the best time-averaged score,
    positive when the therapist follows. NaN when no pair of complete segments exists.
    """
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xa.shape != ya.shape or xa.ndim != 1:
        raise ValueError("client and therapist series must have the same length")
    if hop <= 0 or segment < 2:
        raise ValueError("hop must be positive and segment at least 2 frames")
    if xa.size < segment:
        return LeadFollow(NAN, NAN, NAN, NAN)
    max_shift = max(0, min(math.floor(max_lag / hop + 1e-9), xa.size - segment))
    matrix = _lag_matrix(xa, ya, segment, max_shift)
    frames = np.arange(-max_shift, max_shift + 1, dtype=float)
    gauss = np.exp(-0.5 * (frames / INTEGRATE_SIGMA_HOPS) ** 2)
    return LeadFollow(
        initiate=_mean_best(matrix[:, frames > 0], np.ones(int(np.sum(frames > 0)))),
        imitate=_mean_best(matrix[:, frames < 0], np.ones(int(np.sum(frames < 0)))),
        integrate=_mean_best(matrix, gauss),
        lag=_strongest_lag(matrix, frames * hop),
    )
