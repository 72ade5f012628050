"""The library functions behind the commands: one function per command, plain results.

The CLI only parses options, calls one of these and prints what it returns. The engine (and
so music21) is imported inside `render` and `show`, never at import time.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from improv_cli.errors import FrameworkError, ImprovError, OptionError, RenderError
from improv_cli.model import library
from improv_cli.model.grooves import load_groove_file, read_groove_file
from improv_cli.model.loader import load_framework
from improv_cli.model.tables import MODES
from improv_cli.overrides import Overrides, SafetyOptions, apply
from improv_cli.practice import PracticeOptions

if TYPE_CHECKING:
    from improv_cli.adapt import Adaptation
    from improv_cli.adapt.render import AdaptResult
    from improv_cli.analysis import Analysis
    from improv_cli.journey import JourneyResult
    from improv_cli.model.framework import Framework
    from improv_cli.play import PlayStats
    from improv_cli.practice import PracticeResult
    from improv_cli.render.musicxml import Header
    from improv_cli.respond import Response
    from improv_cli.sheets import SheetResult
    from improv_cli.timeline import Timeline
    from improv_cli.variants import VaryResult

FORMATS = {
    "midi": ".mid",
    "musicxml": ".musicxml",
    "svg": ".svg",
    "pdf": ".pdf",
    "png": ".png",
    "wav": ".wav",
}
EXTENSIONS = {
    ".mid": "midi",
    ".midi": "midi",
    ".musicxml": "musicxml",
    ".xml": "musicxml",
    ".svg": "svg",
    ".pdf": "pdf",
    ".png": "png",
    ".wav": "wav",
}
__all__ = [
    "Overrides",
    "PracticeOptions",
    "SafetyOptions",
    "apply",
]  # re-exported: the command-line settings


def timeline(framework_ref: str, overrides: Overrides = Overrides()) -> Timeline:
    """Load, apply the overrides and realise a framework."""
    from improv_cli.engine.realise import realise

    framework = load_framework(framework_ref)
    if framework.song is not None:  # a song inside the framework (docs/adapt.md)
        from improv_cli.adapt import adapt_timeline
        from improv_cli.adapt.render import of_framework

        return adapt_timeline(framework, of_framework(framework, overrides.key, overrides.tempo))
    return realise(apply(framework, overrides))


@dataclass(frozen=True, slots=True)
class RenderResult:
    output: str
    format: str
    bars: int
    seconds: float
    notes: int
    parts: tuple[str, ...]
    seed: int
    files: tuple[str, ...] = ()  # every file written: one per page for SVG and PNG

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "files": list(self.files or (self.output,)),
            "format": self.format,
            "bars": self.bars,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
            "parts": list(self.parts),
            "seed": self.seed,
        }


def output_format(
    out: str | None, fmt: str | None, allowed: tuple[str, ...] = (), what: str = ""
) -> str:
    """The format asked for, else the one the output's extension names, else MIDI; with
    `allowed`, only those (`what` names the output in the message: "a practice loop")."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise OptionError(f"--format: unknown format '{fmt}'", "formats: " + ", ".join(FORMATS))
        if allowed and fmt not in allowed:
            kinds = " or ".join(f"'{a}'" for a in allowed)
            raise OptionError(f"--format: {what} is {kinds}, not '{fmt}'")
        return fmt
    if out and out != "-":
        suffix = Path(out).suffix.lower()
        found = EXTENSIONS.get(suffix)
        if allowed and suffix and found not in allowed:
            files = " or ".join(FORMATS[a] for a in allowed)
            raise OptionError(
                f"-o: {what} is written as {files}, not '{suffix}'",
                f"use {files}, or give --format",
            )
        if found is not None:
            return found
        if suffix:
            raise OptionError(
                f"-o: cannot tell the format of '{out}' from '{suffix}'",
                "use " + ", ".join(sorted(set(FORMATS.values()))) + " or give --format",
            )
    return "midi"


