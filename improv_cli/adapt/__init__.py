"""Pre-composed music, improvisationally: a song inside a framework (`improv adapt`).

The song's melody is kept as written, by scale degree: its rhythm exactly, its pitches as
degrees of the song's key, sounding in the target key and mode (`--mode dorian` re-colours a
major song; `--key` moves it). Its harmony is its own chord symbols, or a harmonisation
from the melody, in the target mode. Around it the framework plays: its groove, parts,
tempo, dynamics, expression and safety. See docs/adapt.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from improv_cli.adapt.degrees import MELODY_OCTAVE, NO_POS, melody_bars
from improv_cli.adapt.harmony import BarHarmony, from_symbols, harmonised, strongest_share
from improv_cli.adapt.segments import (
    Run,
    meter_of,
    pickup_spans,
    runs,
    spans_for,
    whole_bars,
)
from improv_cli.engine.song import Song
from improv_cli.errors import OptionError, RenderError
from improv_cli.joining import joined
from improv_cli.model.framework import (
    Chord,
    ExpressionSpan,
    Framework,
    Groove,
    Key,
    Length,
    Meter,
    Section,
)
from improv_cli.timeline import Timeline

__all__ = ["Adaptation", "Adapted", "adapt_timeline", "adapted"]


@dataclass(frozen=True, slots=True)
class Adaptation:
    """What to do with the song: the choices of `improv adapt` beyond the framework."""

    song: str
    melody_part: str | int | None = None
    bars: tuple[int, int] | None = None  # as the song numbers them
    mode: str | None = None  # re-colour: the same tonic, another mode
    key: str | None = None  # "E dorian": another tonic (and mode)
    groove: str | None = None  # a library groove in the song's metre
    tempo: float | None = None
    expression: tuple[ExpressionSpan, ...] = ()  # more spans, in the song's bars


@dataclass(frozen=True, slots=True)
class Adapted:
    """A realised adaptation and what was done."""

    timeline: Timeline
    song: Song
    key: Key
    harmony: str  # "chord symbols" or "harmonised"
    strongest: float  # share of bars whose chord holds the bar's strongest melody note
    runs: tuple[Run, ...]
    framework: Framework  # the framework of the song's main metre

    def as_dict(self) -> dict[str, Any]:
        return {
            "song": self.song.title,
            "source": self.song.source,
            "melody_part": self.song.melody_part,
            "song_key": f"{self.song.tonic} {self.song.mode}",
            "key": str(self.key),
            "harmony": self.harmony,
            "strongest_note_share": round(self.strongest, 3),
            "pickup_beats": round(self.song.pickup / 480, 3),
            "meters": [str(r.meter) for r in self.runs if not r.pickup],
        }


def adapted(framework: Framework, adaptation: Adaptation, written: bool = False) -> Adapted:
    """The song of `adaptation` realised through `framework` (`written`: for notation)."""
    from improv_cli.engine.song import read_song

    song = read_song(adaptation.song, adaptation.melody_part, adaptation.bars)
    song = replace(song, bars=whole_bars(song.bars, song.pickup))
    printed = len(song.bars) - (1 if song.pickup else 0)
    for span in adaptation.expression:
        if span.last_bar > printed:
            raise OptionError(
                f"--expression: bar {span.last_bar} is beyond the song's {printed} bars",
                "the song's bars count from 1 (a pickup is bar 0)",
            )
    song_key = Key(song.tonic, song.mode)
    key = target_key(song_key, adaptation)
    harmony, how = song_harmony(song, song_key, key)
    melody = melody_bars(song.notes, song.bars, song_key, key)
    framework = _prepared(framework, adaptation, song_key, key)
    pieces = runs(song.bars, song.pickup)
    grooves = _grooves(framework, adaptation, song, pieces)
    spans = (*framework.expression, *adaptation.expression)
    timelines, frameworks = [], []
    for run in pieces:
        part = _run_framework(framework, run, song, harmony, melody, grooves, spans)
        frameworks.append(part)
        timelines.append(_realise(part, written))
    main = max(range(len(pieces)), key=lambda i: (pieces[i].count, -i))
    ties = [bool(melody[r.first]) and melody[r.first][0].tied for r in pieces]
    timeline = joined(song.title, timelines, [r.pickup for r in pieces], ties)
    return Adapted(
        timeline, song, key, how, strongest_share(harmony), tuple(pieces), frameworks[main]
    )


def adapt_timeline(framework: Framework, adaptation: Adaptation) -> Timeline:
    return adapted(framework, adaptation).timeline


def target_key(song_key: Key, adaptation: Adaptation) -> Key:
    """The song's key, moved by --key and re-coloured by --mode (a seven-note mode)."""
    from improv_cli.model.modes import mode_info
    from improv_cli.model.syntax import SyntaxProblem, parse_key

    key = song_key
    if adaptation.key is not None:
        try:
            key = Key(*parse_key(adaptation.key))
        except SyntaxProblem as problem:
            raise OptionError(f"--key: {problem.message}", problem.hint) from None
    if adaptation.mode is not None:
        try:
            key = Key(*parse_key(f"{key.tonic} {adaptation.mode}"))
        except SyntaxProblem as problem:
            raise OptionError(f"--mode: {problem.message}", problem.hint) from None
    if len(mode_info(key.mode).intervals) != 7:
        raise OptionError(
            f"--mode: {key.mode} has {len(mode_info(key.mode).intervals)} notes, not 7",
            "a song is re-coloured degree by degree: choose a seven-note mode (dorian, ...)",
        )
    return key


