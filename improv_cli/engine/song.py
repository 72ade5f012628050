"""Pre-composed songs: music21 reads a score; the rest of improv gets plain `Song` data.

No music21 object leaves this module, and music21 is imported inside the functions only
(`improv --help` must not load it). Times are ticks (`TPQ` a quarter note) from the start
of the first bar, pickup or not, after repeats are expanded.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import fmean
from typing import Any

from improv_cli.errors import RenderError
from improv_cli.model.tables import TPQ

CORPUS_PREFIX = "corpus:"
FORMATS_HINT = (
    "music21 reads MusicXML (.xml, .musicxml, .mxl), MIDI (.mid, .midi), ABC (.abc) "
    "and Humdrum (.krn); or give corpus:NAME"
)
_QUALITIES = ("major", "minor", "diminished", "augmented", "dominant")


@dataclass(frozen=True, slots=True)
class SongNote:
    """One melody note: onset and length in ticks, MIDI pitch and its spelling."""

    start: int
    duration: int
    pitch: int
    step: str  # "C".."B"
    alter: int  # semitones, -2..2
    tied: bool = False


@dataclass(frozen=True, slots=True)
class SongChord:
    """A chord symbol: where it starts and what kind of chord it is."""

    start: int
    figure: str  # as music21 spells it: "Am7", "G7", "B-" (music21 writes flats as '-')
    root_step: str
    root_alter: int
    quality: str  # major, minor, diminished, augmented, dominant or other
    seventh: bool


@dataclass(frozen=True, slots=True)
class SongBar:
    """A bar: where it starts, its actual length, the time signature in force, its number."""

    start: int
    ticks: int
    numerator: int
    denominator: int
    number: int


@dataclass(frozen=True, slots=True)
class Song:
    """A song read from a file or music21's corpus, as plain data."""

    title: str
    source: str
    tonic: str  # "G", "Bb", "F#"
    mode: str  # "major" or "minor"
    notes: tuple[SongNote, ...]
    chords: tuple[SongChord, ...]
    bars: tuple[SongBar, ...]
    pickup: int
    tempo: float | None
    parts: tuple[str, ...]
    melody_part: str


def read_song(
    ref: str, melody_part: str | int | None = None, bars: tuple[int, int] | None = None
) -> Song:
    """Read `ref` (a file path or `corpus:NAME`) into a `Song`.

    `melody_part` is a 1-based part number or a part name (any case); by default the
    non-percussion part with the highest mean pitch. `bars` keeps the bars numbered
    first..last (music21's numbers, inclusive; a bar the repeats bring back is kept on each
    pass), rebased so the first kept bar starts at 0.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            song = _read(ref, melody_part)
        except RenderError:
            raise
        except Exception as exc:  # music21 raises many types, anywhere
            raise RenderError(
                f"{ref}: not a readable song file ({_reason(exc)})", hint=FORMATS_HINT
            ) from None
    if bars is None:
        return song
    kept, notes, chords = _select(ref, bars, song.bars, song.notes, song.chords)
    return replace(song, bars=kept, notes=notes, chords=chords, pickup=_pickup(kept))


def _read(ref: str, melody_part: str | int | None) -> Song:
    score = _expand(_load(ref))
    parts = list(score.parts) or [score]
    names = tuple(str(p.partName) if p.partName else f"part {i + 1}" for i, p in enumerate(parts))
    index = _choose_part(ref, parts, names, melody_part)
    part = parts[index]
    if not part.getElementsByClass("Measure"):
        part = part.makeMeasures()
    bars = _bars(part)
    notes = _melody(list(part.stripTies().getElementsByClass("Measure")), bars)
    if not notes:
        raise RenderError(f"{ref}: no notes in part {names[index]!r}")
    tonic, mode = _key(part)
    return Song(
        title=_title(score, ref),
        source=ref,
        tonic=tonic,
        mode=mode,
        notes=notes,
        chords=_chords(parts, bars),
        bars=bars,
        pickup=_pickup(bars),
        tempo=_tempo(parts),
        parts=names,
        melody_part=names[index],
    )


# --- loading --------------------------------------------------------------------------


def _load(ref: str) -> Any:
    """Parse `ref` into a music21 Score (the first score of an Opus)."""
    from music21 import stream

    if ref.startswith(CORPUS_PREFIX):
        parsed = _load_corpus(ref, ref[len(CORPUS_PREFIX) :])
    else:
        parsed = _load_file(ref)
    if isinstance(parsed, stream.Opus):
        parsed = next(iter(parsed.scores), None)
    if isinstance(parsed, stream.Score):
        return parsed
    if isinstance(parsed, stream.Stream):
        return stream.Score([parsed])
    raise RenderError(f"{ref}: not a readable song file (no music in it)", hint=FORMATS_HINT)


def _load_corpus(ref: str, name: str) -> Any:
    from music21 import corpus

    hint = "try corpus:bach/bwv66.6, or find names with music21.corpus.search"
    try:
        found = corpus.getWork(name)
    except Exception:
        raise RenderError(f"{ref}: not in music21's corpus", hint=hint) from None
    if isinstance(found, list) and len({Path(p).stem for p in found}) > 1:
        raise RenderError(
            f"{ref}: names {len(found)} pieces in music21's corpus",
            hint=f"give one, e.g. corpus:{Path(found[0]).parent.name}/{Path(found[0]).stem}",
        )
    return corpus.parse(name)


def _load_file(ref: str) -> Any:
    from music21 import converter

    path = Path(ref)
    if not path.exists():
        raise RenderError(f"{ref}: no such file")
    if not path.is_file():
        raise RenderError(f"{ref}: not a readable song file (not a file)", hint=FORMATS_HINT)
    return converter.parse(path)


def _reason(exc: Exception) -> str:
    """An exception as a short single line (no dump of the bytes music21 choked on)."""
    text = " ".join(str(exc).split())
    for marker in (", got:", " b'", "\\x"):
        text = text.split(marker)[0]
    text = text.strip(" :,") or type(exc).__name__
    return text if len(text) <= 80 else text[:77] + "..."


def _expand(score: Any) -> Any:
    """The score with repeats expanded, or as written when music21 cannot expand it."""
    try:
        return score.expandRepeats()
    except Exception:
        return score


def _title(score: Any, ref: str) -> str:
    """The title or movement name in the file, else the file's name."""
    metadata = score.metadata
    title = str((metadata.title or metadata.movementName or "") if metadata else "")
    return _strip_suffix(title or Path(ref.removeprefix(CORPUS_PREFIX)).name)


