"""Per-player features of a clinical improvisation: what was played, measured note by note.

These are the per-channel features of the Music Therapy Toolbox (MTTB), re-implemented from
their published descriptions (no MATLAB code was ported):

- note density, whole-excerpt density (Eerola & Toiviainen 2004, *MIDI Toolbox*);
- mean perceived duration, the Parncutt (1994) durational accent;
- register (mean pitch), pitch spread and dynamics (mean velocity);
- articulation, the silent share of the time between onsets inside phrases, and silence, the
  share of the whole improvisation spent in long pauses (Luck et al. 2006, 2008);
- tonal clarity, majorness and minorness: correlation of the duration-weighted pitch-class
  distribution with the Krumhansl–Kessler key profiles (Krumhansl 1990);
- sensory dissonance (roughness) of each note against what still sounds, after the
  Plomp–Levelt curve as parametrised by Sethares (1998, *Tuning, Timbre, Spectrum, Scale*).

They describe the music, never the person: none of them is an assessment or a diagnosis, and
interpreting them clinically belongs to the therapist.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from improv_cli.analysis.notes import Played

SATURATION = 0.5  # s, Parncutt's saturation duration τ
ACCENT_INDEX = 2  # Parncutt's accent index i
TOGETHER = 0.040  # s, onsets this close are one onset (a chord), for articulation
PHRASE_BREAK = 2.0  # s, a longer silent gap ends a phrase and leaves the articulation sums
RESONANCE_CAP = 5.0  # s, a note counts as sounding for at most this long, for silence
LONG_PAUSE = 2.0  # s, only the part of a pause beyond this counts as silence
MEMORY = 1.0  # s, an ended note still roughens a new one until this long after its end
DECAY = 1.0  # s, time constant of the piano-like amplitude decay of a sounding note
HARMONICS = 6  # partials per note, for roughness
ROLLOFF = 0.8  # amplitude ratio of successive partials

KK_MAJOR = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
KK_MINOR = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)
TONICS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
KEY_NAMES = tuple(f"{t} major" for t in TONICS) + tuple(f"{t} minor" for t in TONICS)


def _unit_profiles() -> NDArray[np.float64]:
    """The 24 rotated profiles (12 major keys from C, then 12 minor), centred, of unit norm."""
    rows = [np.roll(np.array(p), t) for p in (KK_MAJOR, KK_MINOR) for t in range(12)]
    profiles = np.array(rows, dtype=np.float64)
    centred = profiles - profiles.mean(axis=1, keepdims=True)
    unit: NDArray[np.float64] = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    return unit


PROFILES = _unit_profiles()


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else math.nan


def duration_accent(duration: float) -> float:
    """Parncutt's durational accent D(d) = (1 − e^(−d/0.5 s))²; a negative d counts as 0."""
    return (1.0 - math.exp(-max(duration, 0.0) / SATURATION)) ** ACCENT_INDEX


def density(notes: Sequence[Played], span: float) -> float:
    """F1: notes per second in a window `span` seconds long (0.0 for an empty window)."""
    if not notes:
        return 0.0
    if span <= 0:
        raise ValueError(f"span must be positive, not {span}")
    return len(notes) / span


def whole_density(notes: Sequence[Played]) -> float:
    """MIDI Toolbox whole-excerpt density (N − 1)/(last onset − first onset); NaN under 2 onsets."""
    onsets = [n.onset for n in notes]
    if not onsets or max(onsets) <= min(onsets):
        return math.nan
    return (len(onsets) - 1) / (max(onsets) - min(onsets))


def mean_duration(notes: Sequence[Played]) -> float:
    """F2: mean durational accent of the notes, in [0, 1); NaN when there are none."""
    return _mean([duration_accent(n.duration) for n in notes])


def mean_pitch(notes: Sequence[Played]) -> float:
    """F3: register, the mean MIDI pitch; NaN when there are no notes."""
    return _mean([float(n.pitch) for n in notes])


