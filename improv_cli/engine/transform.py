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
    shift = (key.tonic_pc - framework.key.tonic_pc) % 12
    if not shift:
        return framework
    names = _FLAT_NAMES if any("b" in n for n in scale_names(key)) else _SHARP_NAMES

    def move(note: str) -> str:
        pc = (_NATURAL[note[0]] + sum(1 if c == "#" else -1 for c in note[1:])) % 12
        return names[(pc + shift) % 12]

    def chord(c: Chord) -> Chord:
        if c.is_roman:
            return c
        head, _, bass = c.text.partition("/")
        size = 2 if head[1:2] in ("b", "#") else 1
        text = move(head[:size]) + head[size:] + (f"/{move(bass)}" if bass else "")
        return replace(c, text=text)

    def section(s: Section) -> Section:
        return replace(s, harmony=tuple(tuple(chord(c) for c in bar) for bar in s.harmony))

    return replace(framework, sections=tuple(section(s) for s in framework.sections))
