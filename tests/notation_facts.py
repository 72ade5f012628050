"""The shared notation checker: a MusicXML file read back with music21, held against the
MIDI render of the same framework, part by part, note by note.

Pitched parts compare (onset, MIDI pitch, duration); tied notes count as one. Drum notes
compare (onset, staff place and notehead, duration), the MIDI key mapped through the
drum staff table. Swung parts are written straight, so their onsets and durations may
differ from the MIDI by at most the swing delay; every other part must match exactly.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

from lxml import etree

from improv_cli.model.tables import TPQ
from improv_cli.render.score import PART_TITLES, drum_staff
from tests.midi_facts import decode

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "musicxml-4.0" / "musicxml.xsd"
WrittenNote = tuple[int, object, int]  # onset tick, pitch (or drum place), duration ticks


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def schema_errors(data: bytes) -> list[str]:
    """Every way the document breaks the MusicXML 4.0 schema (empty when it is valid)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = etree.fromstring(data, parser).getroottree()
    checker = schema()
    if checker.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]


def read_musicxml(data: bytes) -> dict[str, list[WrittenNote]]:
    """Notes per part (named as the engine names parts), ties joined, with music21."""
    from music21 import converter, harmony, note

    score = converter.parse(data, format="musicxml")
    titles = {title: name for name, title in PART_TITLES.items()}
    out: dict[str, list[WrittenNote]] = {}
    for part in score.parts:
        name = titles.get(part.partName or "", part.partName or "")
        sounding: dict[object, list[int]] = {}  # pitch -> [onset, end] of a tie chain
        notes: list[WrittenNote] = []
        for element in part.recurse().notes:
            if isinstance(element, harmony.Harmony):
                continue
            start = round(float(element.getOffsetInHierarchy(score)) * TPQ)
            length = round(float(element.quarterLength) * TPQ)
            if isinstance(element, note.Unpitched) or (
                hasattr(element, "notes")
                and all(isinstance(n, note.Unpitched) for n in element.notes)
            ):
                members = element.notes if hasattr(element, "notes") else [element]
                pitches: list[object] = [
                    (n.displayName, n.notehead if n.notehead != "normal" else "normal")
                    for n in members
                ]
            else:
                pitches = [p.midi for p in element.pitches]
            tie = element.tie.type if element.tie is not None else None
            for pitch in pitches:
                if tie in ("stop", "continue") and pitch in sounding:
                    sounding[pitch][1] = start + length
                    if tie == "stop":
                        onset, end = sounding.pop(pitch)
                        notes.append((onset, pitch, end - onset))
                    continue
                if tie in ("start", "continue"):
                    sounding[pitch] = [start, start + length]
                else:
                    notes.append((start, pitch, length))
        for pitch, (onset, end) in sounding.items():
            notes.append((onset, pitch, end - onset))
        out[name] = sorted(notes, key=_order)
    return out


def read_midi(path: Path) -> dict[str, list[WrittenNote]]:
    """Notes per part track of a MIDI render, drums mapped to their staff places."""
    out: dict[str, list[WrittenNote]] = {}
    for track in decode(path)[1:]:
        drums = track.name == "drums"
        notes = [
            (n.start, _place(n.pitch) if drums else n.pitch, n.end - n.start) for n in track.notes
        ]
        out[track.name] = sorted(notes, key=_order)
    return out


def _place(key: int) -> tuple[str, str]:
    position, head = drum_staff(key)
    return position, head


def _order(n: WrittenNote) -> tuple[int, str, int]:
    return n[0], str(n[1]), n[2]


def differences(
    written: dict[str, list[WrittenNote]],
    played: dict[str, list[WrittenNote]],
    swing: dict[str, int] | None = None,
) -> list[str]:
    """What differs between the score and the MIDI; `swing` gives, per part, the most
    ticks a swung note may sit later in the MIDI than in the score."""
    swing = swing or {}
    problems = []
    if set(written) != set(played):
        problems.append(f"parts: score {sorted(written)} vs MIDI {sorted(played)}")
    for part in sorted(set(written) & set(played)):
        score, midi = written[part], played[part]
        if len(score) != len(midi):
            problems.append(f"{part}: {len(score)} written notes vs {len(midi)} played")
            continue
        slack = swing.get(part, 0)
        if slack:
            score = sorted(score, key=lambda n: (n[0], str(n[1])))
            midi = sorted(midi, key=lambda n: (n[0], str(n[1])))
        by_pitch_s: dict[object, int] = defaultdict(int)
        by_pitch_m: dict[object, int] = defaultdict(int)
        for (s_on, s_pitch, s_len), (m_on, m_pitch, m_len) in zip(score, midi, strict=True):
            by_pitch_s[s_pitch] += 1
            by_pitch_m[m_pitch] += 1
            if s_pitch != m_pitch or abs(s_on - m_on) > slack or abs(s_len - m_len) > slack:
                problems.append(
                    f"{part}: written {s_pitch} at {s_on} for {s_len}, "
                    f"played {m_pitch} at {m_on} for {m_len}"
                )
                break
        if by_pitch_s != by_pitch_m:
            problems.append(f"{part}: pitches differ")
    return problems
