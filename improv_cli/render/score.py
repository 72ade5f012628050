"""A written Timeline -> a music21 Score: parts, bars, voices, and the marks a player reads.

Parts run top to bottom melody, comp, bass, drone, drums. The top part carries the chord
symbols, tempo marks, rehearsal marks and the swing instruction; every part carries the
key signature, the dynamics and the fermatas. Drums go on a percussion staff, one staff
position and notehead per instrument (the table below). music21 is imported here only.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from statistics import median
from typing import Any

from improv_cli.model.tables import DYNAMICS, GM_DRUMS, TPQ
from improv_cli.render.layout import Piece, Speller, bar_pieces, bar_spans, events, voices
from improv_cli.render.marks import TempoMark, beat_ticks, tempo_marks
from improv_cli.render.midi import channels
from improv_cli.timeline import Timeline

SCORE_ORDER = ("client", "therapist", "melody", "slashes", "comp", "bass", "drone", "drums")
PART_TITLES = {
    "client": "Client",  # improv respond: the recording, then the therapist's answer
    "therapist": "Therapist",
    "melody": "Melody",
    "slashes": "Rhythm",  # a lead sheet with no melody: one slash a beat under the chords
    "comp": "Comp",
    "bass": "Bass",
    "drone": "Drone",
    "drums": "Drums",
}

# General MIDI drum key -> (staff position, notehead) on a five-line percussion staff: the
# kit as drum notation usually writes it; no two drums share a place and a notehead.
KIT_STAFF: dict[int, tuple[str, str]] = {
    35: ("E4", "normal"), 36: ("F4", "normal"), 37: ("C5", "circle-x"), 38: ("C5", "normal"),
    39: ("B4", "x"), 40: ("C5", "slash"), 41: ("G4", "normal"), 42: ("G5", "x"),
    43: ("A4", "normal"), 44: ("D4", "x"), 45: ("B4", "normal"), 46: ("G5", "circle-x"),
    47: ("D5", "normal"), 48: ("E5", "normal"), 49: ("A5", "x"), 50: ("F5", "normal"),
    51: ("F5", "x"), 52: ("C6", "x"), 53: ("F5", "diamond"), 54: ("E5", "x"),
    55: ("B5", "x"), 56: ("E5", "triangle"), 57: ("A5", "circle-x"), 58: ("C5", "triangle"),
    59: ("F5", "circle-x"),
}  # fmt: skip
_HAND_HEADS = ("triangle", "diamond", "square", "inverted triangle")
_HAND_PLACES = ("E5", "D5", "C5", "B4", "A4", "G4", "F4", "E4")


def _hand_percussion() -> dict[int, tuple[str, str]]:
    """Keys 60-81 (bongos, congas, shakers ...): the first free place, shaped noteheads."""
    taken = set(KIT_STAFF.values())
    free = [(p, h) for h in _HAND_HEADS for p in _HAND_PLACES if (p, h) not in taken]
    return dict(zip(range(60, 82), free, strict=False))


DRUM_STAFF = {**KIT_STAFF, **_hand_percussion()}


def music21() -> Any:
    """music21, imported on first use (as `Any`: its own annotations are partial)."""
    import music21 as m21

    return m21


def drum_staff(key: int) -> tuple[str, str]:
    return DRUM_STAFF.get(key, ("C5", "cross"))


DRUM_NAMES = {key: name.replace("-", " ").capitalize() for name, key in GM_DRUMS.items()}


def level_name(velocity: int) -> str:
    """The written dynamic nearest a velocity."""
    return min(DYNAMICS, key=lambda name: abs(DYNAMICS[name] - velocity))


@dataclass(frozen=True, slots=True)
class Annotation:
    """What a practice sheet writes on one note: a label under it, words above, a colour,
    a notehead shape."""

    lyric: str = ""
    above: str = ""
    color: str = ""
    head: str = ""


Annotations = dict[tuple[str, int], Annotation]  # (part, onset tick) -> marks


@dataclass
class Built:
    """A music21 Score and what the MusicXML writer must add: the drum part's instruments."""

    score: Any
    part_ids: dict[str, str]
    annotations: Annotations
    named: bool  # print the part names at the left of the systems
    drum_keys: dict[int, list[Any]] = field(default_factory=dict)  # key -> its written notes
    words: list[tuple[int, str]] = field(default_factory=list)  # annotations' words above


def ql(ticks: int) -> Fraction:
    return Fraction(ticks, TPQ)


