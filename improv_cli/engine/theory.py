"""The theory wall: music21 answers chord and key questions; callers get our own small types.

Roman numerals are read relative to the key's mode (`IV7` in D dorian is G7). A numeral with
an accidental (`bVII`, `#iv`) is read against the parallel major scale, the convention of
modal and popular harmony: `bVII` is C major in D dorian and F major in G mixolydian.
Scales that are not church modes use their own notes when heptatonic, else the parent mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from improv_cli.errors import FrameworkError
from improv_cli.model.framework import Chord, Key
from improv_cli.model.modes import mode_info, parent_intervals
from improv_cli.model.syntax import plain_numeral
from improv_cli.model.tables import CHORD_KIND_ALIASES, CHURCH_MODES

_LETTERS = "CDEFGAB"
_NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

# Chord kinds by pitch-class set above the root, for naming chords built from numerals.
_KIND_NAMES: dict[tuple[int, ...], str] = {
    (0, 4, 7): "",
    (0, 3, 7): "m",
    (0, 3, 6): "dim",
    (0, 4, 8): "aug",
    (0, 7): "5",
    (0, 2, 7): "sus2",
    (0, 5, 7): "sus4",
    (0, 4, 7, 10): "7",
    (0, 3, 7, 10): "m7",
    (0, 4, 7, 11): "maj7",
    (0, 3, 6, 10): "m7b5",
    (0, 3, 6, 9): "dim7",
    (0, 3, 7, 11): "mM7",
    (0, 4, 8, 10): "aug7",
    (0, 4, 8, 11): "maj7#5",
    (0, 4, 7, 9): "6",
    (0, 3, 7, 9): "m6",
    (0, 2, 4, 7, 10): "9",
    (0, 2, 3, 7, 10): "m9",
    (0, 2, 4, 7, 11): "maj9",
    (0, 1, 4, 7, 10): "7b9",
    (0, 3, 4, 7, 10): "7#9",
    (0, 4, 6, 10): "7b5",
}


@dataclass(frozen=True, slots=True)
class ChordTones:
    """A chord as the engine uses it: pitch classes by chord step, and a display name."""

    symbol: str  # e.g. "Dm7"
    written: str  # e.g. "i7"
    root: int
    bass: int
    members: tuple[int, ...]  # pitch classes in stacking order: root, third, fifth, seventh...
    third: int | None
    fifth: int | None
    seventh: int | None
    names: tuple[str, ...]  # spelled note names in stacking order


def m21_name(name: str) -> str:
    """Our pitch spelling (Bb) -> music21's (B-)."""
    return name[0] + name[1:].replace("b", "-")


def our_name(name: str) -> str:
    """music21's spelling (B-) -> ours (Bb)."""
    return name.replace("-", "b")


def _key_object(key: Key, accidental: bool) -> Any:
    from music21 import key as m21key
    from music21 import pitch, scale

    tonic = m21_name(key.tonic)
    if accidental:
        return m21key.Key(tonic, "major")
    if key.mode in CHURCH_MODES:
        return m21key.Key(tonic, key.mode)
    intervals = key.intervals
    if len(intervals) == 7:  # spelled one letter a degree: D# in E harmonic minor, not Eb
        pitches: list[Any] = []
        for name in scale_names(key):
            spelled = pitch.Pitch(m21_name(name) + "4")
            while pitches and spelled.ps <= pitches[-1].ps:
                spelled.octave = (spelled.octave or 4) + 1
            pitches.append(spelled)
        return scale.ConcreteScale(pitches=pitches)
    return m21key.Key(tonic, mode_info(key.mode).parent)


def chord_tones(chord: Chord, key: Key) -> ChordTones:
    """Realise one written chord in a key; music21 problems become a `FrameworkError`."""
    try:
        return _chord_tones(chord.text, chord.is_roman, key)
    except Exception as exc:  # music21 raises many types for odd spellings
        raise FrameworkError(
            f"cannot build chord '{chord.text}' in {key}: {exc}",
            pos=chord.pos,
            key="harmony",
            hint="write it as a chord symbol such as Dm7 instead",
        ) from None


_INVERSIONS = {"6": 1, "65": 1, "64": 2, "43": 2, "42": 3, "2": 3}