def render(
    framework_ref: str,
    out: str | None = None,
    fmt: str | None = None,
    overrides: Overrides = Overrides(),
    stems: bool = False,
) -> RenderResult:
    """Render a framework to a file (or to standard output with out='-').

    MIDI plays the music as performed (swing, humanise); the notation formats write it as
    a score does: straight notes with the swing named."""
    from improv_cli.engine.realise import realise

    fmt = output_format(out, fmt)
    framework = load_framework(framework_ref)
    if framework.song is not None:
        return _render_song(framework, out, fmt, overrides)
    framework = apply(framework, overrides)
    target = out or f"{Path(framework.name).name}{FORMATS[fmt]}"
    check_target(target)
    if stems and fmt != "wav":
        raise OptionError("--stems: stems are audio", "use it with --format wav or -o NAME.wav")
    if stems and target == "-":
        raise OptionError("--stems: stems are files beside the mix", "give -o NAME.wav")
    if fmt == "midi":
        from improv_cli.render.midi import midi_bytes

        result = realise(framework)
        files = write_files([midi_bytes(result)], target)
    elif fmt == "wav":
        from improv_cli.render.audio import render_audio

        result = realise(framework)
        sound = render_audio(result, stems=stems)  # the mix and its stems side by side
        names = [target, *stem_names(target, sound.stems)]
        files = write_all([sound.mix, *sound.stems.values()], names)
    else:
        from improv_cli.render.musicxml import musicxml_bytes
        from improv_cli.render.notation import notation_pages

        result = realise(framework, written=True)
        score = musicxml_bytes(result, header=score_header(framework))
        files = write_files(notation_pages(score, fmt), target)
    return RenderResult(
        target,
        fmt,
        result.bars,
        result.seconds(),
        len(result.notes),
        tuple(p.name for p in result.parts),
        framework.seed,
        files,
    )


def _render_song(
    framework: Framework, out: str | None, fmt: str, overrides: Overrides
) -> RenderResult:
    """`improv render` of a framework that names a song: the song adapted into it."""
    from improv_cli.adapt.render import of_framework, write_adapted

    if overrides.seed is not None:
        framework = replace(framework, seed=overrides.seed)
    target = out or f"{Path(framework.name).name}{FORMATS[fmt]}"
    done = write_adapted(
        framework, of_framework(framework, overrides.key, overrides.tempo), target, fmt
    )
    return RenderResult(
        target, fmt, done.bars, done.seconds, done.notes, done.parts, framework.seed, done.files
    )


def score_header(framework: Framework) -> Header:
    """The head of a score's first page: title, then technique, key, meter and groove."""
    from improv_cli.render.musicxml import Header

    groove = framework.groove_name
    about = [framework.technique.capitalize() if framework.technique else "", str(framework.key)]
    about += [str(framework.meter), f"groove: {groove}" if groove and groove != "inline" else ""]
    return Header(framework.title, " · ".join(a for a in about if a))


def stem_names(target: str, parts: Iterable[str]) -> list[str]:
    """NAME-drums.wav, NAME-bass.wav ... beside the mix NAME.wav."""
    path = Path(target)
    return [str(path.with_name(f"{path.stem}-{part}{path.suffix}")) for part in parts]


def page_names(target: str, count: int) -> list[str]:
    """One file, or NAME-1.EXT, NAME-2.EXT ... for several pages (as engravers name them)."""
    if count == 1:
        return [target]
    path = Path(target)
    return [str(path.with_name(f"{path.stem}-{i}{path.suffix}")) for i in range(1, count + 1)]


def write_files(pages: list[bytes], target: str) -> tuple[str, ...]:
    """Write one file per page, all or nothing; several pages cannot go to standard output."""
    if len(pages) == 1:
        write_output(pages[0], target)
        return (target,)
    if target == "-":
        raise RenderError(
            f"-o -: the score has {len(pages)} pages, one file each",
            "give a file name (pages are written NAME-1, NAME-2 ...) or use --format pdf",
        )
    return write_all(pages, page_names(target, len(pages)))


def write_all(datas: list[bytes], names: list[str]) -> tuple[str, ...]:
    """Several files, all or nothing: each staged beside its place, then all renamed."""
    staged_files: list[str] = []
    try:
        for data, name in zip(datas, names, strict=True):
            staged_files.append(staged(data, Path(name)))
        for temp, name in zip(staged_files, names, strict=True):
            os.replace(temp, name)
    except OSError as exc:
        for temp in staged_files:
            if os.path.exists(temp):
                os.unlink(temp)
        raise RenderError(f"{names[0]}: cannot write ({exc.strerror})") from None
    return tuple(names)


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


ENDLESS = 1000  # loops for `practice --play` without --loops: until Ctrl-C


def practice(
    framework_ref: str,
    options: PracticeOptions,
    out: str | None = None,
    fmt: str | None = None,
    overrides: Overrides = Overrides(),
) -> PracticeResult:
    """Write a practice loop: count-in, loops, tempo ramp, transposition, mutes, trades."""
    from improv_cli.practice import practice as write_practice

    return write_practice(framework_ref, options, out, fmt, overrides)[0]