def build_score(
    timeline: Timeline,
    parts: Sequence[str] | None = None,
    title: str | None = None,
    annotations: Annotations | None = None,
    named: bool = True,
) -> Built:
    """The score of `timeline` with the named parts (default all), in score order."""
    m21 = music21()

    names = [p.name for p in timeline.parts]
    chosen = [n for n in SCORE_ORDER if n in names and (parts is None or n in parts)]
    score = m21.stream.Score()
    score.metadata = m21.metadata.Metadata()
    score.metadata.title = title or timeline.title
    built = Built(
        score, {name: f"P{i + 1}" for i, name in enumerate(chosen)}, annotations or {}, named
    )
    speller = Speller(timeline)
    tempos = tempo_marks(timeline)
    for i, name in enumerate(chosen):
        score.insert(0, _part(timeline, name, built, speller, top=i == 0, tempos=tempos))
    return built


def _part(
    timeline: Timeline,
    name: str,
    built: Built,
    speller: Speller,
    top: bool,
    tempos: Sequence[TempoMark],
) -> Any:
    m21 = music21()

    info = next(p for p in timeline.parts if p.name == name)
    notes = timeline.part_notes(name)
    drums = name == "drums"
    part = m21.stream.Part()
    inst = m21.instrument.UnpitchedPercussion() if drums else m21.instrument.Instrument()
    inst.partId = built.part_ids[name]
    inst.instrumentId = f"{inst.partId}-I1"
    inst.partName = PART_TITLES[name]
    if not built.named:
        part.style.printPartName = False
    inst.instrumentName = info.instrument.replace("-", " ").capitalize()
    inst.midiChannel = channels([p.name for p in timeline.parts])[name]  # as in the MIDI file
    if not drums:
        inst.midiProgram = info.program
    part.insert(0, inst)
    dealt = voices(events(notes))
    beat = beat_ticks(timeline)
    keys = {k.tick: k for k in timeline.key_signatures}
    low = median(n.pitch for n in notes) < 55 if notes else False
    marks = _Marks(timeline, speller, top, tempos)
    first: dict[int, Any] = {}  # tick -> the first written element of voice 1 there
    spans = bar_spans(timeline)
    written = ""
    for bar, span in enumerate(spans):
        start = span.start
        number = bar if spans[0].pickup else bar + 1  # a pickup is bar 0
        measure = m21.stream.Measure(number=number)
        if bar == 0:
            measure.insert(
                0,
                m21.clef.PercussionClef()
                if drums
                else (m21.clef.BassClef() if low else m21.clef.TrebleClef()),
            )
        if f"{span.numerator}/{span.denominator}" != written:
            written = f"{span.numerator}/{span.denominator}"
            measure.insert(0, m21.meter.TimeSignature(written))
        if span.pickup:
            full = span.numerator * timeline.tpq * 4 // span.denominator
            measure.paddingLeft = ql(full - span.ticks)
        if start in keys and not drums:
            measure.insert(0, m21.key.KeySignature(keys[start].sharps))
        for v, voice in enumerate(dealt):
            pieces = bar_pieces(voice, start, span.ticks, beat)
            if v > 0 and all(not p.pitches for p in pieces):
                continue
            target = measure if len(dealt) == 1 else m21.stream.Voice(id=str(v + 1))
            for piece in pieces:
                element = _element(piece, start, speller, name, built, span.ticks)
                target.insert(ql(piece.offset), element)
                if v == 0:
                    first.setdefault(start + piece.offset, element)
            if target is not measure:
                measure.insert(0, target)
        for tick, text in built.words:
            measure.insert(ql(tick - start), _words(text))
        built.words.clear()
        marks.place(measure, start, span.ticks)
        part.append(measure)
    _dynamics_and_fermatas(timeline, part, first)
    return part


def _element(
    piece: Piece, bar_start: int, speller: Speller, part: str, built: Built, bar_ticks: int
) -> Any:
    m21 = music21()

    drums = part == "drums"
    length = ql(piece.duration)
    if not piece.pitches:
        rest = m21.note.Rest(quarterLength=length)
        rest.fullMeasure = piece.duration == bar_ticks
        return rest
    tick = bar_start + piece.offset
    if drums:
        heads = []
        for pitch in piece.pitches:
            position, head = drum_staff(pitch)
            hit = m21.note.Unpitched(displayName=position, quarterLength=length)
            hit.notehead = head
            built.drum_keys.setdefault(pitch, []).append(hit)
            heads.append(hit)
        element: Any = heads[0] if len(heads) == 1 else m21.percussion.PercussionChord(heads)
    elif part == "slashes":
        element = m21.note.Note("B4")
        element.notehead = "slash"
        element.stemDirection = "noStem"
    else:
        names = [speller.name(p, tick) for p in piece.pitches]
        element = m21.note.Note(names[0]) if len(names) == 1 else m21.chord.Chord(names)
    element.quarterLength = length
    mark = built.annotations.get((part, tick)) if not piece.tie_stop else None
    if mark is not None:
        _annotate(element, mark)
        if mark.above:
            built.words.append((tick, mark.above))
    if piece.tie_start and piece.tie_stop:
        element.tie = m21.tie.Tie("continue")
    elif piece.tie_start:
        element.tie = m21.tie.Tie("start")
    elif piece.tie_stop:
        element.tie = m21.tie.Tie("stop")
    return element


