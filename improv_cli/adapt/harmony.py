"""A song's harmony, bar by bar, in the target mode: its own chord symbols where the file has
them, else a harmonisation from the melody.

Chords are placed a beat at a time (improv's harmony shares a bar equally between its
chords, so a bar of beats holds a change on any beat). In the song's own key the chord
symbols are kept as they are; re-coloured into another mode, each becomes the numeral on its
root's degree with the target mode's own chord there (`IV` of a major song is `IV` in
dorian too, its `V` becomes `v`), so the accompaniment follows the mode.

Harmonising (no chord symbols): each beat's melody notes weigh by their length there,
doubled on the downbeat and half as much again on the bar's middle; every triad of the mode
scores the weight of the notes it contains, and the best wins, preferring I, V, IV, vi, ii,
iii, vii on a tie. One chord a bar, or one a half bar when the halves agree better with two;
the first full bar and the last bar take I.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from improv_cli.adapt.degrees import degree_index, spelled_degree, step_and_alter
from improv_cli.engine.song import SongBar, SongChord, SongNote
from improv_cli.model.framework import Key, Meter
from improv_cli.model.syntax import ROMAN
from improv_cli.model.tables import PITCH_CLASSES

PREFERENCE = (0, 4, 3, 5, 1, 2, 6)  # I V IV vi ii iii vii: the order that wins a tie
SYMBOL_KINDS = {  # (quality, seventh) -> the kind written after the root
    ("major", False): "",
    ("major", True): "maj7",
    ("minor", False): "m",
    ("minor", True): "m7",
    ("dominant", False): "",
    ("dominant", True): "7",
    ("diminished", False): "dim",
    ("diminished", True): "m7b5",
    ("augmented", False): "aug",
    ("augmented", True): "aug7",
}


@dataclass(frozen=True, slots=True)
class BarHarmony:
    chords: tuple[str, ...]  # sharing the bar equally
    strongest: int | None = None  # degree index of the bar's strongest melody note
    holds_strongest: bool = False  # whether the chord under that note contains it


def numeral(key: Key, index: int, seventh: bool = False) -> str:
    """The numeral of the mode's own chord on degree `index` (0-6): case and quality from
    its third and fifth in the mode (`ii`, `V`, `viio`, `III+`)."""
    intervals = key.intervals
    third = (intervals[(index + 2) % 7] - intervals[index]) % 12
    fifth = (intervals[(index + 4) % 7] - intervals[index]) % 12
    text = ROMAN[index] if third == 4 else ROMAN[index].lower()
    text += {6: "o", 8: "+"}.get(fifth, "")
    return text + ("7" if seventh else "")


def symbol(chord: SongChord) -> str:
    """A chord symbol improv reads, from the song's chord (its root, quality and seventh)."""
    accidental = {-2: "bb", -1: "b", 0: "", 1: "#", 2: "##"}[chord.root_alter]
    kind = SYMBOL_KINDS.get((chord.quality, chord.seventh), "7" if chord.seventh else "")
    return f"{chord.root_step}{accidental}{kind}"


def recoloured(chord: SongChord, song_key: Key, key: Key) -> str:
    """The song's chord as the target mode's chord on the same degree; a chromatic root
    (bVII in a major song) keeps its accidental and the chord's own third."""
    root_pc = PITCH_CLASSES[chord.root_step] + chord.root_alter
    index, alter = step_and_alter(song_key, chord.root_step, root_pc)
    if alter == 0:
        return numeral(key, index, chord.seventh)
    major = chord.quality in ("major", "dominant", "augmented")
    name = ROMAN[index] if major else ROMAN[index].lower()
    return ("#" if alter > 0 else "b") + name + ("7" if chord.seventh else "")


def beats_of(bar: SongBar) -> list[tuple[int, int]]:
    """(start, ticks) of each beat of a bar: dotted quarters in 6/8, 9/8 and 12/8."""
    beat = Meter(bar.numerator, bar.denominator).beat_ticks
    count = max(1, round(bar.ticks / beat))
    size = bar.ticks // count
    return [(bar.start + i * size, size) for i in range(count)]


