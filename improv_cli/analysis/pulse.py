"""Pulse clarity and tempo of one player's onsets (feature F8).

Re-implemented from the published descriptions, not from any GPL code:

- onset autocorrelation weighted by Parncutt's durational accent: Eerola & Toiviainen (2004),
  *MIDI Toolbox: MATLAB Tools for Music Research* (``onsetacorr``, ``duraccent``); Toiviainen &
  Eerola (2006), "Autocorrelation in meter induction", *JASA* 119(2); Parncutt (1994),
  *Music Perception* 11(4);
- the resonance curve peaking near 0.5 s: Van Noorden & Moelants (1999), "Resonance in the
  perception of musical pulse", *J. New Music Research* 28(1);
- pulse clarity as used for music-therapy improvisations: Erkkilä et al. (2004), Luck et al.
  (2006, 2008).

These functions measure a musical feature of the notes. They are not an assessment or a
diagnosis of the person who played them.

Conventions chosen here:

- The onset signal is the impulse train smoothed by the Gaussian kernel, evaluated with every
  impulse at its exact onset time (not rounded to the 10 ms grid), so that tempo estimates do
  not jitter with the grid.
- ``onset_acf`` always returns ``MAX_LAG / DT + 1`` values. It is all zeros when the window
  holds no onset (zeros, not NaN, so that arrays stay combinable; ``pulse`` reports NaN for
  them). Lags longer than half the window are set to 0, because the bias correction would
  amplify the few overlapping samples there.
- The peak is *chosen* by its height times the resonance weight (so the 0.5 s level wins over
  its multiples, which have the same height for an isochronous stream), but the clarity
  reported is the *unweighted* height, so an isochronous stream has clarity ≈ 1 at any tempo.
- The peak lag is refined by parabolic interpolation; the tempo is folded by octaves into
  ``TEMPO_MIN``–``TEMPO_MAX`` bpm.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from improv_cli.analysis.features import duration_accent
from improv_cli.analysis.notes import Played

DT = 0.01  # s, sampling step of the onset signal
MAX_LAG = 1.5  # s, longest autocorrelation lag
MIN_LAG = 0.125  # s, shortest lag that may carry the pulse
KERNEL_SIGMA = 0.02  # s, Gaussian smoothing of the impulses
KERNEL_SUPPORT = 0.1  # s, half-width of the kernel support
RESONANCE_CENTRE = 0.5  # s, peak of the resonance curve (120 bpm)
RESONANCE_WIDTH = 0.25  # per squared octave
TEMPO_MIN = 50.0  # bpm, tempo reports are folded by octaves into this range
TEMPO_MAX = 240.0

N_LAGS = round(MAX_LAG / DT) + 1
NAN = float("nan")


@dataclass(frozen=True)
class Pulse:
    """Pulse clarity (0–1, unweighted autocorrelation peak) and its tempo in bpm."""

    clarity: float
    tempo: float


def _onset_signal(notes: Sequence[Played], start: float, n: int) -> NDArray[np.float64]:
    """Accent-weighted onsets on an ``n``-sample grid from ``start``, smoothed by the kernel."""
    signal = np.zeros(n)
    half = round(KERNEL_SUPPORT / DT)
    end = start + n * DT
    for note in notes:
        if not start <= note.onset < end:
            continue
        position = (note.onset - start) / DT
        centre = round(position)
        first, last = max(0, centre - half), min(n, centre + half + 1)
        offsets = (np.arange(first, last) - position) * DT
        kernel = np.exp(-0.5 * (offsets / KERNEL_SIGMA) ** 2)
        kernel[np.abs(offsets) > KERNEL_SUPPORT] = 0.0
        signal[first:last] += duration_accent(note.duration) * kernel
    return signal


def _autocorrelation(signal: NDArray[np.float64], n_lags: int) -> NDArray[np.float64]:
    """Normalised, bias-corrected autocorrelation for lags 0..n_lags−1 (zeros if silent)."""
    n = signal.size
    acf = np.zeros(n_lags)
    energy = float(signal @ signal)
    if energy <= 0.0:
        return acf
    for k in range(min(n_lags, n // 2 + 1)):
        raw = float(signal[: n - k] @ signal[k:]) / energy
        acf[k] = raw * n / (n - k)
    return acf


def onset_acf(notes: Sequence[Played], start: float, end: float) -> NDArray[np.float64]:
    """Bias-corrected onset autocorrelation of the notes with onsets in [start, end).

    Lags 0, DT, …, MAX_LAG; value 1 at lag 0, all zeros when there is no onset.
    """
    n = max(0, round((end - start) / DT))
    return _autocorrelation(_onset_signal(notes, start, n), N_LAGS)


def resonance(lags_s: ArrayLike) -> NDArray[np.float64]:
    """Resonance weight max(0, 1 − 0.25·log2(P/0.5)^2) of each lag P in seconds (0 at P ≤ 0)."""
    lags = np.asarray(lags_s, dtype=float)
    positive = lags > 0
    octaves = np.log2(np.where(positive, lags, RESONANCE_CENTRE) / RESONANCE_CENTRE)
    weight = np.maximum(0.0, 1.0 - RESONANCE_WIDTH * octaves**2)
    return np.where(positive, weight, 0.0)


def _refine(values: NDArray[np.float64], k: int) -> tuple[float, float]:
    """Parabolic-interpolated (height, index) of the local maximum at ``k``."""
    left, mid, right = values[k - 1], values[k], values[k + 1]
    curvature = left - 2.0 * mid + right
    if curvature >= 0.0:
        return float(mid), float(k)
    shift = 0.5 * (left - right) / curvature
    return float(mid - 0.25 * (left - right) * shift), k + float(shift)


def strongest_peak(values: ArrayLike) -> tuple[float, float]:
    """(height, lag in s) of the resonance-chosen local maximum at lags ≥ MIN_LAG.

    ``values`` is sampled at lags 0, DT, 2·DT, …. The candidates are strict local maxima with
    a positive value; the one with the largest value × resonance weight wins. Its unweighted,
    interpolated height and lag are returned; (NaN, NaN) when there is no candidate.
    """
    array = np.asarray(values, dtype=float)
    first = max(1, math.ceil(MIN_LAG / DT - 1e-9))
    if array.size < first + 2 or not np.all(np.isfinite(array)):
        return NAN, NAN
    k = np.arange(first, array.size - 1)
    mid = array[k]
    is_peak = (mid > array[k - 1]) & (mid >= array[k + 1]) & (mid > 0.0)
    if not np.any(is_peak):
        return NAN, NAN
    score = np.where(is_peak, mid * resonance(k * DT), -1.0)
    height, index = _refine(array, int(k[int(np.argmax(score))]))
    return height, index * DT


def fold_tempo(bpm: float) -> float:
    """Fold a tempo by octaves into TEMPO_MIN–TEMPO_MAX bpm (NaN stays NaN)."""
    if not math.isfinite(bpm) or bpm <= 0.0:
        return NAN
    while bpm > TEMPO_MAX:
        bpm /= 2.0
    while bpm < TEMPO_MIN:
        bpm *= 2.0
    return bpm


def pulse(acf: ArrayLike) -> Pulse:
    """Pulse clarity and tempo from an ``onset_acf`` result; NaN, NaN when empty or flat."""
    array = np.asarray(acf, dtype=float)
    if array.size == 0 or not array[0] > 0.0:
        return Pulse(NAN, NAN)
    height, lag = strongest_peak(array)
    if math.isnan(lag):
        return Pulse(NAN, NAN)
    return Pulse(clarity=height, tempo=fold_tempo(60.0 / lag))
