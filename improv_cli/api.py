"""The library functions behind the commands: one function per command, plain results.

The CLI only parses options, calls one of these and prints what it returns. The engine (and
so music21) is imported inside `render` and `show`, never at import time.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from improv_cli.errors import FrameworkError, ImprovError, OptionError, RenderError
from improv_cli.model import library
from improv_cli.model.grooves import load_groove_file, read_groove_file
from improv_cli.model.loader import load_framework
from improv_cli.model.tables import MODES
from improv_cli.overrides import Overrides, SafetyOptions, apply

if TYPE_CHECKING:
    from improv_cli.timeline import Timeline
    from improv_cli.variants import VaryResult

FORMATS = {"midi": ".mid"}
EXTENSIONS = {".mid": "midi", ".midi": "midi"}
__all__ = ["Overrides", "SafetyOptions", "apply"]  # re-exported: the command-line settings


def timeline(framework_ref: str, overrides: Overrides = Overrides()) -> Timeline:
    """Load, apply the overrides and realise a framework."""
    from improv_cli.engine.realise import realise

    return realise(apply(load_framework(framework_ref), overrides))


@dataclass(frozen=True, slots=True)
class RenderResult:
    output: str
    format: str
    bars: int
    seconds: float
    notes: int
    parts: tuple[str, ...]
    seed: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "format": self.format,
            "bars": self.bars,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
            "parts": list(self.parts),
            "seed": self.seed,
        }


def output_format(out: str | None, fmt: str | None) -> str:
    """The format asked for, else the one the output's extension names, else MIDI."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise OptionError(f"--format: unknown format '{fmt}'", "formats: " + ", ".join(FORMATS))
        return fmt
    if out and out != "-":
        suffix = Path(out).suffix.lower()
        if suffix in EXTENSIONS:
            return EXTENSIONS[suffix]
        if suffix:
            raise OptionError(
                f"-o: cannot tell the format of '{out}' from '{suffix}'",
                "use .mid or give --format",
            )
    return "midi"


def render(
    framework_ref: str,
    out: str | None = None,
    fmt: str | None = None,
    overrides: Overrides = Overrides(),
) -> RenderResult:
    """Render a framework to a file (or to standard output with out='-')."""
    from improv_cli.engine.realise import realise
    from improv_cli.render.midi import midi_bytes

    fmt = output_format(out, fmt)
    framework = apply(load_framework(framework_ref), overrides)
    target = out or f"{Path(framework.name).name}{FORMATS[fmt]}"
    check_target(target)
    result = realise(framework)
    write_output(midi_bytes(result), target)
    return RenderResult(
        target,
        fmt,
        result.bars,
        result.seconds(),
        len(result.notes),
        tuple(p.name for p in result.parts),
        framework.seed,
    )


def check_target(target: str) -> None:
    """Fail before any work when the output cannot be written there."""
    if target == "-":
        return
    path = Path(target)
    if path.is_dir():
        raise RenderError(f"{target}: is a folder", "give a file name, e.g. -o out.mid")
    if not path.parent.is_dir():
        raise RenderError(f"{target}: the folder {path.parent} does not exist", "create it first")


def write_output(data: bytes, target: str) -> None:
    """Write all or nothing: a temporary file beside the target, then an atomic rename."""
    check_target(target)
    if target == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(target)
    try:
        os.replace(staged(data, path), path)
    except OSError as exc:
        raise RenderError(f"{target}: cannot write ({exc.strerror})") from None


def staged(data: bytes, path: Path) -> str:
    """`data` in a temporary file beside `path`, with the mode `path` would get; the caller
    renames it into place. On an error nothing is left behind and the OSError propagates."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, file_mode(path))  # mkstemp makes 0600; give the usual mode
    except OSError:
        os.unlink(temp)
        raise
    return temp


def file_mode(path: Path) -> int:
    """The mode a new file gets from the umask, or the mode of the file being replaced."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@dataclass(frozen=True, slots=True)
