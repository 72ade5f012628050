"""Practice loops: a framework played N times, with a count-in, a tempo ramp, a key that
moves each loop, parts muted or soloed, and bars traded with the student.

A loop is one pass of the framework (its form, or its `length` when it sets one). The loops
are realised as passes 1, 2, 3 ... of the framework, so its variation and `vary:` plan go
on loop by loop; a loop in another key is that pass realised in its key. The loops are then
laid end to end (with `gap` bars of rest between them), each at its own tempo, after a
count-in of sticks on the drum channel. Markers name the count-in and every loop, and
`loopStart`/`loopEnd` mark the part a player may repeat without a seam: no note crosses
`loopEnd`, and the file ends there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from improv_cli.errors import OptionError
from improv_cli.model.framework import Length
from improv_cli.model.tables import PARTS
from improv_cli.render.marks import beat_ticks
from improv_cli.timeline import (
    ChordEvent,
    DynamicMark,
    Fermata,
    KeySignature,
    Marker,
    Note,
    Part,
    TempoChange,
    Timeline,
)

if TYPE_CHECKING:
    from improv_cli.model.framework import Framework

STICKS = 37  # side stick: the drummer's count-in
COUNT_IN_VELOCITY = (96, 72)  # the first beat of a bar, the others
MAX_LOOPS = 1000


@dataclass(frozen=True, slots=True)
class PracticeOptions:
    loops: int = 4
    count_in: int = 1  # bars
    ramp: str | None = None  # "START:END" bpm across the loops
    ramp_step: float | None = None  # percent faster each loop
    transpose_each: int = 0  # semitones each loop moves from the one before
    mute: tuple[str, ...] = ()
    solo: tuple[str, ...] = ()
    trade: int = 0  # bars: the band plays N, then rests N for the student
    call: bool = False  # keep the melody in the band's bars (a melodic call)
    gap: int = 0  # bars of rest between loops


def check(options: PracticeOptions) -> None:
    """Refuse options that cannot make a practice loop, naming the option."""
    if not 1 <= options.loops <= MAX_LOOPS:
        raise OptionError(f"--loops: {options.loops} is out of range", f"use 1 to {MAX_LOOPS}")
    if not 0 <= options.count_in <= 8:
        raise OptionError(f"--count-in: {options.count_in} bars is out of range", "use 0 to 8")
    if options.ramp and options.ramp_step is not None:
        raise OptionError("--ramp and --ramp-step cannot be used together", "choose one")
    if options.ramp:
        ramp_bounds(options.ramp)
    if options.ramp_step is not None and not -50 <= options.ramp_step <= 50:
        raise OptionError(f"--ramp-step: {options.ramp_step:g} % is out of range", "use -50 to 50")
    if not -11 <= options.transpose_each <= 11:
        raise OptionError(
            f"--transpose-each: {options.transpose_each} semitones is out of range",
            "use -11 to 11 (5 goes round the cycle of fourths)",
        )
    for flag, names in (("--mute", options.mute), ("--solo", options.solo)):
        for name in names:
            if name not in PARTS:
                raise OptionError(f"{flag}: no part '{name}'", "parts: " + ", ".join(PARTS))
    if options.trade < 0 or options.gap < 0:
        flag = "--trade" if options.trade < 0 else "--gap"
        raise OptionError(f"{flag}: a number of bars cannot be negative", "use 0 or more")


def ramp_bounds(text: str) -> tuple[float, float]:
    start, sep, end = text.partition(":")
    try:
        bounds = float(start), float(end)
    except ValueError:
        bounds = (0.0, 0.0)
        sep = ""
    if not sep or not all(20 <= b <= 400 for b in bounds):
        raise OptionError(f"--ramp: '{text}' is not START:END in bpm", "e.g. --ramp 60:80")
    return bounds


def loop_tempos(framework: Framework, options: PracticeOptions) -> list[float]:
    """The tempo of each loop: the ramp's line, a compound step, or the framework's own."""
    n, base = options.loops, framework.tempo
    if options.ramp:
        start, end = ramp_bounds(options.ramp)
        return [start + (end - start) * k / (n - 1) if n > 1 else start for k in range(n)]
    if options.ramp_step is not None:
        factor = 1 + options.ramp_step / 100
        return [min(400.0, max(20.0, base * factor**k)) for k in range(n)]
    return [base] * n


def practice_timeline(framework: Framework, options: PracticeOptions) -> Timeline:
    """The whole practice file as one Timeline."""
    from improv_cli.engine.realise import realise
    from improv_cli.engine.transform import transposed
    from improv_cli.overrides import Overrides, apply

    check(options)
    one = realise(framework)
    loop_bars, bar = one.bars, one.bar_ticks
    tempos = loop_tempos(framework, options)
    whole = None
    if not options.transpose_each:
        whole = realise(replace(framework, length=Length(bars=loop_bars * options.loops)))
    pieces: list[Timeline] = []
    for k in range(options.loops):
        if whole is not None:
            source = whole
        else:
            key = transposed(framework.key, k * options.transpose_each)[0]
            moved = apply(framework, Overrides(key=str(key)))
            source = realise(replace(moved, length=Length(bars=loop_bars * (k + 1))))
        pieces.append(_slice(source, k * loop_bars * bar, loop_bars * bar))
    count = options.count_in * bar
    timeline = _assemble(one, pieces, tempos, count, options.gap * bar, framework.tempo)
    return _shape(timeline, options, count)


def _slice(source: Timeline, start: int, length: int) -> Timeline:
    """Bars [start, start + length) of a Timeline, moved to tick 0; notes cut at the end."""
    end = start + length

    def inside(tick: int) -> bool:
        return start <= tick < end

    notes = tuple(
        Note(n.part, n.start - start, min(n.end, end) - n.start, n.pitch, n.velocity)
        for n in source.notes
        if inside(n.start)
    )
    return replace(
        source,
        bars=length // source.bar_ticks,
        notes=notes,
        tempos=_from(source.tempos, start, end, lambda c, t: TempoChange(t, c.bpm)),
        key_signatures=_from(
            source.key_signatures,
            start,
            end,
            lambda k, t: KeySignature(t, k.sharps, k.minor, k.name, k.scale),
        ),
        markers=tuple(Marker(m.tick - start, m.text) for m in source.markers if inside(m.tick)),
        chords=tuple(replace(c, tick=c.tick - start) for c in source.chords if inside(c.tick)),
        fermatas=tuple(replace(f, tick=f.tick - start) for f in source.fermatas if inside(f.tick)),
        dynamics=tuple(
            DynamicMark(d.tick - start, min(d.end_tick, end) - start, d.start, d.end)
            for d in source.dynamics
            if inside(d.tick)
        ),
        swing=(),
    )


def _from(events: tuple[Any, ...], start: int, end: int, moved: Any) -> tuple[Any, ...]:
    """The event in force at `start` (moved to 0), then those inside, moved."""
    before = [e for e in events if e.tick <= start]
    out = [moved(before[-1], 0)] if before else []
    out += [moved(e, e.tick - start) for e in events if start < e.tick < end]
    return tuple(out)


def _assemble(
    first: Timeline,
    pieces: list[Timeline],
    tempos: list[float],
    count: int,
    gap: int,
    base: float,
) -> Timeline:
    bar = first.bar_ticks
    notes: list[Note] = []
    tempo_map: list[TempoChange] = []
    keys: list[KeySignature] = []
    markers: list[Marker] = []
    chords: list[ChordEvent] = []
    fermatas: list[Fermata] = []
    dynamics: list[DynamicMark] = []
    if count:
        tempo_map.append(TempoChange(0, round(pieces[0].tempos[0].bpm * tempos[0] / base, 3)))
        markers.append(Marker(0, "count-in"))
        beat = beat_ticks(first)
        for tick in range(0, count, beat):
            velocity = COUNT_IN_VELOCITY[0 if tick % bar == 0 else 1]
            notes.append(Note("drums", tick, beat // 2, STICKS, velocity))
    at = count
    for k, piece in enumerate(pieces):
        scale = tempos[k] / base
        tempo_map += [TempoChange(c.tick + at, round(c.bpm * scale, 3)) for c in piece.tempos]
        keys += [replace(s, tick=s.tick + at) for s in piece.key_signatures]
        markers.append(Marker(at, f"loop {k + 1}"))
        markers += [replace(m, tick=m.tick + at) for m in piece.markers]
        notes += [replace(n, start=n.start + at) for n in piece.notes]
        chords += [replace(c, tick=c.tick + at) for c in piece.chords]
        fermatas += [replace(f, tick=f.tick + at) for f in piece.fermatas]
        dynamics += [
            DynamicMark(d.tick + at, d.end_tick + at, d.start, d.end) for d in piece.dynamics
        ]
        at += piece.length + (gap if k + 1 < len(pieces) else 0)
    if keys and keys[0].tick == count:
        keys[0] = replace(keys[0], tick=0)  # the count-in is in the first loop's key
    markers.insert(1 if count else 0, Marker(count, "loopStart"))
    markers.append(Marker(at, "loopEnd"))
    parts = {p.name: p for piece in pieces for p in piece.parts}
    if count and "drums" not in parts:
        parts["drums"] = Part("drums", "standard-kit", 0)
    return replace(
        first,
        bars=at // bar,
        parts=tuple(parts[name] for name in PARTS if name in parts),
        notes=tuple(sorted(notes, key=lambda n: (n.start, n.part, n.pitch))),
        tempos=tuple(_dedupe(tempo_map)),
        key_signatures=tuple(_dedupe_keys(keys)),
        markers=tuple(markers),
        chords=tuple(chords),
        fermatas=tuple(fermatas),
        dynamics=tuple(dynamics),
        swing=(),
    )


def _dedupe(changes: list[TempoChange]) -> list[TempoChange]:
    out: list[TempoChange] = []
    for change in changes:
        if out and out[-1].tick == change.tick:
            out[-1] = change
        elif not out or out[-1].bpm != change.bpm:
            out.append(change)
    return out


def _dedupe_keys(keys: list[KeySignature]) -> list[KeySignature]:
    out: list[KeySignature] = []
    for key in keys:
        if not out or (out[-1].sharps, out[-1].name) != (key.sharps, key.name):
            out.append(key)
    return out


def _shape(timeline: Timeline, options: PracticeOptions, count: int) -> Timeline:
    """Mute, solo and trade: which notes of the loops sound (the count-in always does)."""
    bar = timeline.bar_ticks
    silent = set(options.mute)
    if options.trade and not options.call:
        silent.add("melody")
    kept: list[Note] = []
    for note in timeline.notes:
        if note.start < count:
            kept.append(note)
            continue
        if note.part in silent or (options.solo and note.part not in options.solo):
            continue
        if options.trade:
            block = (note.start - count) // (options.trade * bar)
            if block % 2:  # the student's bars
                continue
            block_end = count + (block + 1) * options.trade * bar
            note = replace(note, duration=min(note.end, block_end) - note.start)
        kept.append(note)
    present = {n.part for n in kept}
    return replace(
        timeline,
        notes=tuple(kept),
        parts=tuple(p for p in timeline.parts if p.name in present),
    )


def student_bars(timeline_bars: int, options: PracticeOptions) -> list[int]:
    """The bars (0-based, counted in the whole file) left for the student by --trade."""
    if not options.trade:
        return []
    return [
        b
        for b in range(options.count_in, timeline_bars)
        if ((b - options.count_in) // options.trade) % 2
    ]


@dataclass(frozen=True, slots=True)
class PracticeResult:
    output: str
    files: tuple[str, ...]
    format: str
    loops: int
    bars: int
    seconds: float
    tempos: tuple[float, ...]  # of each loop
    keys: tuple[str, ...]  # of each loop

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "files": list(self.files),
            "format": self.format,
            "loops": self.loops,
            "bars": self.bars,
            "seconds": round(self.seconds, 3),
            "tempos": [round(t, 3) for t in self.tempos],
            "keys": list(self.keys),
        }


PRACTICE_FORMATS = {"midi": ".mid", "wav": ".wav"}


def practice(
    framework_ref: str,
    options: PracticeOptions = PracticeOptions(),
    out: str | None = None,
    fmt: str | None = None,
    overrides: Any = None,
) -> tuple[PracticeResult, Timeline]:
    """Write a practice loop file (MIDI or WAV); returns what was written and its Timeline."""
    from pathlib import Path

    from improv_cli.api import check_target, output_format, write_files
    from improv_cli.model.loader import load_framework
    from improv_cli.overrides import Overrides, apply

    fmt = output_format(out, fmt, tuple(PRACTICE_FORMATS), "a practice loop")
    check(options)
    framework = apply(load_framework(framework_ref), overrides or Overrides())
    target = out or f"{Path(framework.name).name}-practice{PRACTICE_FORMATS[fmt]}"
    check_target(target)
    timeline = practice_timeline(framework, options)
    if fmt == "midi":
        from improv_cli.render.midi import midi_bytes

        data = midi_bytes(timeline)
    else:
        from improv_cli.render.audio import silenced, wav_bytes

        bar = timeline.bar_ticks
        rests = [
            (timeline.seconds(b * bar), timeline.seconds((b + 1) * bar))
            for b in student_bars(timeline.bars, options)
        ]
        data = silenced(wav_bytes(timeline), rests)  # the band's last notes do not ring on
    files = write_files([data], target)
    result = PracticeResult(
        target,
        files,
        fmt,
        options.loops,
        timeline.bars,
        timeline.seconds(),
        tuple(loop_tempos(framework, options)),
        tuple(_loop_keys(timeline)),
    )
    return result, timeline


def _loop_keys(timeline: Timeline) -> list[str]:
    keys = []
    for marker in timeline.markers:
        if marker.text.startswith("loop ") and marker.text[5:].isdigit():
            key = [k for k in timeline.key_signatures if k.tick <= marker.tick]
            keys.append(key[-1].name if key else "")
    return keys
