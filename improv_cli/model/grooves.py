"""Reading grooves (inline or from the library), expression spans and part settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from improv_cli.model import library
from improv_cli.model.checks import Checker
from improv_cli.model.framework import (
    Degree,
    DrumRow,
    Fill,
    Groove,
    Meter,
    PartSpec,
)
from improv_cli.model.syntax import (
    SyntaxProblem,
    parse_degree,
    parse_grid,
    parse_meter,
    suggest,
    tokens,
)
from improv_cli.model.tables import (
    DRUM_KITS,
    DRUMS,
    GM_PROGRAMS,
    PART_DEFAULTS,
    PARTS,
    TPQ,
)
from improv_cli.model.yamlsource import KeyPath, display_path, load_document

GROOVE_KEYS = ("steps", "swing", "drums", "bass", "comp", "drone", "fill")
FILL_KEYS = ("every", "drums", "bass", "comp")
GROOVE_FILE_KEYS = ("title", "description", "meter", *GROOVE_KEYS)
PART_KEYS = ("instrument", "octave", "swing")


def read_groove(check: Checker, value: Any, path: KeyPath, meter: Meter) -> Groove:
    """A groove: a library name (frameworks/grooves/NAME.yaml) or an inline mapping."""
    check.typed(value, path, str, dict)
    if isinstance(value, dict):
        check.keys(value, path, GROOVE_KEYS)
        return _groove_body(check, value, path, meter, "inline")
    found = library.groove_path(value)
    if found is None:
        hint = suggest(value, library.groove_names()) or "grooves: " + ", ".join(
            library.groove_names()
        )
        check.fail(path, f"unknown groove '{value}'", hint)
    groove_file = _groove_file(found, f"library:grooves/{found.name}", value, meter)
    written_for = groove_file.meter
    if written_for != meter:
        check.fail(
            path,
            f"groove '{value}' is written for {written_for}, the framework is in {meter}",
            "choose a groove in the framework's meter",
        )
    return groove_file.groove


@dataclass(frozen=True, slots=True)
class GrooveFile:
    """A library groove file: the groove, the meter it is written for, its title and text."""

    groove: Groove
    meter: Meter
    title: str
    description: str


def _groove_file(path: Path, shown: str, name: str, meter: Meter | None) -> GrooveFile:
    """Read a groove file in `meter` (default: the meter it declares, else 4/4)."""
    check = Checker(load_document(path, shown))
    data = check.doc.data
    check.typed(data, (), dict)
    check.keys(data, (), GROOVE_FILE_KEYS)
    declared = Meter(4, 4)
    if "meter" in data:
        text = str(check.typed(data["meter"], ("meter",), str))
        declared = Meter(*check.parse(text, ("meter",), parse_meter))
    meter = meter or declared
    title = str(check.typed(data.get("title", name), ("title",), str))
    description = " ".join(
        str(check.typed(data.get("description", ""), ("description",), str)).split()
    )
    if declared != meter:  # the caller reports the mismatch; no grid is read in a wrong meter
        return GrooveFile(Groove(name, 1, 0.0), declared, title, description)
    return GrooveFile(_groove_body(check, data, (), meter, name), declared, title, description)


def read_groove_file(path: Path) -> GrooveFile:
    """Read and validate a groove file on its own, in the meter it declares."""
    return _groove_file(path, display_path(path), path.stem, None)


def load_groove_file(path: Path) -> Groove:
    """Validate a groove file on its own (as `improv validate grooves/x.yaml` does)."""
    return read_groove_file(path).groove


def _groove_body(
    check: Checker, data: dict[str, Any], path: KeyPath, meter: Meter, name: str
) -> Groove:
    default_steps = max(1, meter.bar_ticks // (TPQ // 2))
    steps = check.whole(data.get("steps", default_steps), (*path, "steps"), 1, 96)
    if meter.bar_ticks % steps:
        check.fail(
            (*path, "steps"),
            f"a {meter} bar cannot be split into {steps} equal steps",
            f"use a divisor of {meter.bar_ticks} ticks, e.g. {default_steps}",
        )
    swing = check.number(data.get("swing", 0), (*path, "swing"), 0, 0.5)
    return Groove(
        name=name,
        steps=steps,
        swing=swing,
        drums=_drums(check, data.get("drums"), (*path, "drums"), steps),
        bass=_row(check, data.get("bass"), (*path, "bass"), "bass", steps),
        comp=_row(check, data.get("comp"), (*path, "comp"), "comp", steps),
        drone=_drone(check, data.get("drone"), (*path, "drone")),
        fill=_fill(check, data.get("fill"), (*path, "fill"), steps),
    )


def _fill(check: Checker, value: Any, path: KeyPath, steps: int) -> Fill | None:
    """A one-bar fill that replaces the groove's rows at the end of every N bars."""
    if value is None:
        return None
    check.typed(value, path, dict)
    check.keys(value, path, FILL_KEYS)
    fill = Fill(
        every=check.whole(value.get("every", 4), (*path, "every"), 1, 64),
        drums=_drums(check, value.get("drums"), (*path, "drums"), steps),
        bass=_row(check, value.get("bass"), (*path, "bass"), "bass", steps),
        comp=_row(check, value.get("comp"), (*path, "comp"), "comp", steps),
    )
    rows: list[tuple[KeyPath, str]] = [(("drums", r.name), r.steps) for r in fill.drums]
    rows += [((name,), row) for name, row in (("bass", fill.bass), ("comp", fill.comp)) if row]
    if not rows:
        check.fail(path, "the fill has no rows", "give drums, bass or comp rows for the fill bar")
    for where, row in rows:
        if len(row) != steps:
            check.fail(
                (*path, *where),
                f"a fill row lasts one bar: {steps} steps, not {len(row)}",
                "the fill replaces one bar",
            )
    return fill


