"""A written Timeline -> MusicXML 4.0 bytes: music21 writes the score, then we make it exact.

music21's writer leaves three things to fix: the encoding date and software version (the
same input must give the same bytes on any day and any music21), the composer it invents,
and the drum part, which it writes as one anonymous instrument. Each drum becomes its own
`score-instrument` with its General MIDI key (`midi-unpitched`), and each drum note names
its instrument, so other programs play and show the kit right.
"""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from improv_cli import __version__
from improv_cli.render.score import DRUM_NAMES, Annotations, build_score, drum_staff
from improv_cli.timeline import Timeline

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
    '"http://www.musicxml.org/dtds/partwise.dtd">\n'
)
# A4 portrait in tenths, at music21's scaling of 7 mm to 40 tenths.
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 1200, 1697, 80


@dataclass(frozen=True, slots=True)
class Header:
    """The words at the head of the first page: a title, a subtitle, and lines of notes at
    the left (what the framework is for) and at the right (how it is played)."""

    title: str
    subtitle: str = ""
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()


# The chord kinds MusicXML 4.0 knows; music21 writes a few others (suspended-fourth-seventh).
KINDS = frozenset(
    (
        "major",
        "minor",
        "augmented",
        "diminished",
        "dominant",
        "major-seventh",
        "minor-seventh",
        "diminished-seventh",
        "augmented-seventh",
        "half-diminished",
        "major-minor",
        "major-sixth",
        "minor-sixth",
        "dominant-ninth",
        "major-ninth",
        "minor-ninth",
        "dominant-11th",
        "major-11th",
        "minor-11th",
        "dominant-13th",
        "major-13th",
        "minor-13th",
        "suspended-second",
        "suspended-fourth",
        "Neapolitan",
        "Italian",
        "French",
        "German",
        "pedal",
        "power",
        "Tristan",
        "other",
        "none",
    )
)  # fmt: skip

# Children a <note> may have before <instrument>, in schema order.
_BEFORE_INSTRUMENT = {"grace", "cue", "chord", "pitch", "unpitched", "rest", "duration", "tie"}


def musicxml_bytes(
    timeline: Timeline,
    parts: Sequence[str] | None = None,
    header: Header | None = None,
    annotations: Annotations | None = None,
    named: bool = True,
) -> bytes:
    """The score as deterministic MusicXML (partwise, version 4.0)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    header = header or Header(timeline.title)
    built = build_score(timeline, parts, header.title, annotations, named)
    with warnings.catch_warnings():  # music21 warns on stderr; the CLI prints one line or none
        warnings.simplefilter("ignore")
        raw = GeneralObjectExporter(built.score).parse()
    root = ET.fromstring(raw)
    _identify(root)
    _page(root, header)
    for kind in root.iter("kind"):
        if (kind.text or "") not in KINDS:
            kind.text = "other"  # its text attribute still prints the symbol as we write it
    drums = built.part_ids.get("drums")
    if drums is not None:
        _drum_kit(root, drums, sorted(built.drum_keys))
    ET.indent(root, "  ")
    return (HEADER + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def _identify(root: ET.Element) -> None:
    """The encoding names improv, with no date; no invented composer."""
    ident = root.find("identification")
    if ident is None:
        return
    for creator in ident.findall("creator"):
        if (creator.text or "").strip() == "Music21":
            ident.remove(creator)
    encoding = ident.find("encoding")
    if encoding is not None:
        for date in encoding.findall("encoding-date"):
            encoding.remove(date)
        software = encoding.find("software")
        if software is not None:
            software.text = f"improv {__version__}"


def _page(root: ET.Element, header: Header) -> None:
    """A4 page layout, and the header as credits (which engravers print as they stand)."""
    defaults = root.find("defaults")
    if defaults is not None:
        layout = ET.Element("page-layout")
        ET.SubElement(layout, "page-height").text = str(PAGE_HEIGHT)
        ET.SubElement(layout, "page-width").text = str(PAGE_WIDTH)
        defaults.insert(_index_after(defaults, {"scaling", "concert-score"}), layout)
    at = _index_after(
        root, {"work", "movement-number", "movement-title", "identification", "defaults"}
    )
    top = PAGE_HEIGHT - MARGIN
    below = top - (110 if header.subtitle else 70)  # the notes begin under the titles
    lines = [("title", header.title, "center", top, 22)]
    if header.subtitle:
        lines.append(("subtitle", header.subtitle, "center", top - 35, 13))
    for justify, texts in (("left", header.left), ("right", header.right)):
        lines += [("words", t, justify, below - 22 * i, 10) for i, t in enumerate(texts)]
    x_of = {"left": MARGIN, "center": PAGE_WIDTH // 2, "right": PAGE_WIDTH - MARGIN}
    for offset, (kind, text, justify, y, size) in enumerate(lines):
        credit = ET.Element("credit", page="1")
        if kind != "words":
            ET.SubElement(credit, "credit-type").text = kind
        words = ET.SubElement(credit, "credit-words")
        words.text = text
        words.attrib.update(
            {
                "default-x": str(x_of[justify]),
                "default-y": str(y),
                "justify": justify,
                "valign": "top",
                "font-size": str(size),
            }
        )
        root.insert(at + offset, credit)


def _drum_kit(root: ET.Element, part_id: str, keys: list[int]) -> None:
    score_part = root.find(f"part-list/score-part[@id='{part_id}']")
    part = root.find(f"part[@id='{part_id}']")
    if score_part is None or part is None:
        return
    for old in score_part.findall("score-instrument") + score_part.findall("midi-instrument"):
        score_part.remove(old)
    at = _index_after(
        score_part,
        {
            "identification",
            "part-link",
            "part-name",
            "part-name-display",
            "part-abbreviation",
            "part-abbreviation-display",
            "group",
        },
    )
    entries: list[ET.Element] = []
    for key in keys:
        inst = ET.Element("score-instrument", id=_instrument_id(part_id, key))
        ET.SubElement(inst, "instrument-name").text = DRUM_NAMES.get(key, f"Drum {key}")
        entries.append(inst)
    for key in keys:
        midi = ET.Element("midi-instrument", id=_instrument_id(part_id, key))
        ET.SubElement(midi, "midi-channel").text = "10"
        ET.SubElement(midi, "midi-unpitched").text = str(key + 1)
        entries.append(midi)
    for offset, element in enumerate(entries):
        score_part.insert(at + offset, element)
    by_place = {drum_staff(key): key for key in keys}
    for note in part.iter("note"):
        unpitched = note.find("unpitched")
        if unpitched is None:
            continue
        position = (unpitched.findtext("display-step") or "") + (
            unpitched.findtext("display-octave") or ""
        )
        head = note.findtext("notehead") or "normal"
        drum = by_place.get((position, head))
        if drum is not None:
            instrument = ET.Element("instrument", id=_instrument_id(part_id, drum))
            note.insert(_index_after(note, _BEFORE_INSTRUMENT), instrument)


def _instrument_id(part_id: str, key: int) -> str:
    return f"{part_id}-I{key + 1}"


def _index_after(parent: ET.Element, names: set[str]) -> int:
    """The index just after the last child named in `names` (children keep schema order)."""
    index = 0
    for i, child in enumerate(parent):
        if child.tag in names:
            index = i + 1
    return index
