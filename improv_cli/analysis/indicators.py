"""Numbers inspired by Bruscia's Improvisation Assessment Profiles (IAP), for the therapist.

Bruscia (1987), *Improvisational Models of Music Therapy*, defines the IAP profiles
(Variability, Tension, Autonomy, …) and their five-point gradients. Only the therapist rates
a client on them. This module computes *indicators*: plain numbers about the music, shown next
to the therapist's own rating. It never returns a rating, a gradient name or a class
(reference §2.4: naming a gradient would be the software rating the client). These are
measurements of musical features, not assessments or diagnoses.

Sources of the computations (re-implemented from published descriptions):

- nPVI: Grabe & Low (2002); Patel & Daniele (2003), "An empirical comparison of rhythm in
  language and music", *Cognition* 87(1);
- normalised entropy of pitch-class and interval distributions: Eerola & Toiviainen (2004),
  *MIDI Toolbox* (``entropy``);
- tension composite of loudness, density, register, roughness and tonal clarity, in the spirit
  of Farbood (2012), *Music Perception* 29(4), with MTTB-style features (Erkkilä et al. 2004;
  Luck et al. 2006, 2008);
- Autonomy summary from the initiation / imitation / integration analysis (``dyad``).

Conventions chosen here:

- Melodic measures read *events*: onsets grouped as chords (40 ms), each event represented by
  its highest pitch. Pitch-class entropy counts every note.
- A repetition token is (pitch interval to the next event, IOI ratio in quarter-octave steps
  round(4·log2(IOI_k / IOI_{k−1}))); ``repetition`` is the share of token 3-grams that
  occurred earlier in the sequence.
- ``tension_curve`` is the session-relative z-score composite (its level is 0 by
  construction); ``scaled_tension_curve`` maps each component onto a fixed 0–1 range
  (``TENSION_RANGES``) so that levels are comparable between sessions and players. Pass the
  scaled curve to ``tension`` when its ``level`` should mean something.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from improv_cli.analysis.dyad import CHORD_SPREAD, LeadFollow
from improv_cli.analysis.notes import Played

NAN = float("nan")
FloatArray = NDArray[np.float64]

INTERVAL_CLIP = 12  # semitones; intervals are clipped to ±12 → 25 classes
INTERVAL_CLASSES = 2 * INTERVAL_CLIP + 1
IOI_RATIO_STEPS = 4  # IOI ratio classes per octave in repetition tokens
NGRAM = 3
MIN_PERIOD = 4.0  # s, shortest lag that counts as a tension cycle
MULTIPLE_TOLERANCE = 0.05  # a shorter peak this close to the highest wins (not a multiple)

# Fixed (low, high) ranges that map each tension component onto 0–1 (clipped).
TENSION_RANGES: dict[str, tuple[float, float]] = {
    "velocity": (0.0, 127.0),  # MIDI velocity
    "density": (0.0, 10.0),  # notes per second
    "pitch": (21.0, 108.0),  # MIDI pitch, piano range
    "roughness": (0.0, 0.6),  # F10 units; a minor 2nd at C2 is about 0.60
    "tonal_unclarity": (0.0, 1.0),  # 1 − tonal clarity (a KK correlation)
}


@dataclass(frozen=True)
class Variability:
    """Change and repetition indicators of one player's notes (NaN where undefined)."""

    ioi_cv: float
    npvi: float
    pitch_entropy: float
    interval_entropy: float
    repetition: float
    pitch_autocorrelation: float


@dataclass(frozen=True)
class Tension:
    """Mean and SD of a tension curve, its strongest cycle (autocorrelation) and period (s)."""

    level: float
    spread: float
    periodicity: float
    period: float


@dataclass(frozen=True)
class Autonomy:
    """Mean initiate / imitate / integrate over several features' LeadFollow results."""

    client_leads: float
    client_follows: float
    together: float


# --- Variability ----------------------------------------------------------------------------


def _events(notes: Sequence[Played]) -> tuple[FloatArray, FloatArray]:
    """(onset, highest pitch) of each event: onsets within 40 ms of a group's first are one."""
    onsets: list[float] = []
    tops: list[float] = []
    for note in sorted(notes, key=lambda n: (n.onset, n.pitch)):
        if onsets and note.onset - onsets[-1] <= CHORD_SPREAD:
            tops[-1] = max(tops[-1], float(note.pitch))
        else:
            onsets.append(note.onset)
            tops.append(float(note.pitch))
    return np.array(onsets, dtype=float), np.array(tops, dtype=float)