def pitch_spread(notes: Sequence[Played]) -> float:
    """F4: sample standard deviation (N − 1) of the pitches; 0.0 for one note, NaN for none."""
    if len(notes) < 2:
        return 0.0 if notes else math.nan
    return float(statistics.stdev(n.pitch for n in notes))


def mean_velocity(notes: Sequence[Played]) -> float:
    """F5: dynamics, the mean MIDI velocity; NaN when there are no notes."""
    return _mean([float(n.velocity) for n in notes])


def _onset_groups(notes: Sequence[Played]) -> list[tuple[float, float]]:
    """(onset, latest end) of each run of notes struck within TOGETHER of the run's first."""
    groups: list[tuple[float, float]] = []
    for note in sorted(notes, key=lambda n: n.onset):
        if groups and note.onset - groups[-1][0] <= TOGETHER:
            groups[-1] = (groups[-1][0], max(groups[-1][1], note.end))
        else:
            groups.append((note.onset, note.end))
    return groups


def articulation(notes: Sequence[Played]) -> float:
    """F6: the silent share of inter-onset time inside phrases, 0 legato … 1 staccato.

    For consecutive onsets, gap = next onset − end of the earlier note; an overlap (gap ≤ 0)
    counts as 0, and a pair whose gap exceeds 2 s is a phrase break, left out of both sums.
    The result is Σ gaps / Σ inter-onset intervals; NaN when no pair counts.
    Notes struck within 40 ms of each other are one onset (a chord) whose end is the end of
    its longest-lasting note, so a chord is never an IOI of 0.
    """
    groups = _onset_groups(notes)
    pairs = [(nxt[0] - cur[1], nxt[0] - cur[0]) for cur, nxt in itertools.pairwise(groups)]
    kept = [(max(gap, 0.0), ioi) for gap, ioi in pairs if gap <= PHRASE_BREAK]
    if not kept:
        return math.nan
    return math.fsum(g for g, _ in kept) / math.fsum(i for _, i in kept)


def _excess(pause: float) -> float:
    return max(0.0, pause - LONG_PAUSE)


def silence(notes: Sequence[Played], total: float) -> float:
    """F7: the share of the whole improvisation (`total` seconds) spent in long pauses.

    A note sounds for at most 5 s (its resonance). Every pause between sounding — before the
    first onset, between notes, and after the last sound up to `total` (a player who stops
    early is silent until the end of the file) — adds the part of it beyond 2 s.
    NaN for no notes or a non-positive `total`.
    """
    if not notes or total <= 0:
        return math.nan
    silent, reach = 0.0, 0.0
    for note in sorted(notes, key=lambda n: n.onset):
        silent += _excess(note.onset - reach)
        reach = max(reach, note.onset + min(note.duration, RESONANCE_CAP))
    return (silent + _excess(total - reach)) / total


@dataclass(frozen=True)
class Tonality:
    """F9: best correlation with any key, with any major key, with any minor key; best key."""

    clarity: float
    majorness: float
    minorness: float
    key: str  # "A minor", "C major"; "" when undefined


UNDEFINED_TONALITY = Tonality(math.nan, math.nan, math.nan, "")


def _pitch_class_distribution(notes: Sequence[Played]) -> NDArray[np.float64]:
    """Pitch classes weighted by durational accent (MIDI Toolbox `pcdist1`, unnormalised)."""
    dist = np.zeros(12, dtype=np.float64)
    for note in notes:
        dist[note.pitch % 12] += duration_accent(note.duration)
    return dist


