"""Lead sheets and practice sheets: one page to keep beside the piano, or to practise from.

A lead sheet is one pass of the form: the melody (or one slash a beat when the framework
has none) under the chord symbols, with the section marks, tempo, groove, technique and
purpose. A practice sheet shows the mode's scale with degree numbers and its
characteristic note marked, each chord's tones with a few target notes, and the map of
safe notes (the notes in the mode) with the bars to take off an Orff instrument.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from improv_cli.api import check_target, output_format, write_files
from improv_cli.errors import OptionError
from improv_cli.model.framework import Length
from improv_cli.model.loader import load_framework
from improv_cli.model.tables import CHARACTERISTIC, DEGREE_LABELS, MODES, TPQ
from improv_cli.overrides import Overrides, apply
from improv_cli.timeline import (
    ChordEvent,
    KeySignature,
    Marker,
    Note,
    Part,
    Timeline,
    TimeSignature,
)

if TYPE_CHECKING:
    from improv_cli.model.framework import Framework
    from improv_cli.render.musicxml import Header
    from improv_cli.render.score import Annotation

KINDS = ("lead", "practice")
MARK = "#c00000"  # the characteristic note and the target notes
OUTSIDE = "#888888"  # notes outside the mode on the safe-note map
BAR = 4 * TPQ  # practice sheets are written in 4/4


@dataclass(frozen=True, slots=True)
class SheetResult:
    output: str
    files: tuple[str, ...]
    kind: str
    format: str
    bars: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "files": list(self.files),
            "kind": self.kind,
            "format": self.format,
            "bars": self.bars,
        }


def sheet(
    framework_ref: str,
    kind: str = "lead",
    out: str | None = None,
    fmt: str | None = None,
    overrides: Overrides = Overrides(),
) -> SheetResult:
    """Write a lead or practice sheet (PDF unless -o or --format says otherwise)."""
    from improv_cli.render.notation import notation_pages

    if kind not in KINDS:
        raise OptionError(f"--kind: unknown sheet '{kind}'", "kinds: " + ", ".join(KINDS))
    fmt = output_format(out, fmt) if out or fmt else "pdf"
    if fmt == "midi":
        raise OptionError("--format: a sheet is notation", "use musicxml, svg, pdf or png")
    framework = apply(load_framework(framework_ref), overrides)
    target = out or f"{Path(framework.name).name}-{kind}.{'musicxml' if fmt == 'musicxml' else fmt}"
    check_target(target)
    if kind == "lead":
        score, bars = lead_sheet(framework, overrides)
    else:
        score, bars = practice_sheet(framework)
    files = write_files(notation_pages(score, fmt), target)
    return SheetResult(target, files, kind, fmt, bars)


def lead_sheet(framework: Framework, overrides: Overrides = Overrides()) -> tuple[bytes, int]:
    """MusicXML of one pass of the form (or the length asked for): melody or slashes."""
    from improv_cli.engine.realise import realise
    from improv_cli.render.musicxml import musicxml_bytes

    if overrides.bars is None and overrides.minutes is None:
        framework = replace(framework, length=Length(bars=framework.form_bars))
    timeline = realise(framework, written=True)
    part = "melody"
    if not timeline.part_notes("melody"):
        timeline, part = with_slashes(timeline), "slashes"
    score = musicxml_bytes(timeline, [part], _header(framework, "Lead sheet"), named=False)
    return score, timeline.bars


def with_slashes(timeline: Timeline) -> Timeline:
    """The timeline with one slash a beat in every bar (a part of its own, 'slashes')."""
    from improv_cli.render.marks import beat_ticks

    beat = beat_ticks(timeline)
    slashes = tuple(Note("slashes", t, beat, 71, 64) for t in range(0, timeline.length, beat))
    notes = tuple(sorted((*timeline.notes, *slashes), key=lambda n: (n.start, n.part, n.pitch)))
    parts = (*timeline.parts, Part("slashes", "slashes", 0))
    return replace(timeline, notes=notes, parts=parts)


def _header(framework: Framework, kind: str) -> Header:
    from improv_cli.render.musicxml import Header

    about = [kind, str(framework.key), str(framework.meter), f"{framework.tempo:g} bpm"]
    left = [f"Technique: {framework.technique}"] if framework.technique else []
    left += textwrap.wrap(f"Form: {_form(framework)}", 42)
    if framework.purpose:
        left += textwrap.wrap(f"Purpose: {framework.purpose}", 42)
    groove = framework.groove_name
    right = [f"Groove: {groove}" if groove and groove != "inline" else "Groove: its own"]
    return Header(framework.title, " · ".join(about), tuple(left), tuple(right))


def _form(framework: Framework) -> str:
    parts = []
    for section in framework.sections:
        repeat = f" ×{section.repeat}" if section.repeat > 1 else ""
        parts.append(f"{section.name} {section.bars}{repeat}")
    return " · ".join(parts) + f" ({framework.form_bars} bars)"


def practice_sheet(framework: Framework) -> tuple[bytes, int]:
    """MusicXML of the scale, the chords with their targets, and the safe-note map."""
    from improv_cli.engine.describe import safe_notes
    from improv_cli.engine.realise import realise
    from improv_cli.engine.theory import key_signature, scale_names
    from improv_cli.render.layout import Speller
    from improv_cli.render.musicxml import musicxml_bytes

    key = framework.key
    intervals = MODES[key.mode].intervals
    tonic = 60 + key.tonic_pc - (12 if key.tonic_pc > 7 else 0)
    notes: list[Note] = []
    marks: dict[tuple[str, int], Annotation] = {}
    markers = [Marker(0, "Scale")]
    # The scale, a quarter note a degree, up to the octave.
    characteristic = CHARACTERISTIC.get(key.mode, ())
    for i, step in enumerate((*intervals, 12)):
        tick = i * TPQ
        notes.append(Note("melody", tick, TPQ, tonic + step, 64))
        marks[("melody", tick)] = _degree(step % 12, intervals, step in characteristic)
    at = _next_bar(len(intervals) + 1)
    # Each chord once: its tones as a half-note chord, then two target notes.
    one_pass = realise(replace(framework, length=Length(bars=framework.form_bars)), written=True)
    chords: list[ChordEvent] = []
    seen: set[str] = set()
    for event in one_pass.chords:
        if event.symbol not in seen:
            seen.add(event.symbol)
            chords.append(event)
    placed: list[ChordEvent] = []
    if chords:
        markers.append(Marker(at, "Chord tones and targets"))
    for event in chords:
        root = tonic + (event.root - tonic) % 12
        stacked = _stack(root, event.pitch_classes)
        notes += [Note("melody", at, 2 * TPQ, p, 64) for p in stacked]
        placed.append(replace(event, tick=at, duration=BAR))
        for j, (label, pitch) in enumerate(_targets(stacked)):
            tick = at + 2 * TPQ + j * TPQ
            notes.append(Note("melody", tick, TPQ, pitch, 64))
            marks[("melody", tick)] = _target(label)
        at += BAR
    # The safe-note map: the chromatic octave, notes outside the mode greyed with x heads.
    markers.append(Marker(at, "Safe notes"))
    for i in range(13):
        tick = at + i * TPQ
        notes.append(Note("melody", tick, TPQ, tonic + i, 64))
        marks[("melody", tick)] = _safe(i % 12, intervals)
    at += _next_bar(13)
    sharps, minor = key_signature(key)
    timeline = Timeline(
        title=framework.title,
        bars=at // BAR,
        bar_ticks=BAR,
        parts=(Part("melody", "practice", 0),),
        notes=tuple(sorted(notes, key=lambda n: (n.start, n.part, n.pitch))),
        tempos=(),  # the tempo is in the header; a mark would crowd the first bar
        time_signatures=(TimeSignature(0, 4, 4),),
        key_signatures=(KeySignature(0, sharps, minor, str(key), scale_names(key)),),
        markers=tuple(markers),
        chords=tuple(placed),
    )
    speller = Speller(timeline)  # the page head names the notes outside as the staff does
    outside = [speller.name(tonic + i, 0)[:-1] for i in range(12) if i not in intervals]
    header = _practice_header(framework, safe_notes(key), outside)
    return musicxml_bytes(timeline, ["melody"], header, marks, named=False), timeline.bars


def _next_bar(quarters: int) -> int:
    return -(-quarters * TPQ // BAR) * BAR


def _degree(interval: int, intervals: tuple[int, ...], characteristic: bool) -> Annotation:
    from improv_cli.render.score import Annotation

    label = degree_label(interval, intervals)
    if characteristic:
        return Annotation(lyric=label, above="characteristic", color=MARK)
    return Annotation(lyric=label)


def degree_label(interval: int, intervals: tuple[int, ...]) -> str:
    """1, b3, #4 ...: a raised fourth when the scale has no fourth, a minor sixth ('b6')
    unless the scale lacks both fourth and fifth (then '#5', as in the whole-tone scale)."""
    if interval == 6 and 5 not in intervals:
        return "#4"
    if interval == 6:
        return "b5"
    if interval == 8 and 7 not in intervals and 5 not in intervals:  # not locrian's b6
        return "#5"
    return DEGREE_LABELS[interval]


def _stack(root: int, pitch_classes: tuple[int, ...]) -> list[int]:
    """The chord's tones stacked upward from the root, each above the one before."""
    pitches = [root]
    for pc in pitch_classes[1:]:
        pitch = pitches[-1] + (pc - pitches[-1]) % 12
        pitches.append(pitch if pitch > pitches[-1] else pitch + 12)
    return pitches