def song_harmony(song: Song, song_key: Key, key: Key) -> tuple[list[BarHarmony], str]:
    if song.chords:
        return from_symbols(song.chords, song.bars, song_key, key), "chord symbols"
    return harmonised(song.notes, song.bars, song_key, key), "harmonised"


def _prepared(framework: Framework, adaptation: Adaptation, song_key: Key, key: Key) -> Framework:
    """The framework with the song's key, the tempo asked for and the melody in register:
    the target tonic the nearest to the song's (a fifth up or down at most)."""
    shift = -1 if (key.tonic_pc - song_key.tonic_pc) % 12 > 6 else 0
    parts = tuple(
        replace(p, octave=MELODY_OCTAVE + shift) if p.name == "melody" else p
        for p in framework.parts
    )
    tempo = adaptation.tempo if adaptation.tempo is not None else framework.tempo
    if not 20 <= tempo <= 400:
        raise OptionError(f"--tempo: {tempo:g} is out of range", "use 20 to 400 bpm")
    # the song is played as written: no variation of its melody, no vary plan
    return replace(framework, key=key, parts=parts, tempo=tempo, variation=0.0, vary=())


def _grooves(
    framework: Framework, adaptation: Adaptation, song: Song, pieces: Sequence[Run]
) -> dict[Meter, Groove]:
    """The groove for each metre it fits: --groove, else the framework's own."""
    meters = Counter(r.meter for r in pieces if r.full and not r.pickup for _ in range(r.count))
    main = meters.most_common(1)[0][0] if meters else meter_of(song.bars[0])
    if adaptation.groove is not None:
        groove, written_for = _library_groove(adaptation.groove)
        if written_for != main:
            raise OptionError(
                f"--groove: '{adaptation.groove}' is written for {written_for}, "
                f"the song is in {main}",
                f"grooves in {main}: {', '.join(_grooves_in(main)) or 'none'}",
            )
        return {main: groove}
    own = framework.sections[0].groove if framework.sections else None
    if own is not None and framework.meter != main:
        raise RenderError(
            f"{song.source}: the song is in {main}, the framework {framework.name} in "
            f"{framework.meter}",
            f"use --groove with a groove in {main} ({', '.join(_grooves_in(main)) or 'none'})"
            " or a framework in that metre",
        )
    return {framework.meter: own} if own is not None else {}


def _library_groove(name: str) -> tuple[Groove, Meter]:
    from improv_cli.model import library
    from improv_cli.model.grooves import read_groove_file
    from improv_cli.model.syntax import suggest

    path = library.groove_path(name)
    if path is None:
        hint = suggest(name, library.groove_names()) or "see improv list --grooves"
        raise OptionError(f"--groove: unknown groove '{name}'", hint)
    found = read_groove_file(path)
    return replace(found.groove, name=name), found.meter


def _grooves_in(meter: Meter) -> list[str]:
    from improv_cli.model import library
    from improv_cli.model.grooves import read_groove_file

    names = library.groove_names()
    return [
        n for n in names if (p := library.groove_path(n)) and read_groove_file(p).meter == meter
    ]


def _run_framework(
    framework: Framework,
    run: Run,
    song: Song,
    harmony: Sequence[BarHarmony],
    melody: Sequence[tuple[Any, ...]],
    grooves: dict[Meter, Groove],
    spans: Sequence[ExpressionSpan],
) -> Framework:
    """One run of bars as a framework of its own metre."""
    bars = range(run.first, run.first + run.count)
    chords = tuple(
        tuple(Chord(t, t[0] not in "ABCDEFG", NO_POS) for t in harmony[i].chords) for i in bars
    )
    groove = grooves.get(run.meter) if run.full and not run.pickup else None
    section = Section("song", chords, (tuple(melody[i] for i in bars),), groove, ())
    first = run.first if song.pickup else run.first + 1  # as printed: the pickup is bar 0
    return replace(
        framework,
        title=song.title,
        meter=run.meter,
        sections=(section,),
        length=Length(bars=run.count),
        expression=(
            pickup_spans(spans) if run.pickup else spans_for(spans, first, first + run.count - 1)
        ),
        has_sections=False,
        groove_name=groove.name if groove else None,
    )


def _realise(framework: Framework, written: bool) -> Timeline:
    from improv_cli.engine.realise import realise

    return realise(framework, written=written)


def song_path(ref: str, base: Path | None) -> str:
    """A song reference from a framework file: corpus names as they are, paths from the file."""
    if ref.startswith("corpus:") or base is None or Path(ref).is_absolute():
        return ref
    return str(base.parent / ref)
