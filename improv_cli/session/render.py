"""A plan realised: segments and transitions, the safety check, the joined session, and
the bytes of every output file (the writing, all or nothing, is `improv_cli.session`'s).

Pieces play one after another: each segment, preceded by its transition when it has one.
A marker names the start of every piece ("hello", "transition to holding"). Each segment's
file holds its transition and the segment, so the files together are the session.

The session's safety profile is checked on the realised music and never clamped: a note
above the ceiling, a tempo outside the range, or (per part) a bar's mean velocity moving
from that part's previous sounding bar by more than `max_change` (also across the joins
between pieces) is an error naming the plan, the piece and the bar.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import wave
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from improv_cli import __version__
from improv_cli.errors import OptionError, RenderError
from improv_cli.joining import joined
from improv_cli.session.card import Card, Row, clock, svg_card, text_card
from improv_cli.session.plan import Plan, Segment, slug
from improv_cli.session.transition import Transition, transition
from improv_cli.timeline import Marker, Timeline

if TYPE_CHECKING:
    import mido

    from improv_cli.model.framework import Framework, Safety

MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Piece:
    label: str  # the marker's text: the segment's name, or "transition to NAME"
    segment: Segment  # a transition's is the segment it leads into
    timeline: Timeline
    framework: Framework  # as played
    transition: Transition | None = None

    @property
    def what(self) -> str:
        """How messages name the piece."""
        if self.transition is not None:
            return f"the transition to '{self.segment.name}'"
        return self.segment.label


@dataclass(frozen=True, slots=True)
class Session:
    plan: Plan
    pieces: tuple[Piece, ...]
    starts: tuple[int, ...]  # the tick each piece starts at
    timeline: Timeline  # the whole session, with a marker at every piece

    def groups(self) -> list[list[int]]:
        """The pieces of each segment's file: its transition (if any) and the segment."""
        out: list[list[int]] = []
        for index in range(len(self.pieces)):
            if out and self.pieces[index - 1].transition is not None:
                out[-1].append(index)
            else:
                out.append([index])
        return out

    def file_name(self, segment: Segment) -> str:
        width = max(2, len(str(len(self.plan.segments))))
        return f"segments/{segment.index + 1:0{width}d}-{slug(segment.name)}.mid"


def realised(plan: Plan) -> Session:
    """Every piece realised and checked against the session's safety profile."""
    pieces: list[Piece] = []
    before: Piece | None = None
    for segment in plan.segments:
        timeline = _segment_timeline(segment)
        if segment.transition and before is not None and segment.transition_pos is not None:
            moved = transition(
                before.timeline,
                before.framework.key,
                timeline,
                segment.framework,
                segment.transition,
                segment.transition_pos,
            )
            label = f"transition to {segment.name}"
            pieces.append(Piece(label, segment, _realise(moved.framework), moved.framework, moved))
        before = Piece(segment.name, segment, timeline, segment.framework)
        pieces.append(before)
    if plan.safety is not None:
        check_safety(plan.file, pieces, plan.safety)
    timeline = joined_pieces(plan.title, pieces)
    starts, at = [], 0
    for piece in pieces:
        starts.append(at)
        at += piece.timeline.length
    return Session(plan, tuple(pieces), tuple(starts), timeline)


def _realise(framework: Framework) -> Timeline:
    from improv_cli.engine.realise import realise

    return realise(framework)


def _segment_timeline(segment: Segment) -> Timeline:
    if segment.journey is None:
        length = segment.length
        framework = segment.framework
        if length.bars is not None or length.minutes is not None:
            framework = replace(framework, length=length)
        return _realise(framework)
    from improv_cli.journey import journey

    try:
        return journey(segment.framework, segment.journey).timeline
    except OptionError as error:
        raise RenderError(f"{segment.label}: {error.message}", error.hint) from None


def joined_pieces(title: str, pieces: list[Piece]) -> Timeline:
    """The pieces one after another, each starting with a marker of its label."""
    marked = [
        replace(p.timeline, markers=(Marker(0, p.label), *p.timeline.markers)) for p in pieces
    ]
    return joined(title, marked, [False] * len(marked))


# --- safety -----------------------------------------------------------------------------


def check_safety(file: str, pieces: list[Piece], safety: Safety) -> None:
    for piece in pieces:
        _ceiling(file, piece, safety.ceiling)
        if safety.limits_tempo:
            _tempo(file, piece, safety.tempo_low or 0.0, safety.tempo_high or math.inf)
    if safety.max_change is not None:
        _changes(file, pieces, safety.max_change)


def _bar(piece: Piece, tick: int) -> int:
    return tick // piece.timeline.bar_ticks + 1


