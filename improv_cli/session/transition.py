"""Transitions between two segments: N bars that carry the music from A into B.

A transition is a short framework of its own: B's framework (its groove, parts, key and
safety) with a harmony of its own, no melody, and one expression span over all its bars:
the tempo ramps beat by beat from A's last tempo to B's first, the dynamics from A's last
level to B's first. It is in **B's metre** even when A's differs: B's groove is written for
B's metre, and the transition's last bar leads straight into B's first.

The harmony moves through a **pivot chord**: a triad diatonic to B's key (stacked thirds of
B's scale; for a scale of other than seven notes, of its parent church mode on the same
tonic) that

1. shares at least one pitch class with A's last chord and at least one with B's first
   chord (a piece without harmony counts its mode's tonic chord), and of those
2. shares the most pitch classes with A's scale;
3. ties go to B's ii, then IV, vi, I, V, iii, vii (`PREFERENCE`): the predominants first,
   then the tonic's relatives, the dominant, the rest.

When no triad of B's key meets rule 1, the best one sharing a note with B's first chord is
taken (else the best of all), and the session says so in a warning.

Bars 1 .. N-1 play the pivot chord; the last bar plays B's first chord's diatonic dominant
(the triad of B's scale on the fifth above its root), so that B begins on a resolution;
when that fifth is not in B's scale, the last bar plays B's first chord itself. A
one-bar transition plays only the pivot chord.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from improv_cli.errors import Pos, RenderError
from improv_cli.model.framework import Chord, ExpressionSpan, Framework, Key, Length, Section
from improv_cli.model.modes import parent_intervals
from improv_cli.model.syntax import ROMAN
from improv_cli.model.tables import DYNAMICS, PITCH_CLASSES
from improv_cli.timeline import Timeline

LETTERS = "CDEFGAB"
PLAIN_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
PREFERENCE = (1, 3, 5, 0, 4, 2, 6)  # 0-based degrees: ii IV vi I V iii vii
# (third, fifth) above the root -> chord-symbol kind, numeral in upper case, numeral mark
QUALITIES = {
    (4, 7): ("", True, ""),
    (3, 7): ("m", False, ""),
    (3, 6): ("dim", False, "o"),
    (4, 8): ("aug", True, "+"),
}
DEFAULT_LEVEL = DYNAMICS["mf"]  # the engine's level where no dynamics are written


@dataclass(frozen=True, slots=True)
class Triad:
    degree: int  # 0-based degree of the key's seven-note scale
    root: int  # pitch class
    symbol: str  # a chord symbol, e.g. "Em"
    numeral: str  # the roman numeral in the key, e.g. "ii"
    pitch_classes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Pivot:
    triad: Triad
    shared: int  # pitch classes shared with A's scale
    exact: bool  # shares a note with A's last chord and with B's first


@dataclass(frozen=True, slots=True)
class Edge:
    """How a piece ends, or begins: its tempo, dynamic level and chord."""

    tempo: float
    level: int
    chord: tuple[int, ...]  # pitch classes
    root: int
    written: str | None  # the chord as the framework wrote it; None without harmony


@dataclass(frozen=True, slots=True)
class Transition:
    framework: Framework
    pivot: Pivot
    arrival: str  # the last bar's chord symbol
    start: Edge  # A's end
    end: Edge  # B's beginning


def heptatonic(key: Key) -> tuple[int, ...]:
    """The key's seven-note scale as pitch classes (the parent mode for other sizes)."""
    intervals = key.intervals if len(key.intervals) == 7 else parent_intervals(key.mode)
    return tuple((key.tonic_pc + i) % 12 for i in intervals)


def scale_pcs(key: Key) -> frozenset[int]:
    return frozenset((key.tonic_pc + i) % 12 for i in key.intervals)


def spelled(key: Key, degree: int, pc: int) -> str:
    """A scale note's name: the letter `degree` steps above the tonic's, with # or b."""
    letter = LETTERS[(LETTERS.index(key.tonic[0]) + degree) % 7]
    alter = (pc - PITCH_CLASSES[letter] + 6) % 12 - 6
    return letter + {-1: "b", 0: "", 1: "#"}[alter] if -1 <= alter <= 1 else PLAIN_NAMES[pc]


def triads(key: Key) -> list[Triad]:
    """The key's diatonic triads of the four common qualities, degree by degree."""
    scale = heptatonic(key)
    found = []
    for degree, root in enumerate(scale):
        third, fifth = scale[(degree + 2) % 7], scale[(degree + 4) % 7]
        shape = ((third - root) % 12, (fifth - root) % 12)
        if shape not in QUALITIES:
            continue
        kind, upper, mark = QUALITIES[shape]
        numeral = ROMAN[degree] if upper else ROMAN[degree].lower()
        name = spelled(key, degree, root)
        found.append(Triad(degree, root, name + kind, numeral + mark, (root, third, fifth)))
    return found