def _cv(values: FloatArray) -> float:
    if values.size < 2 or values.mean() <= 0:
        return NAN
    return float(values.std(ddof=1) / values.mean())


def npvi(iois: Sequence[float]) -> float:
    """Normalised pairwise variability index of successive durations (NaN below two)."""
    d = np.asarray(iois, dtype=float)
    if d.size < 2 or np.any(d <= 0):
        return NAN
    pairs = np.abs(np.diff(d)) / ((d[:-1] + d[1:]) / 2.0)
    return float(100.0 * pairs.mean())


def normalised_entropy(labels: Sequence[int], classes: int) -> float:
    """Shannon entropy of the label distribution divided by log(classes); NaN if empty."""
    if not labels:
        return NAN
    counts = np.array(list(Counter(labels).values()), dtype=float)
    p = counts / counts.sum()
    return max(0.0, float(-(p * np.log(p)).sum() / math.log(classes)))


def _repetition(pitches: FloatArray, iois: FloatArray) -> float:
    """Share of (interval, IOI-ratio) token 3-grams that already occurred earlier."""
    if iois.size < 2 or np.any(iois <= 0):
        return NAN
    steps = np.rint(IOI_RATIO_STEPS * np.log2(iois[1:] / iois[:-1])).astype(int)
    intervals = np.diff(pitches)[1:].astype(int)
    tokens = list(zip(intervals.tolist(), steps.tolist(), strict=True))
    grams = [tuple(tokens[k : k + NGRAM]) for k in range(len(tokens) - NGRAM + 1)]
    if not grams:
        return NAN
    seen: set[tuple[tuple[int, int], ...]] = set()
    repeats = 0
    for gram in grams:
        repeats += gram in seen
        seen.add(gram)
    return repeats / len(grams)


def autocorrelation(values: FloatArray, lag: int) -> float:
    """Classical autocorrelation estimate at ``lag`` (global mean and variance); NaN if flat."""
    if values.size <= lag:
        return NAN
    centred = values - values.mean()
    energy = float(centred @ centred)
    if energy <= 1e-12 * max(1.0, float(values @ values)):
        return NAN
    return float(centred[:-lag] @ centred[lag:]) / energy if lag else 1.0


def variability(notes: Sequence[Played]) -> Variability:
    """IOI CV, nPVI, pitch-class and interval entropy, repetition, lag-1 pitch autocorrelation."""
    onsets, pitches = _events(notes)
    iois = np.diff(onsets)
    intervals = np.clip(np.diff(pitches), -INTERVAL_CLIP, INTERVAL_CLIP).astype(int)
    return Variability(
        ioi_cv=_cv(iois),
        npvi=npvi(iois.tolist()),
        pitch_entropy=normalised_entropy([n.pitch % 12 for n in notes], 12),
        interval_entropy=normalised_entropy(intervals.tolist(), INTERVAL_CLASSES),
        repetition=_repetition(pitches, iois),
        pitch_autocorrelation=autocorrelation(pitches, 1),
    )


# --- Tension --------------------------------------------------------------------------------


def _components(
    velocity: Sequence[float],
    density: Sequence[float],
    pitch: Sequence[float],
    roughness: Sequence[float],
    tonal_clarity: Sequence[float],
) -> FloatArray:
    """Rows = velocity, density, pitch, roughness, 1 − tonal clarity; columns = frames."""
    rows = [np.asarray(c, dtype=float) for c in (velocity, density, pitch, roughness)]
    rows.append(1.0 - np.asarray(tonal_clarity, dtype=float))
    if len({row.shape for row in rows}) != 1 or rows[0].ndim != 1:
        raise ValueError("tension components must be series of the same length")
    return np.vstack(rows)


def _zscore(row: FloatArray) -> FloatArray:
    """Z-score over the finite values (NaN stays NaN); a constant series gives 0."""
    finite = np.isfinite(row)
    if not np.any(finite):
        return row.copy()
    mean, sd = float(row[finite].mean()), float(row[finite].std())
    if sd <= 1e-12 * max(1.0, abs(mean)):
        return np.where(finite, 0.0, np.nan)
    result: FloatArray = (row - mean) / sd
    return result