def from_symbols(
    chords: Sequence[SongChord], bars: Sequence[SongBar], song_key: Key, key: Key
) -> list[BarHarmony]:
    """Each bar's chords from the song's chord symbols, a chord a beat, merged where equal."""
    same = (song_key.tonic_pc, song_key.mode) == (key.tonic_pc, key.mode)
    out = []
    for bar in bars:
        slots = []
        for start, _ in beats_of(bar):
            sounding = [c for c in chords if c.start <= start] or [chords[0]]
            chord = sounding[-1]
            slots.append(symbol(chord) if same else recoloured(chord, song_key, key))
        out.append(BarHarmony(merged(slots)))
    return out


def merged(slots: Sequence[str]) -> tuple[str, ...]:
    """The fewest chords that share the bar equally and keep every beat's chord."""
    count = len(slots)
    for parts in range(1, count + 1):
        if count % parts == 0:
            size = count // parts
            groups = [slots[i : i + size] for i in range(0, count, size)]
            if all(len(set(g)) == 1 for g in groups):
                return tuple(g[0] for g in groups)
    return tuple(slots)


def harmonised(
    notes: Sequence[SongNote], bars: Sequence[SongBar], song_key: Key, key: Key
) -> list[BarHarmony]:
    """A chord a bar (or a half bar) from the melody, in the target mode."""
    longest = max(b.ticks for b in bars)
    first_full = next(i for i, bar in enumerate(bars) if bar.ticks == longest)
    out = []
    for i, bar in enumerate(bars):
        weights = _weights(notes, bar, song_key)
        tonic = i in (first_full, len(bars) - 1) or not any(weights)
        chords = (0,) if tonic else _chords(notes, bar, song_key, weights)
        strongest = max(range(7), key=lambda d: weights[d]) if any(weights) else None
        held = strongest is not None and any(strongest in _tones(c) for c in chords)
        out.append(BarHarmony(tuple(numeral(key, c) for c in chords), strongest, held))
    return out


def _chords(
    notes: Sequence[SongNote], bar: SongBar, song_key: Key, weights: Sequence[float]
) -> tuple[int, ...]:
    """The bar's best chord (from its `weights`), or two when its halves agree a quarter
    better with two."""
    whole = _best(weights)
    beats = beats_of(bar)
    if len(beats) < 4 or len(beats) % 2:
        return (whole,)
    half = bar.ticks // 2
    halves = [replace(bar, start=bar.start + k * half, ticks=half) for k in (0, 1)]
    parts = [_weights(notes, h, song_key) for h in halves]
    pair = tuple(_best(w) for w in parts)
    split = sum(_score(w, c) for w, c in zip(parts, pair, strict=True))
    if pair[0] != pair[1] and split >= 1.25 * _score(weights, whole):
        return pair
    return (whole,)


def _weights(notes: Sequence[SongNote], bar: SongBar, song_key: Key) -> list[float]:
    """The weight of each degree (0-6) in the bar: length there, by metric position."""
    weights = [0.0] * 7
    end = bar.start + bar.ticks
    for note in notes:
        begin, finish = max(note.start, bar.start), min(note.start + note.duration, end)
        if finish <= begin:
            continue
        at = begin - bar.start
        strength = 2.0 if at == 0 else 1.5 if at * 2 == bar.ticks else 1.0
        weights[degree_index(spelled_degree(song_key, note))] += (finish - begin) / 480 * strength
    return weights


def _tones(index: int) -> set[int]:
    return {index, (index + 2) % 7, (index + 4) % 7}


def _score(weights: Sequence[float], index: int) -> float:
    return sum(weights[d] for d in _tones(index))


def _best(weights: Sequence[float]) -> int:
    return max(PREFERENCE, key=lambda c: (_score(weights, c), -PREFERENCE.index(c)))


def strongest_share(harmony: Sequence[BarHarmony]) -> float:
    """The share of bars (with a melody) whose chord holds the bar's strongest melody note."""
    judged = [h for h in harmony if h.strongest is not None]
    return sum(h.holds_strongest for h in judged) / len(judged) if judged else 1.0