def _annotate(element: Any, mark: Annotation) -> None:
    if mark.lyric:
        element.addLyric(mark.lyric)
    if mark.color:
        element.style.color = mark.color
    if mark.head:
        element.notehead = mark.head


class _Marks:
    """The marks at the head of each bar and inside it: chord symbols, tempo, rehearsal."""

    def __init__(
        self, timeline: Timeline, speller: Speller, top: bool, tempos: Sequence[TempoMark]
    ) -> None:
        self.timeline = timeline
        self.top = top
        self.speller = speller
        self.tempos = tempos
        self.sections = {m.tick for m in timeline.markers}
        self.last_symbol = ""

    def place(self, measure: Any, start: int, ticks: int) -> None:
        if not self.top:
            return
        m21 = music21()

        end = start + ticks
        for marker in self.timeline.markers:
            if start <= marker.tick < end:
                measure.insert(ql(marker.tick - start), m21.expressions.RehearsalMark(marker.text))
        for swing in self.timeline.swing:
            if start <= swing.tick < end:
                text = "Swing" if swing.amount else "Straight"
                measure.insert(ql(swing.tick - start), _words(text))
        for mark in self.tempos:
            if start <= mark.tick < end:
                measure.insert(ql(mark.tick - start), _tempo(mark, self.timeline))
        for event in self.timeline.chords:
            if start <= event.tick < end:
                if event.symbol == self.last_symbol and event.tick not in self.sections:
                    continue  # a lead sheet names a chord again only when it changes
                measure.insert(ql(event.tick - start), chord_symbol(event.symbol))
                self.last_symbol = event.symbol


def _words(text: str) -> Any:
    m21 = music21()

    words = m21.expressions.TextExpression(text)
    words.style.fontStyle = "italic"
    words.placement = "above"
    return words


def _tempo(mark: TempoMark, timeline: Timeline) -> Any:
    m21 = music21()

    if mark.bpm is None:
        return _words(mark.text)
    beat = beat_ticks(timeline)
    number = round(mark.bpm * TPQ / beat)
    return m21.tempo.MetronomeMark(
        text=mark.text or None, number=number, referent=m21.duration.Duration(ql(beat))
    )


def chord_symbol(symbol: str) -> Any:
    """A chord symbol that prints as we write it (e.g. Bbmaj7, F#m7b5, C/E)."""
    return copy.deepcopy(_parsed_symbol(symbol))


@lru_cache(maxsize=512)
def _parsed_symbol(symbol: str) -> Any:
    m21 = music21()

    root = symbol[:2] if symbol[1:2] in ("b", "#") else symbol[:1]
    body, _, bass = symbol[len(root) :].partition("/")
    figure = _m21(root) + body + ("/" + _m21(bass) if bass else "")
    try:
        parsed = m21.harmony.ChordSymbol(figure)
    except Exception:  # a kind music21 does not know: keep the root, print our text
        parsed = m21.harmony.ChordSymbol(root=_m21(root), kind="major")
        parsed.chordStepModifications = []
    parsed.chordKindStr = body
    return parsed


def _m21(name: str) -> str:
    return name[:1] + name[1:].replace("b", "-") if name else name


def _dynamics_and_fermatas(timeline: Timeline, part: Any, first: dict[int, Any]) -> None:
    m21 = music21()

    ticks = sorted(first)

    def at_or_after(tick: int) -> Any:
        return next((first[t] for t in ticks if t >= tick), None)

    def before(tick: int) -> Any:
        return next((first[t] for t in reversed(ticks) if t < tick), None)

    def covering(tick: int) -> Any:
        return next((first[t] for t in reversed(ticks) if t <= tick), None)

    current = None
    for mark in timeline.dynamics:
        name = level_name(mark.start)
        target = at_or_after(mark.tick)
        if target is None:
            continue
        if name != current:
            _attach(part, target, m21.dynamics.Dynamic(name))
            current = name
        if mark.start != mark.end:
            last = before(mark.end_tick)
            wedge = m21.dynamics.Crescendo if mark.end > mark.start else m21.dynamics.Diminuendo
            part.insert(0, wedge(target, last or target))
            ending = level_name(mark.end)
            landing = at_or_after(mark.end_tick)
            if landing is not None and ending != current:
                _attach(part, landing, m21.dynamics.Dynamic(ending))
            current = ending
    for fermata in timeline.fermatas:
        held = covering(fermata.tick)
        if held is not None:
            held.expressions.append(m21.expressions.Fermata())


def _attach(part: Any, element: Any, mark: Any) -> None:
    """Put a direction in the bar (and at the offset) of a written element."""
    measure = element.getContextByClass("Measure")
    if measure is None:
        return
    offset = element.getOffsetInHierarchy(measure)
    measure.insert(offset, mark)