def _frame_means(table: FloatArray) -> list[float]:
    """Per column mean of the finite entries; NaN for a column with none."""
    finite = np.isfinite(table)
    counts = finite.sum(axis=0)
    totals = np.where(finite, table, 0.0).sum(axis=0)
    return [float(t / c) if c else NAN for t, c in zip(totals, counts, strict=True)]


def tension_curve(
    velocity: Sequence[float],
    density: Sequence[float],
    pitch: Sequence[float],
    roughness: Sequence[float],
    tonal_clarity: Sequence[float],
) -> list[float]:
    """Per frame: mean z-score (over the session) of the five components, ignoring NaN."""
    table = _components(velocity, density, pitch, roughness, tonal_clarity)
    return _frame_means(np.vstack([_zscore(row) for row in table]))


def scaled_tension_curve(
    velocity: Sequence[float],
    density: Sequence[float],
    pitch: Sequence[float],
    roughness: Sequence[float],
    tonal_clarity: Sequence[float],
) -> list[float]:
    """Per frame: mean of the components mapped onto 0–1 by ``TENSION_RANGES``, ignoring NaN."""
    table = _components(velocity, density, pitch, roughness, tonal_clarity)
    bounds = np.array(list(TENSION_RANGES.values()))
    low, high = bounds[:, :1], bounds[:, 1:]
    return _frame_means(np.clip((table - low) / (high - low), 0.0, 1.0))


def _cycle(curve: FloatArray, hop: float) -> tuple[float, float]:
    """(height, lag s) of the highest local autocorrelation peak at lags ≥ MIN_PERIOD.

    Bias-corrected autocorrelation up to half the curve; among the peaks within
    MULTIPLE_TOLERANCE of the highest the shortest lag wins, so that a cycle is not reported
    at a multiple of its period.
    """
    finite = np.isfinite(curve)
    if np.count_nonzero(finite) < 3:
        return NAN, NAN
    centred = np.where(finite, curve - curve[finite].mean(), 0.0)
    energy = float(centred @ centred)
    if energy <= 1e-12 * max(1.0, float(np.abs(curve[finite]).max()) ** 2):
        return NAN, NAN
    n = centred.size
    first = max(1, math.ceil(MIN_PERIOD / hop - 1e-9))
    lags = np.arange(n // 2 + 1)
    acf = np.array([centred[: n - k] @ centred[k:] / energy * n / (n - k) for k in lags])
    peaks = [k for k in range(first, acf.size - 1) if acf[k] > acf[k - 1] and acf[k] >= acf[k + 1]]
    if not peaks:
        return NAN, NAN
    highest = max(float(acf[k]) for k in peaks)
    k = next(k for k in peaks if acf[k] >= highest - MULTIPLE_TOLERANCE)
    return float(acf[k]), float(k * hop)


def tension(curve: Sequence[float], hop: float) -> Tension:
    """Level (mean), spread (SD) and strongest cycle (lags ≥ 4 s) of a tension curve.

    With ``scaled_tension_curve`` the level is on the fixed 0–1 scale; with the z-scored
    ``tension_curve`` it is 0 by construction and only spread and cycle are informative.
    NaN frames are left out of the mean and SD and count as the mean in the autocorrelation.
    """
    if hop <= 0:
        raise ValueError("hop must be positive")
    values = np.asarray(curve, dtype=float)
    finite = values[np.isfinite(values)]
    level = float(finite.mean()) if finite.size else NAN
    spread = float(finite.std()) if finite.size else NAN
    periodicity, period = _cycle(values, hop)
    return Tension(level=level, spread=spread, periodicity=periodicity, period=period)


# --- Autonomy -------------------------------------------------------------------------------


def _nanmean(values: Sequence[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else NAN


def autonomy(results: Sequence[LeadFollow]) -> Autonomy:
    """Mean initiate, imitate and integrate over LeadFollow results (e.g. one per feature)."""
    return Autonomy(
        client_leads=_nanmean([r.initiate for r in results]),
        client_follows=_nanmean([r.imitate for r in results]),
        together=_nanmean([r.integrate for r in results]),
    )