def _row(check: Checker, value: Any, path: KeyPath, kind: str, steps: int) -> str | None:
    if value is None:
        return None
    text = str(check.typed(value, path, str))
    return check.parse(text, path, lambda t: parse_grid(t, kind, steps))


def _drums(check: Checker, value: Any, path: KeyPath, steps: int) -> tuple[DrumRow, ...]:
    if value is None:
        return ()
    check.typed(value, path, dict)
    rows = []
    for name, row in value.items():
        if name not in DRUMS:
            hint = suggest(name, DRUMS.keys()) or "General MIDI drum names, e.g. kick, snare"
            check.fail((*path, name), f"unknown drum '{name}'", hint, at_key=True)
        check.typed(row, (*path, name), str)
        grid = _row(check, row, (*path, name), "drums", steps)
        rows.append(DrumRow(name, DRUMS[name], grid or ""))
    return tuple(rows)


def _drone(check: Checker, value: Any, path: KeyPath) -> tuple[Degree, ...]:
    if value is None:
        return ()
    text = str(check.typed(value, path, str, int))

    def parse(t: str) -> tuple[Degree, ...]:
        out = []
        for token, offset in tokens(t, ""):
            d = parse_degree(token, offset)
            out.append(Degree(d.degree, d.alter, d.octave))
        if not out:
            raise SyntaxProblem("the drone names no degree", hint='e.g. drone: "1 5"')
        return tuple(out)

    return check.parse(text, path, parse)


def read_parts(check: Checker, value: Any, path: KeyPath) -> tuple[PartSpec, ...]:
    """Instrument and octave per part; parts not named keep their defaults."""
    given: dict[str, Any] = {}
    if value is not None:
        check.typed(value, path, dict)
        given = value
    specs = []
    for part in given:
        if part not in PARTS:
            hint = suggest(part, PARTS) or "parts: " + ", ".join(PARTS)
            check.fail((*path, part), f"unknown part '{part}'", hint, at_key=True)
    for part in PARTS:
        body = given.get(part) or {}
        where = (*path, part)
        check.typed(body, where, dict)
        check.keys(body, where, PART_KEYS)
        default = PART_DEFAULTS[part]
        instrument = str(
            check.typed(body.get("instrument", default.instrument), (*where, "instrument"), str)
        )
        table = DRUM_KITS if part == "drums" else GM_PROGRAMS
        if instrument not in table:
            kind = "drum kit" if part == "drums" else "General MIDI instrument"
            hint = suggest(instrument, table.keys()) or f"see docs/format.md for {kind} names"
            check.fail((*where, "instrument"), f"unknown {kind} '{instrument}'", hint)
        octave = check.whole(body.get("octave", default.octave), (*where, "octave"), 0, 8)
        swing = None
        if "swing" in body:
            swing = check.number(body["swing"], (*where, "swing"), 0, 0.5)
        specs.append(PartSpec(part, instrument, table[instrument], octave, swing))
    return tuple(specs)
