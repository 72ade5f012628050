"""`improv show`: what a framework holds, as plain data (the CLI prints it)."""

from __future__ import annotations

from itertools import islice
from typing import Any

from improv_cli.engine.realise import lay_out, plan
from improv_cli.engine.theory import chord_tones, scale_names, tonic_chord
from improv_cli.model.framework import Framework, Groove


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
            grooves.setdefault(section.groove.name, _groove(section.groove))
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
        "parts": {
            p.name: {"instrument": p.instrument, "octave": p.octave} for p in framework.parts
        },
    }


def _groove(groove: Groove) -> dict[str, Any]:
    rows: dict[str, str] = {drum.name: drum.steps for drum in groove.drums}
    if groove.bass:
        rows["bass"] = groove.bass
    if groove.comp:
        rows["comp"] = groove.comp
    return {
        "steps": groove.steps,
        "swing": groove.swing,
        "rows": rows,
        "drone": [_degree(d.degree, d.alter, d.octave) for d in groove.drone],
    }


def _degree(degree: int, alter: int, octave: int) -> str:
    accidental = {-1: "b", 0: "", 1: "#"}[alter]
    marks = "'" * octave if octave > 0 else "," * -octave
    return f"{accidental}{degree}{marks}"