def _key_correlations(dist: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """Pearson correlation with the 24 profiles, or None for a flat (zero-variance) input."""
    top = float(dist.max())
    if top <= 0 or float(np.ptp(dist)) <= 1e-9 * top:
        return None
    centred = dist - dist.mean()
    result: NDArray[np.float64] = PROFILES @ (centred / np.linalg.norm(centred))
    return result


def tonality(notes: Sequence[Played]) -> Tonality:
    """F9: Krumhansl–Kessler key correlations of the duration-weighted pitch classes.

    All NaN and key "" for no notes or a flat distribution (e.g. the 12-tone aggregate).
    Ties go to the first key in KEY_NAMES order (major keys from C, then minor).
    """
    corr = _key_correlations(_pitch_class_distribution(notes))
    if corr is None:
        return UNDEFINED_TONALITY
    best = int(np.argmax(corr))
    return Tonality(
        float(corr[best]), float(corr[:12].max()), float(corr[12:].max()), KEY_NAMES[best]
    )


def _spectrum(note: Played) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Frequencies (Hz, 12-TET from A4 = 440) and amplitudes of the note's harmonics."""
    k = np.arange(HARMONICS, dtype=np.float64)
    fundamental = 440.0 * 2.0 ** ((note.pitch - 69) / 12)
    return fundamental * (k + 1), (note.velocity / 127) * ROLLOFF**k


def _pair_dissonance(a: Played, b: Played) -> float:
    """Sethares' Plomp–Levelt curve summed over all partial pairs, amplitude-product weighted."""
    (fa, aa), (fb, ab) = _spectrum(a), _spectrum(b)
    s = 0.24 / (0.021 * np.minimum.outer(fa, fb) + 19.0)
    spacing = s * np.abs(np.subtract.outer(fa, fb))
    curve = np.exp(-3.5 * spacing) - np.exp(-5.75 * spacing)
    return float(np.sum(np.outer(aa, ab) * curve))


def _weight(earlier: Played, onset: float) -> float:
    """Decay e^(−elapsed/τ) since the earlier note's onset, times a linear fade once it ended."""
    gap = onset - earlier.end
    fade = 1.0 if gap <= 0 else 1.0 - gap / MEMORY
    return math.exp(-(onset - earlier.onset) / DECAY) * fade


def _latest_per_pitch(notes: Sequence[Played]) -> list[Played]:
    latest = {note.pitch: note for note in notes}  # later notes replace earlier ones
    return list(latest.values())


def _roughness_against(note: Played, context: Sequence[Played]) -> float:
    pairs = (_weight(j, note.onset) * _pair_dissonance(note, j) for j in context)
    return math.fsum(pairs)


def note_roughness(notes: Sequence[Played]) -> list[float]:
    """F10: sensory dissonance of each note against the notes heard just before it.

    Notes are taken in onset order, ties by pitch; each is compared with every earlier one
    still sounding or ended less than 1 s before its onset, one (the latest) note per pitch.
    Each note has 6 harmonics of amplitude (v/127)·0.8^(k−1); every partial pair adds
    Sethares' d(f1, f2) = e^(−3.5·s·Δf) − e^(−5.75·s·Δf), s = 0.24/(0.021·min(f1, f2) + 19),
    times the product of the two amplitudes. The earlier note is weighted by a piano-like
    decay e^(−(onset − its onset)/τ), τ = DECAY = 1 s, and, once it has ended, by the fade
    1 − gap/1 s. No normalisation constant is needed: a C4 dyad struck together gives
    P8 0.0053, unison 0.0064, P5 0.072, P4 0.143, M2 0.341, m2 0.447.
    Notes struck together thus sound against each other: the later-listed is the new one.
    One value per note, in the order of `notes`; an isolated note gives 0.
    """
    order = sorted(range(len(notes)), key=lambda i: (notes[i].onset, notes[i].pitch))
    values = [0.0] * len(notes)
    heard: list[Played] = []
    for index in order:
        note = notes[index]
        heard = [j for j in heard if note.onset - j.end < MEMORY]
        values[index] = _roughness_against(note, _latest_per_pitch(heard))
        heard.append(note)
    return values


def mean_roughness(values: Sequence[float]) -> float:
    """Mean of per-note roughness values (a frame's dissonance); NaN when there are none."""
    return _mean(list(values))