def _strip_suffix(name: str) -> str:
    """`bwv66.6.mxl` -> `bwv66.6` (music21 gives a file name when a score has no title)."""
    for suffix in (".mxl", ".musicxml", ".xml", ".mid", ".midi", ".abc", ".krn"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


# --- parts ----------------------------------------------------------------------------


def _choose_part(
    ref: str, parts: list[Any], names: tuple[str, ...], wanted: str | int | None
) -> int:
    """The index of the melody part: as asked, else the highest non-percussion part."""
    if wanted is None:
        return _highest_part(ref, parts)
    if isinstance(wanted, str):
        folded = [name.casefold() for name in names]
        if wanted.strip().casefold() in folded:
            return folded.index(wanted.strip().casefold())
        if wanted.strip().isdigit():
            wanted = int(wanted)
    if isinstance(wanted, int) and 1 <= wanted <= len(parts):
        return wanted - 1
    raise RenderError(
        f"{ref}: no part {wanted!r} (parts: {', '.join(names)})",
        hint="give a part name or its number from 1",
    )


def _highest_part(ref: str, parts: list[Any]) -> int:
    means: list[tuple[float, int]] = []
    for i, part in enumerate(parts):
        pitches = [top for _, top in _sounding(part.recurse())]
        if pitches and not _is_percussion(part):
            means.append((fmean(pitches), -i))
    if not means:
        raise RenderError(f"{ref}: no notes in this song")
    return -max(means)[1]


def _is_percussion(part: Any) -> bool:
    from music21 import instrument

    found = part.getInstrument(returnDefault=False)
    return isinstance(found, instrument.UnpitchedPercussion) or (
        found is not None and found.midiChannel == 9
    )


def _sounding(elements: Any) -> Iterator[tuple[Any, int]]:
    """Pitched notes and chords (not chord symbols, not grace notes), with their top pitch."""
    from music21 import chord, harmony, note

    for element in elements:
        if isinstance(element, harmony.Harmony) or element.duration.isGrace:
            continue
        if isinstance(element, note.Note):
            yield element, int(element.pitch.midi)
        elif isinstance(element, chord.Chord) and element.pitches:
            yield element, max(int(p.midi) for p in element.pitches)


# --- bars, melody, chords -------------------------------------------------------------


def _bars(part: Any) -> tuple[SongBar, ...]:
    """The bars of the part as written (stripping ties would stretch and empty measures)."""
    bars: list[SongBar] = []
    numerator, denominator, start = 4, 4, 0
    for measure in part.getElementsByClass("Measure"):
        signature = measure.timeSignature
        if signature is not None:
            numerator, denominator = int(signature.numerator), int(signature.denominator)
        ticks = _ticks(measure.duration.quarterLength)
        bars.append(SongBar(start, ticks, numerator, denominator, int(measure.number)))
        start += ticks
    return tuple(bars)


def _ticks(quarter_length: Any) -> int:
    return round(float(quarter_length) * TPQ)


def _melody(measures: list[Any], bars: tuple[SongBar, ...]) -> tuple[SongNote, ...]:
    """The top line: at each onset the highest note, cutting a lower note that still sounds;
    a note starting under a higher sounding note is dropped."""
    events: list[SongNote] = []
    for measure, bar in zip(measures, bars, strict=True):
        for element, top in _sounding(measure.recurse().notesAndRests):
            start = bar.start + _ticks(element.getOffsetInHierarchy(measure))
            duration = _ticks(element.duration.quarterLength)
            if duration > 0:
                events.append(_song_note(element, top, start, duration))
    events.sort(key=lambda n: (n.start, -n.pitch, -n.duration))
    line: list[SongNote] = []
    for event in events:
        if line and line[-1].start == event.start:
            continue  # a lower (or shorter) note of the same onset
        if line and line[-1].start + line[-1].duration > event.start:
            if event.pitch < line[-1].pitch:
                continue
            line[-1] = replace(line[-1], duration=event.start - line[-1].start)
        line.append(event)
    return tuple(line)


def _song_note(element: Any, top: int, start: int, duration: int) -> SongNote:
    pitches = getattr(element, "pitches", None) or (element.pitch,)
    pitch = next(p for p in pitches if int(p.midi) == top)
    return SongNote(start, duration, top, str(pitch.step), _alter(pitch))


def _alter(pitch: Any) -> int:
    accidental = pitch.accidental
    alter = round(float(accidental.alter)) if accidental is not None else 0
    return max(-2, min(2, alter))


def _chords(parts: list[Any], bars: tuple[SongBar, ...]) -> tuple[SongChord, ...]:
    """The chord symbols of every part, placed by bar, without duplicates, sorted."""
    found: dict[tuple[int, str], SongChord] = {}
    for part in parts:
        measures = list(part.getElementsByClass("Measure"))
        if len(measures) == len(bars):
            placed = [
                (bar.start + _ticks(symbol.getOffsetInHierarchy(measure)), symbol)
                for measure, bar in zip(measures, bars, strict=True)
                for symbol in _symbols(measure)
            ]
        else:  # bars unlike the melody's: trust music21's offsets
            placed = [(_ticks(s.getOffsetInHierarchy(part)), s) for s in _symbols(part)]
        for start, symbol in placed:
            made = _song_chord(symbol, start)
            if made is not None:
                found.setdefault((made.start, made.figure), made)
    return tuple(sorted(found.values(), key=lambda c: (c.start, c.figure)))


def _symbols(container: Any) -> list[Any]:
    from music21 import harmony

    return [
        symbol
        for symbol in container.recurse().getElementsByClass(harmony.ChordSymbol)
        if not isinstance(symbol, harmony.NoChord)
    ]


def _song_chord(symbol: Any, start: int) -> SongChord | None:
    """A `SongChord`, or None for a symbol music21 gives no root."""
    try:
        root = symbol.root()
        seventh = symbol.seventh is not None
    except Exception:
        return None
    if root is None:
        return None
    kind = str(symbol.chordKind or "")
    quality = next((q for q in _QUALITIES if kind.startswith(q)), "other")
    if kind.startswith("half-diminished"):
        quality = "diminished"
    seventh = seventh or any(w in kind for w in ("seventh", "ninth", "11th", "13th"))
    return SongChord(start, str(symbol.figure), str(root.step), _alter(root), quality, seventh)


# --- key, tempo, pickup, selection ----------------------------------------------------


def _key(part: Any) -> tuple[str, str]:
    """Tonic and mode: the first major or minor Key (unless the tune ends on the tonic of
    music21's analysis and not on its own: then the analysis), else the key signature's
    major or relative minor as the analysis prefers, else the analysis."""
    from music21 import key

    written = part.recurse().getElementsByClass(key.Key).first()
    analysed = part.analyze("key")
    if written is not None and written.mode in ("major", "minor"):
        if _ends_on(part, analysed) and not _ends_on(part, written):
            return _key_names(analysed)  # a key written wrongly: the tune ends on another tonic
        return _key_names(written)
    signature = part.recurse().getElementsByClass(key.KeySignature).first()
    if written is None and signature is not None:
        candidates = [signature.asKey("major"), signature.asKey("minor")]
        for guess in [analysed, *getattr(analysed, "alternateInterpretations", [])]:
            for candidate in candidates:
                if (guess.tonic.name, guess.mode) == (candidate.tonic.name, candidate.mode):
                    return _key_names(candidate)
        return _key_names(candidates[0])
    return _key_names(analysed)


def _ends_on(part: Any, found: Any) -> bool:
    """Whether the part's last note (the top of a last chord) is the key's tonic."""
    last = part.recurse().notes.last()
    if last is None:
        return False
    top = max(last.pitches, key=lambda p: p.ps)
    return bool(top.pitchClass == found.tonic.pitchClass)


def _key_names(found: Any) -> tuple[str, str]:
    mode = found.mode if found.mode in ("major", "minor") else "major"
    return str(found.tonic.name).replace("-", "b"), str(mode)


def _tempo(parts: list[Any]) -> float | None:
    """Quarter notes a minute of the earliest metronome mark with a number, else None."""
    from music21 import tempo

    marks: list[tuple[float, float]] = []
    for part in parts:
        for mark in part.recurse().getElementsByClass(tempo.MetronomeMark):
            bpm = mark.getQuarterBPM()
            if bpm is not None and not mark.numberImplicit:
                marks.append((float(mark.getOffsetInHierarchy(part)), float(bpm)))
                break
    return min(marks)[1] if marks else None


def _pickup(bars: tuple[SongBar, ...]) -> int:
    """The length of the first bar when it is shorter than its time signature, else 0."""
    if not bars:
        return 0
    first = bars[0]
    return first.ticks if first.ticks < first.numerator * TPQ * 4 // first.denominator else 0


def _select(
    ref: str,
    wanted: tuple[int, int],
    bars: tuple[SongBar, ...],
    notes: tuple[SongNote, ...],
    chords: tuple[SongChord, ...],
) -> tuple[tuple[SongBar, ...], tuple[SongNote, ...], tuple[SongChord, ...]]:
    """Keep bars first..last the first time through, rebased to start at 0.

    A note held past the end of a run of adjacent kept bars is cut there.
    """
    first, last = wanted
    low, high = min(b.number for b in bars), max(b.number for b in bars)
    if first > last:
        raise RenderError(f"{ref}: bars {first}-{last}: the first bar is after the last")
    kept = _first_pass(bars, first, last)
    if first < low or last > high or not kept:
        raise RenderError(f"{ref}: bars {first}-{last} are outside the song (bars {low}-{high})")
    new_bars: list[SongBar] = []
    new_notes: list[SongNote] = []
    new_chords: list[SongChord] = []
    position = 0
    for bar, run_end in zip(kept, _run_ends(kept), strict=True):
        shift, end = position - bar.start, bar.start + bar.ticks
        new_bars.append(replace(bar, start=position))
        new_notes.extend(
            replace(n, start=n.start + shift, duration=min(n.duration, run_end - n.start))
            for n in notes
            if bar.start <= n.start < end
        )
        new_chords.extend(
            replace(c, start=c.start + shift) for c in chords if bar.start <= c.start < end
        )
        position += bar.ticks
    return tuple(new_bars), tuple(new_notes), tuple(new_chords)


def _first_pass(bars: tuple[SongBar, ...], first: int, last: int) -> list[SongBar]:
    """Bars `first` to `last` the first time through: from the first bar numbered `first`
    to the next bar numbered `last` (repeats expanded number their bars again)."""
    start = next((i for i, bar in enumerate(bars) if bar.number == first), None)
    if start is None:
        return []
    for end in range(start, len(bars)):
        if bars[end].number == last:
            return list(bars[start : end + 1])
    return []


def _run_ends(kept: list[SongBar]) -> list[int]:
    """For each kept bar, the end of the run of adjacent kept bars it belongs to."""
    ends = [bar.start + bar.ticks for bar in kept]
    for i in range(len(kept) - 2, -1, -1):
        if kept[i + 1].start == ends[i]:
            ends[i] = ends[i + 1]
    return ends
