"""`improv show`: what a framework holds, as plain data (the CLI prints it)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any

from improv_cli.engine.realise import lay_out, plan
from improv_cli.engine.theory import chord_tones, scale_names, tonic_chord
from improv_cli.model.framework import ExpressionSpan, Framework, Groove, Key, Meter, PassPlan
from improv_cli.model.tables import DYNAMICS, TPQ


def describe(framework: Framework) -> dict[str, Any]:
    key = framework.key
    bars, expression = lay_out(framework)
    seconds = sum(expression.bar_seconds(bar.index) for bar in bars)
    form_chords = []
    for bar in islice(plan(framework), framework.form_bars):
        harmony = bar.section.harmony
        chords = (
            [chord_tones(c, key) for c in harmony[bar.local % len(harmony)]]
            if harmony
            else [tonic_chord(key)]
        )
        form_chords.append(
            {
                "bar": bar.index + 1,
                "section": bar.section.name,
                "chords": [
                    {"symbol": c.symbol, "written": c.written, "notes": list(c.names)}
                    for c in chords
                ],
            }
        )
    grooves: dict[str, Any] = {}
    for section in framework.sections:
        if section.groove is not None:
            grooves.setdefault(section.groove.name, _groove(section.groove, framework.meter))
    return {
        "name": framework.name,
        "title": framework.title,
        "technique": framework.technique,
        "purpose": framework.purpose,
        "key": str(key),
        "scale": list(scale_names(key)),
        "meter": str(framework.meter),
        "tempo": framework.tempo,
        "seed": framework.seed,
        "form": [
            {"section": s.name, "bars": s.bars, "repeat": s.repeat} for s in framework.sections
        ],
        "form_bars": framework.form_bars,
        "chords": form_chords,
        "grooves": grooves,
        "length": {"bars": len(bars), "seconds": round(seconds, 3)},
        "safe_notes": safe_notes(key),
        "parts": {
            p.name: {"instrument": p.instrument, "octave": p.octave, "swing": p.swing}
            for p in framework.parts
        },
        "shaping": shaping(framework),
    }


_LEVEL_NAMES = {velocity: name for name, velocity in DYNAMICS.items()}


def _level(velocity: int) -> str:
    return _LEVEL_NAMES.get(velocity, f"velocity {velocity}")


def _ramp(values: tuple[float, float], word: Callable[[float], str]) -> str:
    start, end = values
    return word(start) if start == end else f"{word(start)} -> {word(end)}"


def _accents(span: ExpressionSpan, meter: Meter) -> str:
    beat = meter.beat_ticks
    if span.accent_cycle == meter.bar_ticks and all(t % beat == 0 for t in span.accent):
        where = "beats " + ", ".join(str(t // beat + 1) for t in span.accent)
    else:
        eighth = TPQ // 2
        where = "eighths " + ", ".join(str(t // eighth + 1) for t in span.accent)
        where += f" of every {span.accent_cycle // eighth}"
    return f"accents +{span.accent_amount} on {where}"


def span_text(span: ExpressionSpan, meter: Meter) -> str:
    """One expression span in words: `bars 9-12: tempo 66 -> 56 (final)`."""
    bars = (
        f"bar {span.first_bar}"
        if span.first_bar == span.last_bar
        else (f"bars {span.first_bar}-{span.last_bar}")
    )
    parts = []
    if span.dynamics:
        parts.append("dynamics " + _ramp(span.dynamics, lambda v: _level(int(v))))
    if span.tempo:
        parts.append("tempo " + _ramp(span.tempo, lambda v: f"{v:g}"))
    if span.curve != "linear":
        parts[-1] += f" ({span.curve})"
    if span.fermata:
        beat = f"beat {span.fermata_beat}" if span.fermata_beat else "the last beat"
        parts.append(f"fermata on {beat}, +{span.fermata:g} beats")
    if span.accent:
        parts.append(_accents(span, meter))
    if span.rubato:
        time = "borrowed time" if span.borrowed_time else "broadening"
        parts.append(f"rubato {span.rubato:g} ({span.phrase}-bar phrases, {time})")
    return f"{bars}: " + ", ".join(parts)


def plan_text(entry: PassPlan) -> str:
    """One vary entry in words: `pass 2: inversion, mute bass`."""
    passes = (
        f"pass {entry.first_pass}"
        if entry.first_pass == entry.last_pass
        else (f"passes {entry.first_pass}-{entry.last_pass}")
    )
    said = []
    for name, value in entry.settings().items():
        if value is True:
            said.append(name)
        elif name == "register" and isinstance(value, tuple):
            said.append("register " + " ".join(f"{p} {o:+d}" for p, o in value))
        elif name == "mute" and isinstance(value, tuple):
            said.append("mute " + " ".join(value))
        else:
            said.append(f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}")
    return f"{passes}: " + ", ".join(said)


def shaping(framework: Framework) -> dict[str, Any]:
    """How the framework is shaped: expression, feel, safety and the variation plan."""
    safety = framework.safety
    feel = framework.humanise
    return {
        "variation": framework.variation,
        "humanise": None
        if feel is None
        else {"timing_ms": feel.timing_ms, "velocity": feel.velocity},
        "safety": None
        if safety is None
        else {
            "ceiling": safety.ceiling,
            "max_change": safety.max_change,
            "max_accent": safety.max_accent,
            "tempo": None if not safety.limits_tempo else [safety.tempo_low, safety.tempo_high],
        },
        "expression": [span_text(span, framework.meter) for span in framework.expression],
        "sections": {
            s.name: [span_text(span, framework.meter) for span in s.expression]
            for s in framework.sections
            if s.expression
        },
        "vary": [plan_text(entry) for entry in framework.vary],
    }


_CHROMATIC = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_ORFF_BARS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ORFF_SPARES = {"F#": 6, "Bb": 10}  # the two extra bars most Orff instruments come with


def safe_notes(key: Key) -> dict[str, Any]:
    """Which notes belong to the mode: on a chromatic instrument and on a C-diatonic Orff
    xylophone or glockenspiel (bars to keep, bars to take off, notes it lacks)."""
    names = scale_names(key)
    spelled = dict(zip(((key.tonic_pc + i) % 12 for i in key.intervals), names, strict=True))
    chromatic = [
        {"note": spelled.get(pc, name), "in_mode": pc in spelled}
        for pc, name in enumerate(_CHROMATIC)
    ]
    keep = [bar for bar, pc in _ORFF_BARS.items() if pc in spelled]
    remove = [bar for bar, pc in _ORFF_BARS.items() if pc not in spelled]
    lacking = [pc for pc in sorted(spelled) if pc not in _ORFF_BARS.values()]
    spares = [bar for bar, pc in _ORFF_SPARES.items() if pc in spelled]
    return {
        "notes": list(names),
        "chromatic": chromatic,
        "orff": {
            "keep": keep,
            "remove": remove,
            "lacking": [spelled[pc] for pc in lacking],
            "spare_bars": spares,
            "playable_with_spares": all(pc in _ORFF_SPARES.values() for pc in lacking),
        },
    }


def _groove(groove: Groove, meter: Meter) -> dict[str, Any]:
    rows: dict[str, str] = {drum.name: drum.steps for drum in groove.drums}
    if groove.bass:
        rows["bass"] = groove.bass
    if groove.comp:
        rows["comp"] = groove.comp
    fill: dict[str, Any] | None = None
    if groove.fill:
        fill_rows = {drum.name: drum.steps for drum in groove.fill.drums}
        fill_rows.update(
            {p: r for p, r in (("bass", groove.fill.bass), ("comp", groove.fill.comp)) if r}
        )
        fill = {"every": groove.fill.every, "rows": fill_rows}
    return {
        "steps": groove.steps,
        "steps_per_beat": _per_beat(groove.steps, meter),
        "swing": groove.swing,
        "fill": fill,
        "rows": rows,
        "drone": [_degree(d.degree, d.alter, d.octave) for d in groove.drone],
    }


def _per_beat(steps: int, meter: Meter) -> int:
    """Steps in one felt beat (three eighths in 6/8 and 12/8), or the whole bar if uneven."""
    beats = meter.bar_ticks // meter.beat_ticks
    return steps // beats if steps % beats == 0 else steps


def _degree(degree: int, alter: int, octave: int) -> str:
    accidental = {-1: "b", 0: "", 1: "#"}[alter]
    marks = "'" * octave if octave > 0 else "," * -octave
    return f"{accidental}{degree}{marks}"