def choose(key_a: Key, key_b: Key, last_a: tuple[int, ...], first_b: tuple[int, ...]) -> Pivot:
    """The pivot chord from A into B, by the rules of the module's docstring."""
    candidates = triads(key_b)
    if not candidates:
        raise RenderError(f"{key_b} has no major, minor, diminished or augmented triad to pivot on")
    scale_a = scale_pcs(key_a)
    rank = {degree: i for i, degree in enumerate(PREFERENCE)}

    def touches(triad: Triad, chord: tuple[int, ...]) -> bool:
        return bool(set(triad.pitch_classes) & set(chord))

    both = [t for t in candidates if touches(t, last_a) and touches(t, first_b)]
    pool = both or [t for t in candidates if touches(t, first_b)] or candidates
    best = min(pool, key=lambda t: (-len(scale_a & set(t.pitch_classes)), rank[t.degree]))
    return Pivot(best, len(scale_a & set(best.pitch_classes)), bool(both))


def pivot(
    key_a: Key, key_b: Key, last_chord_a_pcs: tuple[int, ...], first_chord_b_pcs: tuple[int, ...]
) -> tuple[str, tuple[int, ...]]:
    """The pivot chord's symbol and pitch classes (root, third, fifth)."""
    chosen = choose(key_a, key_b, last_chord_a_pcs, first_chord_b_pcs).triad
    return chosen.symbol, chosen.pitch_classes


def dominant(key: Key, root: int) -> Triad | None:
    """The diatonic triad on the fifth above `root`, when that fifth is in the key's scale."""
    fifth = (root + 7) % 12
    return next((t for t in triads(key) if t.root == fifth), None)


def tonic_chord(key: Key) -> tuple[int, ...]:
    """What bass and comp play without harmony: every other note of the scale from 1."""
    notes = [(key.tonic_pc + i) % 12 for i in key.intervals]
    return tuple(notes[0:5:2]) if len(notes) >= 5 else tuple(notes)


def ending(timeline: Timeline, key: Key) -> Edge:
    """The last pulse (not a fermata's hold), level and chord of a realised piece."""
    held = {f.tick for f in timeline.fermatas}
    pulses = [t for t in timeline.tempos if t.tick not in held] or list(timeline.tempos)
    marks = sorted(timeline.dynamics, key=lambda d: d.tick)
    level = marks[-1].end if marks else DEFAULT_LEVEL
    if timeline.chords:
        last = max(timeline.chords, key=lambda c: c.tick)
        return Edge(pulses[-1].bpm, level, last.pitch_classes, last.root, last.written)
    return Edge(pulses[-1].bpm, level, tonic_chord(key), key.tonic_pc, None)


def opening(timeline: Timeline, key: Key) -> Edge:
    """The first tempo, level and chord of a realised piece."""
    marks = [d for d in timeline.dynamics if d.tick == 0]
    level = marks[0].start if marks else DEFAULT_LEVEL
    tempo = timeline.tempos[0].bpm
    if timeline.chords:
        first = min(timeline.chords, key=lambda c: c.tick)
        return Edge(tempo, level, first.pitch_classes, first.root, first.written)
    return Edge(tempo, level, tonic_chord(key), key.tonic_pc, None)


def _chord(text: str, pos: Pos) -> Chord:
    return Chord(text, text[0] not in "ABCDEFG", pos)


def _arrival(key: Key, end: Edge, fallback: Triad, pos: Pos) -> Chord:
    """The last bar's chord: the dominant of B's first chord, else that chord itself."""
    found = dominant(key, end.root)
    if found is not None:
        return _chord(found.symbol, pos)
    return _chord(end.written, pos) if end.written else _chord(fallback.symbol, pos)


def transition(
    before: Timeline, key_a: Key, after: Timeline, framework_b: Framework, bars: int, pos: Pos
) -> Transition:
    """The transition's framework from A's realised end into B's realised beginning."""
    start, end = ending(before, key_a), opening(after, framework_b.key)
    chosen = choose(key_a, framework_b.key, start.chord, end.chord)
    held = _chord(chosen.triad.symbol, pos)
    last = _arrival(framework_b.key, end, chosen.triad, pos) if bars > 1 else held
    harmony = ((held,),) * (bars - 1) + ((last,),)
    groove = framework_b.sections[0].groove if framework_b.sections else None
    span = ExpressionSpan(
        1, bars, dynamics=(start.level, end.level), tempo=(start.tempo, end.tempo)
    )
    played = replace(
        framework_b,
        title=f"transition to {framework_b.title}",
        tempo=start.tempo,
        sections=(Section("transition", harmony, (), groove, ()),),
        length=Length(bars=bars),
        expression=(span,),
        has_sections=False,
        groove_name=groove.name if groove else None,
        variation=0.0,
        vary=(),
    )
    return Transition(played, chosen, last.text, start, end)