def play_practice(
    framework_ref: str,
    options: PracticeOptions,
    port: str | None = None,
    overrides: Overrides = Overrides(),
    view: bool = True,
) -> PlayStats:
    """Play a practice loop live (Ctrl-C stops it; every sounding note is released)."""
    from improv_cli.play import perform, play_timeline
    from improv_cli.play.endless import endless
    from improv_cli.practice import check, practice_timeline

    check(options)
    framework = apply(load_framework(framework_ref), overrides)
    if options.loops != ENDLESS:
        return play_timeline(practice_timeline(framework, options), port, view=view)
    if options.ramp or options.ramp_step is not None:
        raise OptionError(
            "--ramp: a ramp needs an end", "give --loops N with --ramp or --ramp-step"
        )
    # One round of keys (12 / gcd loops when transposing, else one loop), then again and again.
    shift = options.transpose_each % 12
    cycle = 12 // math.gcd(shift, 12) if shift else 1
    first = practice_timeline(framework, replace(options, loops=cycle))
    again = practice_timeline(framework, replace(options, loops=cycle, count_in=0))
    events, cues = endless(first, again)
    return perform(events, cues, port, view=view, endless=True)


def play(
    source: str, port: str | None = None, overrides: Overrides = Overrides(), view: bool = True
) -> PlayStats:
    """Play a MIDI file or a framework live, to a MIDI port or the built-in synthesiser."""
    from improv_cli.play import load, perform

    events, cues = load(source, overrides)
    return perform(events, cues, port, view=view)


def ports() -> dict[str, Any]:
    """The MIDI outputs `--port` can name (and why there are none, when none)."""
    from improv_cli.play import ports as listing

    return listing()


def respond(
    client: str,
    framework_ref: str,
    technique: str,
    out: str | None = None,
    seed: int | None = None,
    alone: bool = False,
    channel: int | None = None,
    track: int | None = None,
    params: Sequence[str] = (),
) -> Response:
    """Answer a client's recording with a clinical technique, written as MIDI."""
    from improv_cli.respond import respond as write_response

    return write_response(
        client, framework_ref, technique, out, seed, alone, channel, track, params
    )


def adaptation(
    song: str,
    melody_part: str | None = None,
    bars: str | None = None,
    mode: str | None = None,
    key: str | None = None,
    groove: str | None = None,
    tempo: float | None = None,
    expression: str | None = None,
) -> Adaptation:
    """What `improv adapt` was asked, checked: the song's bars, its melody part, the spans."""
    from improv_cli.adapt import Adaptation
    from improv_cli.adapt.options import bar_range, expression_file, part_choice

    return Adaptation(
        song,
        part_choice(melody_part),
        bar_range(bars),
        mode,
        key,
        groove,
        tempo,
        expression_file(expression) if expression else (),
    )


def adapt(
    framework_ref: str,
    options: Adaptation,
    out: str | None = None,
    fmt: str | None = None,
    seed: int | None = None,
) -> AdaptResult:
    """Play a song inside a framework, written as MIDI, WAV or notation."""
    from improv_cli.adapt.render import adapt_song

    return adapt_song(framework_ref, options, out, fmt, seed)


def journey(
    framework_ref: str,
    start: float | None,
    target: float,
    minutes: float,
    shape: str = "linear",
    max_step: float = 8.0,
    hold_start: int = 4,
    hold_end: int = 4,
    phrase: int = 4,
    also: str | None = None,
    recording: str | None = None,
    out: str | None = None,
) -> JourneyResult:
    """An iso-principle journey through a framework, from `start` (or the recording's
    tempo) to `target`, written as MIDI or WAV."""
    from improv_cli.journey import JourneySpec, parse_also, write_journey

    if start is None and recording is None:
        raise OptionError("--from or --from-recording: where the journey starts", "e.g. --from 120")
    spec = JourneySpec(
        start or 0.0, target, minutes, shape, max_step, hold_start, hold_end, phrase,
        parse_also(also),
    )  # fmt: skip
    return write_journey(framework_ref, spec, recording, out)


def analyze(
    sessions: list[str],
    client: int | None = None,
    therapist: int | None = None,
    window: float = 6.0,
    hop: float = 1.0,
    align: str = "trailing",
    plot: str | None = None,
) -> Analysis:
    """Measure each session's music: per player, between the players, and (plot) a PNG."""
    from improv_cli.analysis import analyze as measure

    return measure(sessions, client, therapist, window, hop, align, plot)


def sheet(
    framework_ref: str,
    kind: str = "lead",
    out: str | None = None,
    fmt: str | None = None,
    overrides: Overrides = Overrides(),
) -> SheetResult:
    """Write a lead sheet or a practice sheet of a framework (PDF by default)."""
    from improv_cli.sheets import sheet as write_sheet

    return write_sheet(framework_ref, kind, out, fmt, overrides)


def show(framework_ref: str, overrides: Overrides = Overrides()) -> dict[str, Any]:
    """What a framework holds: scale, chords per bar, groove grid, length in bars and time."""
    from improv_cli.engine.describe import describe

    return describe(apply(load_framework(framework_ref), overrides))