def _scale_chord(text: str, key: Key) -> ChordTones | None:
    """A numeral in a scale without seven notes: every other note of the scale from its degree.

    In C major-pentatonic (C D E G A) `I` is C E A and `II` is D G C. Scales of two or three
    notes stack neighbouring notes instead (C G in bourdon). Returns None for forms that keep
    the parent mode's reading (accidentals, secondary numerals) and for heptatonic scales.
    """
    intervals = key.intervals
    numeral = plain_numeral(text)
    if len(intervals) == 7 or numeral is None:
        return None
    degree, figure = numeral
    if degree > len(intervals):
        raise ValueError(f"{key} has {len(intervals)} notes, so it has no degree {degree}")
    size = 4 if figure in ("7", "9", "11", "13", "65", "43", "42", "2") else 3
    stride = 2 if len(intervals) >= 5 else 1
    names = scale_names(key)
    picks = [(degree - 1 + stride * i) % len(intervals) for i in range(size)]
    picks = list(dict.fromkeys(picks))  # small scales repeat themselves
    pcs = tuple((key.tonic_pc + intervals[i]) % 12 for i in picks)
    spelled = tuple(names[i] for i in picks)
    bass = pcs[min(_INVERSIONS.get(figure, 0), len(pcs) - 1)]
    member = dict(enumerate(pcs))
    return ChordTones(
        _name_pcs(spelled, pcs, bass),
        text,
        pcs[0],
        bass,
        pcs,
        member.get(1),
        member.get(2),
        member.get(3),
        spelled,
    )


def _name_pcs(names: tuple[str, ...], pcs: tuple[int, ...], bass: int) -> str:
    """A chord symbol for notes taken from a scale: the first member that names a known kind."""
    for index, root in enumerate(pcs):
        shape = tuple(sorted((pc - root) % 12 for pc in pcs))
        if shape in _KIND_NAMES:
            slash = "" if bass == root else "/" + names[pcs.index(bass)]
            return names[index] + _KIND_NAMES[shape] + slash
    return "(" + " ".join(names) + ")"


@lru_cache(maxsize=4096)
def _chord_tones(text: str, is_roman: bool, key: Key) -> ChordTones:
    from music21 import harmony, roman

    if is_roman:
        from_scale = _scale_chord(text, key)
        if from_scale is not None:
            return from_scale
        m21: Any = roman.RomanNumeral(text, _key_object(key, text[0] in "b#"))
    else:
        head, _, bass = text.partition("/")
        size = 2 if head[1:2] in ("b", "#") else 1
        kind = CHORD_KIND_ALIASES.get(head[size:], head[size:])
        figure = m21_name(head[:size]) + kind
        figure = figure if not bass else f"{figure}/{m21_name(bass)}"
        m21 = harmony.ChordSymbol(figure)
    if not m21.pitches:
        raise ValueError("the chord has no notes")
    return _from_m21(m21, text)


def _from_m21(m21: Any, written: str) -> ChordTones:
    root = m21.root()
    steps: list[Any] = []
    for number in (1, 3, 5, 7, 9, 11, 13):
        found = m21.getChordStep(number)
        if found is not None and found.pitchClass not in [p.pitchClass for p in steps]:
            steps.append(found)
    for extra in m21.pitches:  # sus and add notes that are not stacked thirds
        if extra.pitchClass not in [p.pitchClass for p in steps]:
            steps.append(extra)

    def step(n: int) -> int | None:
        found = m21.getChordStep(n)
        return None if found is None else int(found.pitchClass)

    members = tuple(int(p.pitchClass) for p in steps)
    names = tuple(our_name(p.name) for p in steps)
    bass = int(m21.bass().pitchClass)
    symbol = written if not _is_roman_text(written) else _symbol(names[0], members, bass, m21)
    return ChordTones(
        symbol, written, int(root.pitchClass), bass, members, step(3), step(5), step(7), names
    )


def _is_roman_text(text: str) -> bool:
    return text[0] not in "ABCDEFG"


def _symbol(root_name: str, members: tuple[int, ...], bass: int, m21: Any) -> str:
    shape = tuple(sorted((pc - members[0]) % 12 for pc in members))
    kind = _KIND_NAMES.get(shape)
    if kind is None:
        from music21 import harmony

        figure = harmony.chordSymbolFigureFromChord(m21)
        kind = our_name(figure)[len(root_name) :] if isinstance(figure, str) else ""
    slash = "" if bass == members[0] else "/" + our_name(m21.bass().name)
    return root_name + kind + slash


