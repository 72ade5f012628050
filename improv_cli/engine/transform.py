"""Transformations of a whole framework that need theory (kept out of the loader)."""

from __future__ import annotations

from dataclasses import replace

from improv_cli.engine.theory import scale_names
from improv_cli.model.framework import Chord, Framework, Key, Section

_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def transpose_symbols(framework: Framework, key: Key) -> Framework:
    """Move chord symbols by the distance between the old and new tonic.

    Roman numerals follow the key by themselves; chord symbols name absolute pitches and
    would otherwise stay behind when `--key` moves the framework.
    """
    if key.tonic_pc == framework.key.tonic_pc:
        return framework

    def section(s: Section) -> Section:
        moved = tuple(tuple(move_chord(c, framework.key, key) for c in bar) for bar in s.harmony)
        return replace(s, harmony=moved)

    return replace(framework, sections=tuple(section(s) for s in framework.sections))


def move_chord(chord: Chord, old: Key, new: Key) -> Chord:
    """A chord symbol moved by the distance between the keys' tonics; numerals stay."""
    shift = (new.tonic_pc - old.tonic_pc) % 12
    if chord.is_roman or not shift:
        return chord
    names = _FLAT_NAMES if any("b" in n for n in scale_names(new)) else _SHARP_NAMES

    def move(note: str) -> str:
        pc = (_NATURAL[note[0]] + sum(1 if c == "#" else -1 for c in note[1:])) % 12
        return names[(pc + shift) % 12]

    head, _, bass = chord.text.partition("/")
    size = 2 if head[1:2] in ("b", "#") else 1
    text = move(head[:size]) + head[size:] + (f"/{move(bass)}" if bass else "")
    return replace(chord, text=text)


_KEY_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def transposed(key: Key, semitones: int) -> tuple[Key, int]:
    """The key moved by `semitones`, and the octaves that tonic-based parts move with it
    (degree 1 sits in its part's octave, so without them a step down would sound 11 up)."""
    if not semitones:
        return key, 0
    pc = (key.tonic_pc + semitones) % 12
    folded = (pc - key.tonic_pc) % 12
    return Key(_KEY_NAMES[pc], key.mode), (semitones - folded) // 12