def _ceiling(file: str, piece: Piece, ceiling: int) -> None:
    loud = max(piece.timeline.notes, key=lambda n: (n.velocity, -n.start), default=None)
    if loud is None or loud.velocity <= ceiling:
        return
    raise RenderError(
        f"{file}: {piece.what}: velocity {loud.velocity} in bar {_bar(piece, loud.start)} "
        f"is above the session's ceiling {ceiling}",
        f"soften the framework or give it safety: {{ceiling: {ceiling}}}",
    )


def _tempo(file: str, piece: Piece, low: float, high: float) -> None:
    held = {f.tick for f in piece.timeline.fermatas}  # a fermata is a hold, not a pulse
    for change in piece.timeline.tempos:
        if change.tick not in held and not low <= change.bpm <= high:
            shown = f"{low:g}-{high:g}" if high < math.inf else f"from {low:g}"
            bpm, bar = round(change.bpm, 1), _bar(piece, change.tick)
            raise RenderError(
                f"{file}: {piece.what}: tempo {bpm:g} in bar {bar} "
                f"is outside the session's tempo range {shown}",
                "choose a framework or journey inside the range, or widen safety: {tempo: ...}",
            )


def _changes(file: str, pieces: list[Piece], cap: int) -> None:
    """Per part, each sounding bar's mean velocity against the part's previous one."""
    previous: dict[str, float] = {}
    for piece in pieces:
        bars: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for note in piece.timeline.notes:
            bars[note.part][note.start // piece.timeline.bar_ticks].append(note.velocity)
        worst: tuple[int, str, float, float] | None = None
        for part in sorted(bars):
            for bar in sorted(bars[part]):
                mean = sum(bars[part][bar]) / len(bars[part][bar])
                before = previous.get(part)
                jump = before is not None and abs(mean - before) > cap + 1e-9
                if jump and before is not None and (worst is None or bar < worst[0]):
                    worst = (bar, part, before, mean)
                previous[part] = mean
        if worst is not None:
            bar, part, before, mean = worst
            raise RenderError(
                f"{file}: {piece.what}: the {part} part's mean velocity moves from {before:.0f} to "
                f"{mean:.0f} in bar {bar + 1}, more than the session's max_change {cap}",
                "add or lengthen a transition into it, or soften the framework's dynamics",
            )


# --- outputs ------------------------------------------------------------------------------


def outputs(session: Session, wav: bool) -> dict[str, bytes]:
    """Every output but the manifest, by its path inside the session folder."""
    files = {"session.mid": midi(session.timeline, session, list(range(len(session.pieces))))}
    segment_timelines = []
    for group in session.groups():
        pieces = [session.pieces[i] for i in group]
        segment = pieces[-1].segment
        timeline = joined_pieces(segment.name, pieces)
        segment_timelines.append(timeline)
        files[session.file_name(segment)] = midi(timeline, session, group)
    if wav:
        files["session.wav"] = concatenated(segment_timelines)
    card = session_card(session)
    from improv_cli.render.engrave import pdf_document

    files["session-card.pdf"] = pdf_document([svg_card(card)])
    files["session-card.txt"] = text_card(card).encode("utf-8")
    return files


def midi(timeline: Timeline, session: Session, group: list[int]) -> bytes:
    """The Standard MIDI File, with a program change wherever a part's instrument changes
    from one piece to the next (a Timeline gives each part one instrument)."""
    from improv_cli.render.midi import to_midifile

    file = to_midifile(timeline)
    first = session.starts[group[0]]
    programs = [
        (session.starts[i] - first, {p.name: p.program for p in session.pieces[i].timeline.parts})
        for i in group
    ]
    for track in file.tracks[1:]:
        _program_changes(track, programs)
    buffer = io.BytesIO()
    file.save(file=buffer)
    return buffer.getvalue()


def _program_changes(track: mido.MidiTrack, programs: list[tuple[int, dict[str, int]]]) -> None:
    import mido

    head = next((m for m in track if m.type == "program_change"), None)
    if head is None:
        return
    current, inserts = head.program, []
    for tick, table in programs:
        if table.get(track.name, current) != current:
            current = table[track.name]
            inserts.append((tick, current))
    if not inserts:
        return
    events, now = [], 0
    for message in track:
        now += message.time
        events.append((now, message))
    track.clear()
    last = 0
    for tick, message in events:
        starts = message.type == "end_of_track" or (message.type == "note_on" and message.velocity)
        while inserts and (inserts[0][0] < tick or (inserts[0][0] == tick and starts)):
            at, program = inserts.pop(0)
            track.append(
                mido.Message(
                    "program_change", channel=head.channel, program=program, time=at - last
                )
            )
            last = at
        track.append(message.copy(time=tick - last))
        last = tick


def concatenated(timelines: list[Timeline]) -> bytes:
    """The segments' audio one after another, each rendered with its own instruments."""
    from improv_cli.render.audio import render_audio

    frames, params = [], None
    for timeline in timelines:
        with wave.open(io.BytesIO(render_audio(timeline).mix), "rb") as reader:
            params = reader.getparams()
            frames.append(reader.readframes(reader.getnframes()))
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        assert params is not None
        writer.setparams(params)
        writer.writeframes(b"".join(frames))
    return out.getvalue()


# --- the card and the manifest ------------------------------------------------------------


def _tempo_text(first: float, last: float) -> str:
    a, b = f"{round(first, 1):g}", f"{round(last, 1):g}"
    return a if a == b else f"{a} → {b}"


def first_sentence(text: str) -> str:
    """A framework's purpose up to its first full stop, colon or semicolon."""
    cut = min((i for i in (text.find(m) for m in (". ", ": ", "; ")) if i >= 0), default=-1)
    return text if cut < 0 else text[:cut] + ("." if text[cut] == "." else "")


def _length_text(piece: Piece) -> str:
    bars = piece.timeline.bars
    return f"{bars} bar{'s' if bars != 1 else ''}, {clock(piece.timeline.seconds())}"


def _row(piece: Piece, start_seconds: float) -> Row:
    framework, segment, moved = piece.framework, piece.segment, piece.transition
    tempos = [t.bpm for t in piece.timeline.tempos]
    if moved is not None:
        triad = moved.pivot.triad
        what = f"pivot {triad.symbol} ({triad.numeral}), then {moved.arrival}"
        purpose, tempo = "", _tempo_text(moved.start.tempo, moved.end.tempo)
    else:
        what = f"journey: {segment.ref}" if segment.journey else segment.ref
        purpose = segment.purpose or first_sentence(framework.purpose or "")
        spec = segment.journey
        first, last = (spec.start, spec.target) if spec else (tempos[0], tempos[-1])
        tempo = _tempo_text(first, last)
    return Row(
        clock(start_seconds),
        _length_text(piece),
        piece.label if moved is None else f"→ {segment.name}",
        what,
        purpose,
        str(framework.key),
        str(framework.meter),
        tempo,
        moved is not None,
    )


def session_card(session: Session) -> Card:
    plan, timeline = session.plan, session.timeline
    rows = tuple(
        _row(piece, timeline.seconds(start))
        for piece, start in zip(session.pieces, session.starts, strict=True)
    )
    footer = (
        f"{len(plan.segments)} segments, {timeline.bars} bars, {clock(timeline.seconds())} "
        f"in all · seed {plan.seed} · improv {__version__}"
    )
    return Card(plan.title, plan.purpose or "", rows, footer)


def summary(session: Session) -> list[dict[str, Any]]:
    """A line per piece for the manifest and --json: where it starts, what it plays."""
    out = []
    for piece, start in zip(session.pieces, session.starts, strict=True):
        segment, moved = piece.segment, piece.transition
        item: dict[str, Any] = {
            "name": piece.label,
            "kind": "transition" if moved else ("journey" if segment.journey else "framework"),
            "framework": segment.ref,
            "file": session.file_name(segment),
            "start_tick": start,
            "start_seconds": round(session.timeline.seconds(start), 3),
            "bars": piece.timeline.bars,
            "seconds": round(piece.timeline.seconds(), 3),
            "key": str(piece.framework.key),
            "meter": str(piece.framework.meter),
        }
        if moved is not None:
            item["pivot"] = moved.pivot.triad.symbol
            item["pivot_pitch_classes"] = list(moved.pivot.triad.pitch_classes)
            item["arrival"] = moved.arrival
        out.append(item)
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(session: Session, files: dict[str, bytes], plan_path: str) -> bytes:
    """What was read and written, with hashes: no times and no temporary paths."""
    plan = session.plan
    data = {
        "improv": __version__,
        "plan": {"file": plan.path.name, "path": plan_path, "sha256": plan.inputs[0].sha256},
        "seed": plan.seed,
        "inputs": [i.as_dict() for i in plan.inputs],
        "outputs": {name: sha256(files[name]) for name in sorted(files)},
        "segments": summary(session),
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def unsafe_pivots(session: Session) -> list[str]:
    """Warnings for transitions whose pivot could not meet both chords."""
    return [
        f"{session.plan.file}: {p.what}: no triad of {p.framework.key} shares a note with "
        f"both chords; it pivots on {p.transition.pivot.triad.symbol}"
        for p in session.pieces
        if p.transition is not None and not p.transition.pivot.exact
    ]