def tonic_chord(key: Key) -> ChordTones:
    """The chord a framework without harmony rests on: thirds stacked from the mode's tonic."""
    intervals = key.intervals
    thirds = [i for i in (3, 4) if i in intervals]
    fifths = [i for i in (7, 8 if 4 in thirds else 6, 6) if i in intervals]
    wanted = [0, *thirds[:1], *fifths[:1]]
    pcs = tuple((key.tonic_pc + i) % 12 for i in wanted)
    names = tuple(scale_names(key)[intervals.index(i)] for i in wanted)
    shape = tuple(sorted(wanted))
    third = (key.tonic_pc + thirds[0]) % 12 if thirds else None
    fifth = (key.tonic_pc + fifths[0]) % 12 if fifths else None
    symbol = names[0] + _KIND_NAMES.get(shape, "")
    return ChordTones(symbol, "1", pcs[0], pcs[0], pcs, third, fifth, None, names)


def scale_names(key: Key) -> tuple[str, ...]:
    """Spelled notes of the key's scale: one letter per degree for heptatonic scales."""
    tonic_letter = key.tonic[0]
    intervals = key.intervals
    if len(intervals) == 7:
        start = _LETTERS.index(tonic_letter)
        letters = [_LETTERS[(start + i) % 7] for i in range(7)]
    else:
        letters = []
        parent = [(key.tonic_pc + i) % 12 for i in parent_intervals(key.mode)]
        start = _LETTERS.index(tonic_letter)
        for interval in intervals:
            pc = (key.tonic_pc + interval) % 12
            index = parent.index(pc) if pc in parent else round(interval / 12 * 7)
            letters.append(_LETTERS[(start + index) % 7])
    names = []
    for letter, interval in zip(letters, intervals, strict=True):
        pc = (key.tonic_pc + interval) % 12
        diff = (pc - _NATURAL[letter] + 6) % 12 - 6
        names.append(letter + ("#" * diff if diff > 0 else "b" * -diff))
    return tuple(names)


def key_signature(key: Key) -> tuple[int, bool]:
    """(sharps, minor) of the key signature of the mode's parent scale; flats are negative.

    Keys beyond seven sharps or flats take their enharmonic signature.
    """
    from music21 import key as m21key

    parent = mode_info(key.mode).parent
    sharps = int(m21key.Key(m21_name(key.tonic), parent).sharps)
    if sharps > 7:  # D# major has nine sharps: write its enharmonic, E flat major
        sharps -= 12
    elif sharps < -7:
        sharps += 12
    minor = 3 in key.intervals and 4 not in key.intervals
    return sharps, minor


def diatonic_chord(key: Key, index: int, size: int, written: str = "") -> ChordTones:
    """The chord stacked from the scale on degree `index` (0-based): every other scale note
    (neighbouring notes in scales of fewer than five), `size` notes."""
    intervals = key.intervals
    stride = 2 if len(intervals) >= 5 else 1
    picks = list(dict.fromkeys((index + stride * i) % len(intervals) for i in range(size)))
    pcs = tuple((key.tonic_pc + intervals[i]) % 12 for i in picks)
    spelled = tuple(scale_names(key)[i] for i in picks)
    member = dict(enumerate(pcs))
    symbol = _name_pcs(spelled, pcs, pcs[0])
    return ChordTones(
        symbol,
        written or symbol,
        pcs[0],
        pcs[0],
        pcs,
        member.get(1),
        member.get(2),
        member.get(3),
        spelled,
    )


def scale_index(chord: ChordTones, key: Key) -> int | None:
    """The scale degree (0-based) of a chord whose notes all belong to the scale, else None."""
    scale = [(key.tonic_pc + i) % 12 for i in key.intervals]
    if chord.root not in scale or not set(chord.members) <= set(scale):
        return None
    return scale.index(chord.root)


def restack(chord: ChordTones, old: Key, new: Key) -> ChordTones:
    """A modal shift: a chord of the old scale becomes the chord on the same degree of the new.

    Chords with notes outside the old scale are kept as they are.
    """
    index = scale_index(chord, old)
    if index is None:
        return chord
    return diatonic_chord(new, index, min(4, len(chord.members)))


def substitute(chord: ChordTones, key: Key, rng: Any) -> ChordTones | None:
    """A neighbour chord in the mode a third above or below (sharing two notes), or None.

    Only chords made of the scale's notes are replaced, and only by a major or minor chord
    (with its seventh when the original has one), so the harmony never leaves the mode.
    """
    if len(key.intervals) < 5 or len(chord.members) > 4:
        return None
    index = scale_index(chord, key)
    if index is None:
        return None
    size = len(key.intervals)
    options = []
    for step in (2, -2):
        other = diatonic_chord(key, (index + step) % size, len(chord.members))
        if other.third is None or other.fifth is None:
            continue
        third, fifth = (other.third - other.root) % 12, (other.fifth - other.root) % 12
        if third in (3, 4) and fifth == 7 and other.members != chord.members:
            options.append(other)
    return rng.choice(options) if options else None