class Validation:
    file: str
    error: ImprovError | None

    def as_dict(self) -> dict[str, Any]:
        if self.error is None:
            return {"file": self.file, "valid": True}
        info: dict[str, Any] = {"file": self.file, "valid": False, "message": self.error.message}
        if isinstance(self.error, FrameworkError) and self.error.pos:
            pos = self.error.pos
            info.update(source=pos.file, line=pos.line, column=pos.col, key=self.error.key)
        info["hint"] = self.error.hint
        info["error"] = self.error.line()
        return info


def validate(files: list[str]) -> list[Validation]:
    """Check each framework file, library name or groove file; never imports music21."""
    results = []
    for ref in files:
        try:
            path = Path(ref)
            if path.parent.name == library.GROOVES and path.is_file():
                load_groove_file(path)
            else:
                load_framework(ref)
            results.append(Validation(ref, None))
        except ImprovError as error:
            results.append(Validation(ref, error))
    return results


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    title: str
    technique: str | None
    key: str
    meter: str
    tempo: float
    groove: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "technique": self.technique,
            "key": self.key,
            "meter": self.meter,
            "tempo": self.tempo,
            "groove": self.groove,
        }


def tempo_range(text: str | None) -> tuple[float, float]:
    """`60-90` (or `72`) as a range of bpm; an empty filter lets every tempo through."""
    if not text:
        return 0.0, float("inf")
    low, _, high = text.partition("-")
    try:
        bounds = float(low), float(high or low)
    except ValueError:
        raise OptionError(f"--tempo: '{text}' is not a tempo range", "e.g. 60-90 or 72") from None
    if bounds[0] > bounds[1]:
        raise OptionError(f"--tempo: '{text}' runs backwards", "write the lower tempo first")
    return bounds


def list_frameworks(
    technique: str | None = None,
    mode: str | None = None,
    meter: str | None = None,
    tempo: str | None = None,
) -> list[Entry]:
    """The bundled library, filtered by technique, mode, meter and a tempo range."""
    low, high = tempo_range(tempo)
    entries = []
    for name in library.framework_names():
        framework = load_framework(name)
        if technique and framework.technique != technique:
            continue
        if mode and framework.key.mode != mode:
            continue
        if meter and str(framework.meter) != meter.replace(" ", ""):
            continue
        if not low <= framework.tempo <= high:
            continue
        entries.append(
            Entry(
                name,
                framework.title,
                framework.technique,
                str(framework.key),
                str(framework.meter),
                framework.tempo,
                framework.groove_name,
            )
        )
    return entries


def list_modes() -> list[dict[str, Any]]:
    """The named modes and scales: intervals, character and source."""
    return [
        {
            "name": name,
            "intervals": list(info.intervals),
            "parent": info.parent,
            "description": info.description,
            "provenance": info.provenance,
        }
        for name, info in MODES.items()
    ]


def list_grooves() -> list[dict[str, Any]]:
    """The library grooves: meter, steps, swing, fill, title and description."""
    out = []
    for name in library.groove_names():
        groove_file = read_groove_file(library.library_root() / library.GROOVES / f"{name}.yaml")
        groove = groove_file.groove
        out.append(
            {
                "name": name,
                "title": groove_file.title,
                "description": groove_file.description,
                "meter": str(groove_file.meter),
                "steps": groove.steps,
                "swing": groove.swing,
                "fill_every": groove.fill.every if groove.fill else None,
                "parts": [p for p in ("drums", "bass", "comp", "drone") if getattr(groove, p)],
            }
        )
    return out


def vary(
    framework_ref: str,
    count: int,
    folder: str | None = None,
    amount: float | None = None,
    overrides: Overrides = Overrides(),
) -> VaryResult:
    """Write `count` seeded variations of a framework and say what each one changed."""
    from improv_cli.variants import vary as render_variants

    return render_variants(framework_ref, count, folder, amount, overrides)


def show(framework_ref: str, overrides: Overrides = Overrides()) -> dict[str, Any]:
    """What a framework holds: scale, chords per bar, groove grid, length in bars and time."""
    from improv_cli.engine.describe import describe

    return describe(apply(load_framework(framework_ref), overrides))