def _targets(stacked: list[int]) -> list[tuple[str, int]]:
    """Two notes to aim for: the third (or the suspended fourth or second) and the seventh
    of a seventh chord (the guide tones), the third and the root of a triad, the root and
    the fifth of a bare fifth. Labelled by their step above the chord's root (b3, b7 ...)."""
    root = stacked[0]
    by_step = {(pitch - root) % 12: pitch for pitch in stacked[1:]}
    third = next((by_step[i] for i in (3, 4, 5, 2) if i in by_step), None)
    seventh = next((by_step[i] for i in (10, 11, 9) if i in by_step), None)
    if third is not None:
        picks = [third, seventh if seventh is not None else root]
    else:
        picks = [root, by_step.get(7, stacked[-1])]
    return [(DEGREE_LABELS[(p - root) % 12], p) for p in dict.fromkeys(picks)]


def _target(label: str) -> Annotation:
    from improv_cli.render.score import Annotation

    return Annotation(lyric=label, color=MARK)


def _safe(interval: int, intervals: tuple[int, ...]) -> Annotation:
    """A note of the mode keeps its degree number; one outside it is grey, with an x head."""
    from improv_cli.render.score import Annotation

    if interval in intervals:
        return Annotation(lyric=degree_label(interval, intervals))
    return Annotation(color=OUTSIDE, head="x")


def _practice_header(framework: Framework, safe: dict[str, Any], outside: list[str]) -> Header:

    header = _header(framework, "Practice sheet")
    inside = " ".join(safe["notes"])
    left = [f"Safe notes (the mode): {inside}", f"Outside the mode: {' '.join(outside) or 'none'}"]
    orff = safe.get("orff") or {}
    if orff.get("remove"):
        left.append("Orff instruments: take off the " + " and ".join(orff["remove"]) + " bars")
    characteristic = CHARACTERISTIC.get(framework.key.mode, ())
    if characteristic:
        names = ", ".join(
            degree_label(i, MODES[framework.key.mode].intervals) for i in characteristic
        )
        left.append(f"Characteristic note: {names} (marked)")
    return replace(header, left=tuple(left) + header.left[:1])
