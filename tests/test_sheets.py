"""Lead sheets and practice sheets hold the musical facts docs/notation.md promises.

Each sheet is written once (cached) and read back: with music21 for the melody's notes, and
as plain XML for what a player reads on the page (chord symbols, rehearsal marks, lyrics
under the notes, colours, noteheads, the words at the head of the page).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache

import pytest
from pypdf import PdfReader

from improv_cli.engine.realise import realise
from improv_cli.errors import OptionError
from improv_cli.model.framework import Length
from improv_cli.model.loader import load_framework
from improv_cli.model.tables import TPQ
from improv_cli.overrides import Overrides
from improv_cli.sheets import lead_sheet, practice_sheet, sheet
from improv_cli.timeline import Timeline
from tests.notation_facts import read_musicxml, schema_errors

RED = "#C00000"
STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
ACCIDENTALS = {-1: "b", 0: "", 1: "#"}
DEGREES = {
    "1": 0, "b2": 1, "2": 2, "b3": 3, "3": 4, "4": 5, "#4": 6, "b5": 6,
    "5": 7, "#5": 8, "b6": 8, "6": 9, "b7": 10, "7": 11,
}  # fmt: skip

# --- reading a sheet back -----------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """One written note as a player reads it."""

    bar: int  # 1-based
    tick: int  # from the start of the score
    duration: int
    pitch: int  # MIDI
    name: str  # letter and accidental: "F#", "Bb"
    chord: bool  # sounds with the note before (a <chord/> note)
    color: str  # upper case, "" when black
    head: str  # "normal", "slash", "x" ...
    lyric: str


@dataclass(frozen=True)
class Mark:
    bar: int
    tick: int
    kind: str  # "harmony", "rehearsal" or "words"
    text: str
    placement: str = ""


@dataclass(frozen=True)
class Sheet:
    data: bytes
    bars: int
    measures: int
    notes: tuple[Written, ...]
    marks: tuple[Mark, ...]
    credits: tuple[tuple[str, str], ...]  # (justify, text) in document order

    def marked(self, kind: str) -> list[Mark]:
        return [m for m in self.marks if m.kind == kind]

    def texts(self, kind: str) -> list[str]:
        return [m.text for m in self.marked(kind)]

    def credit_text(self, justify: str | None = None) -> str:
        return " ".join(t for j, t in self.credits if justify is None or j == justify)

    def section(self, rehearsal: str) -> list[Written]:
        """The notes from the rehearsal mark `rehearsal` up to the next one."""
        starts = sorted(m.tick for m in self.marked("rehearsal"))
        start = next(m.tick for m in self.marked("rehearsal") if m.text == rehearsal)
        end = next((t for t in starts if t > start), 1 << 60)
        return [n for n in self.notes if start <= n.tick < end]


def _ticks(duration: str, divisions: int) -> int:
    return int(Fraction(int(duration) * TPQ, divisions))


def read_sheet(data: bytes, bars: int) -> Sheet:
    root = ET.fromstring(data)
    parts = root.findall("part")
    assert len(parts) == 1, "a sheet is one staff"
    divisions = int(root.findtext(".//attributes/divisions") or "1")
    beats = int(root.findtext(".//attributes/time/beats") or "4")
    beat_type = int(root.findtext(".//attributes/time/beat-type") or "4")
    bar_ticks = beats * TPQ * 4 // beat_type
    notes: list[Written] = []
    marks: list[Mark] = []
    measures = parts[0].findall("measure")
    for measure in measures:
        number = int(measure.get("number") or "0")
        start = (number - 1) * bar_ticks
        position = onset = 0
        for element in measure:
            if element.tag == "note":
                duration = _ticks(element.findtext("duration") or "0", divisions)
                chord = element.find("chord") is not None
                if not chord:
                    onset = position
                    position += duration
                pitch = element.find("pitch")
                if pitch is None:
                    continue  # a rest
                step = pitch.findtext("step") or ""
                alter = int(float(pitch.findtext("alter") or "0"))
                octave = int(pitch.findtext("octave") or "0")
                notes.append(
                    Written(
                        bar=number,
                        tick=start + onset,
                        duration=duration,
                        pitch=(octave + 1) * 12 + STEPS[step] + alter,
                        name=step + ACCIDENTALS[alter],
                        chord=chord,
                        color=(element.get("color") or "").upper(),
                        head=element.findtext("notehead") or "normal",
                        lyric=element.findtext("lyric/text") or "",
                    )
                )
            elif element.tag == "backup":
                position -= _ticks(element.findtext("duration") or "0", divisions)
            elif element.tag == "forward":
                position += _ticks(element.findtext("duration") or "0", divisions)
            elif element.tag in ("harmony", "direction"):
                offset = _ticks(element.findtext("offset") or "0", divisions)
                tick = start + position + offset
                if element.tag == "harmony":
                    alter = int(float(element.findtext("root/root-alter") or "0"))
                    kind = element.find("kind")
                    symbol = (element.findtext("root/root-step") or "") + ACCIDENTALS[alter]
                    symbol += kind.get("text", "") if kind is not None else ""
                    marks.append(Mark(number, tick, "harmony", symbol))
                    continue
                for text in element.iter("rehearsal"):
                    marks.append(Mark(number, tick, "rehearsal", text.text or ""))
                for text in element.iter("words"):
                    marks.append(
                        Mark(number, tick, "words", text.text or "", element.get("placement", ""))
                    )
    credits = tuple(
        (words.get("justify", ""), words.text or "") for words in root.iter("credit-words")
    )
    return Sheet(data, bars, len(measures), tuple(notes), tuple(marks), credits)


@cache
def lead(name: str) -> Sheet:
    return read_sheet(*lead_sheet(load_framework(name)))


@cache
def practice(name: str) -> Sheet:
    return read_sheet(*practice_sheet(load_framework(name)))


@cache
def one_pass(name: str) -> Timeline:
    """The written timeline of one pass of the form: what a lead sheet shows."""
    framework = load_framework(name)
    return realise(replace(framework, length=Length(bars=framework.form_bars)), written=True)


def section_starts(name: str) -> list[tuple[str, int]]:
    """(section, first bar) in form order; a repeated section is named once."""
    framework = load_framework(name)
    out, bar = [], 1
    for section in framework.sections:
        out.append((section.name, bar))
        bar += section.bars * section.repeat
    return out


# --- lead sheets --------------------------------------------------------------------------


def test_the_dorian_vamp_lead_sheet_is_valid_musicxml_of_one_pass_of_the_form():
    framework = load_framework("holding/dorian-vamp")
    sheet_ = lead("holding/dorian-vamp")
    assert schema_errors(sheet_.data) == []
    assert sheet_.bars == framework.form_bars == 4
    assert sheet_.measures == 4
    assert ET.fromstring(sheet_.data).findall("part-list/score-part")[0].get("id") == "P1"


@pytest.mark.parametrize(
    "name",
    [
        "holding/dorian-vamp",
        "holding/lullaby",  # 6/8
        "containing/four-bar-phrases",  # the B phrase has no tune: rests
        "frameworking/closing-hymn",
        "dialoguing/seven-eight-dialogue",  # 7/8
    ],
)
def test_the_lead_sheet_melody_is_the_written_melody_note_for_note(name):
    written = read_musicxml(lead(name).data)
    assert list(written) == ["melody"]
    expected = sorted((n.start, n.pitch, n.duration) for n in one_pass(name).part_notes("melody"))
    assert expected, "the framework has a melody"
    assert written["melody"] == expected
    assert lead(name).bars == load_framework(name).form_bars == lead(name).measures


def test_the_dorian_vamp_melody_is_spelled_in_d_dorian():
    notes = lead("holding/dorian-vamp").notes
    # "5:h 4:q 3 | 1:w | 4:h 3:q 2 | 3:w" on D dorian: A G F | D | G F E | F
    assert [n.name for n in notes] == ["A", "G", "F", "D", "G", "F", "E", "F"]
    assert [n.duration // TPQ for n in notes] == [2, 1, 1, 4, 2, 1, 1, 4]


def test_lead_sheet_chord_symbols_are_named_only_when_the_chord_changes():
    # i7 | i7 | IV7 | IV7 in D dorian: Dm7 in bar 1, G7 in bar 3, nothing in bars 2 and 4.
    harmony = lead("holding/dorian-vamp").marked("harmony")
    assert [(m.bar, m.tick, m.text) for m in harmony] == [(1, 0, "Dm7"), (3, 8 * TPQ, "G7")]


def test_a_chord_is_named_again_where_a_section_begins():
    # A A B A, each A "I | IV | V | I": bar 4 is C, and bar 5 (the second A) names C again.
    harmony = {(m.bar, m.text) for m in lead("containing/four-bar-phrases").marked("harmony")}
    assert {(4, "C"), (5, "C"), (9, "Am"), (13, "C"), (16, "C")} <= harmony
    closing = {(m.bar, m.text) for m in lead("frameworking/closing-hymn").marked("harmony")}
    assert {(8, "G"), (9, "G")} <= closing  # the verse ends on G; "last" begins on G


@pytest.mark.parametrize(
    "name", ["holding/dorian-vamp", "containing/four-bar-phrases", "frameworking/closing-hymn"]
)
def test_lead_sheet_chord_symbols_follow_the_harmony(name):
    timeline = one_pass(name)
    sections = {m.tick for m in timeline.markers}
    expected, last = [], None
    for event in timeline.chords:
        if event.symbol != last or event.tick in sections:
            expected.append((event.tick, event.symbol))
        last = event.symbol
    assert [(m.tick, m.text) for m in lead(name).marked("harmony")] == expected


@pytest.mark.parametrize(
    "name",
    [
        "containing/four-bar-phrases",
        "frameworking/closing-hymn",
        "dialoguing/call-and-response",
        "practice/pentatonic-no-wrong-notes",  # "yours" is one bar repeated eight times
    ],
)
def test_rehearsal_marks_name_each_section_in_form_order(name):
    rehearsals = lead(name).marked("rehearsal")
    assert [(m.text, m.bar) for m in rehearsals] == section_starts(name)
    assert all(m.tick == (m.bar - 1) * one_pass(name).bar_ticks for m in rehearsals)


def test_a_framework_without_sections_has_no_rehearsal_marks():
    assert lead("holding/dorian-vamp").marked("rehearsal") == []


def test_the_lead_sheet_head_gives_title_key_meter_tempo_technique_purpose_groove_form():
    framework = load_framework("holding/dorian-vamp")
    sheet_ = lead("holding/dorian-vamp")
    centre = [t for j, t in sheet_.credits if j == "center"]
    assert centre[0] == "Dorian holding vamp" == framework.title
    for fact in ("Lead sheet", "D dorian", "4/4", "66 bpm"):
        assert fact in centre[1]
    left, right = sheet_.credit_text("left"), sheet_.credit_text("right")
    assert "Technique: holding" in left
    assert "Purpose: " + " ".join(framework.purpose.split()) in left  # wrapped, not cut
    assert "Groove: ballad" in right
    assert "Form: main 4 (4 bars)" in sheet_.credit_text()


def test_the_form_in_the_head_counts_repeats():
    head = lead("practice/pentatonic-no-wrong-notes").credit_text()
    assert "Form: model 8 · yours 1 ×8 (16 bars)" in head


# A framework with no melody: one slash a beat, under the chord symbols.
NO_MELODY = [
    ("grounding/tonic-drone", 4, TPQ),  # 4/4, a drone: no chords either
    ("holding/breathing-vamp", 4, TPQ),  # 4/4, Dm7 and G7
    ("holding/dorian-ostinato-five", 5, TPQ),  # 5/4
    ("holding/aeolian-rocking-vamp", 2, 3 * TPQ // 2),  # 6/8: two dotted quarters a bar
    ("accompanying/twelve-eight-ballad", 4, 3 * TPQ // 2),  # 12/8, with sections
]


@pytest.mark.parametrize("name", [n for n, _, _ in NO_MELODY])
def test_the_frameworks_without_melody_have_none(name):
    assert one_pass(name).part_notes("melody") == ()


@pytest.mark.parametrize(("name", "beats", "beat"), NO_MELODY)
def test_a_lead_sheet_without_melody_has_one_slash_a_beat(name, beats, beat):
    sheet_ = lead(name)
    assert schema_errors(sheet_.data) == []
    bars = load_framework(name).form_bars
    assert sheet_.bars == bars == sheet_.measures
    assert len(sheet_.notes) == bars * beats
    assert all(n.head == "slash" for n in sheet_.notes)
    assert [n.tick for n in sheet_.notes] == [i * beat for i in range(bars * beats)]
    assert all(n.duration == beat for n in sheet_.notes)
    for bar in range(1, bars + 1):
        assert sum(n.bar == bar for n in sheet_.notes) == beats


@pytest.mark.parametrize(
    "name",
    ["holding/breathing-vamp", "holding/aeolian-rocking-vamp", "accompanying/twelve-eight-ballad"],
)
def test_slashes_sit_under_the_chord_symbols(name):
    harmony = lead(name).texts("harmony")
    assert harmony, "the chord symbols are written over the slashes"
    assert harmony[0] == one_pass(name).chords[0].symbol
    assert {m.tick for m in lead(name).marked("harmony")} <= {n.tick for n in lead(name).notes}


def test_slashes_keep_the_rehearsal_marks():
    name = "accompanying/twelve-eight-ballad"
    assert [(m.text, m.bar) for m in lead(name).marked("rehearsal")] == section_starts(name)


# --- practice sheets ----------------------------------------------------------------------

# (framework, its mode, the tonic as written, the scale's letters, the degrees under the
# notes, the index of the characteristic note in the scale or None)
SCALES = [
    ("holding/dorian-vamp", "dorian", 62, "D E F G A B C D", "1 2 b3 4 5 6 b7 1", 5),
    ("practice/lydian-modal", "lydian", 65, "F G A B C D E F", "1 2 3 #4 5 6 7 1", 3),
    ("practice/phrygian-modal", "phrygian", 64, "E F G A B C D E", "1 b2 b3 4 5 b6 b7 1", 1),
    ("practice/mixolydian-modal", "mixolydian", 67, "G A B C D E F G", "1 2 3 4 5 6 b7 1", 6),
    ("practice/aeolian-modal", "aeolian", 57, "A B C D E F G A", "1 2 b3 4 5 b6 b7 1", 5),
    ("practice/locrian-modal", "locrian", 59, "B C D E F G A B", "1 b2 b3 4 b5 b6 b7 1", 4),
    ("practice/ionian-modal", "ionian", 60, "C D E F G A B C", "1 2 3 4 5 6 7 1", 6),
    (
        "practice/harmonic-minor",
        "harmonic-minor",
        62,
        "D E F G A Bb C# D",
        "1 2 b3 4 5 b6 7 1",
        6,
    ),
    ("practice/twelve-bar-blues", "blues", 57, "A C D Eb E G A", "1 b3 4 b5 5 b7 1", 3),
    (
        "practice/pentatonic-no-wrong-notes",
        "major-pentatonic",
        60,
        "C D E G A C",
        "1 2 3 5 6 1",
        None,
    ),
    ("practice/minor-pentatonic", "minor-pentatonic", 57, "A C D E G A", "1 b3 4 5 b7 1", None),
    ("holding/whole-tone-float", "whole-tone", 60, None, "1 2 3 #4 #5 b7 1", None),
]
SCALE_NAMES = [case[0] for case in SCALES]


def scale_notes(sheet_: Sheet) -> list[Written]:
    return sheet_.section("Scale")


@pytest.mark.parametrize(("name", "mode"), [(c[0], c[1]) for c in SCALES])
def test_the_scale_cases_are_the_modes_they_claim(name, mode):
    assert load_framework(name).key.mode == mode


@pytest.mark.parametrize("name", SCALE_NAMES)
def test_every_practice_sheet_is_valid_musicxml_in_whole_bars(name):
    sheet_ = practice(name)
    assert schema_errors(sheet_.data) == []
    assert sheet_.bars == sheet_.measures
    assert sheet_.texts("rehearsal")[0] == "Scale"
    assert sheet_.texts("rehearsal")[-1] == "Safe notes"


@pytest.mark.parametrize(("name", "_mode", "tonic", "letters", "degrees", "_marked"), SCALES)
def test_the_scale_climbs_to_the_octave_with_its_degrees(
    name, _mode, tonic, letters, degrees, _marked
):
    notes = scale_notes(practice(name))
    labels = degrees.split()
    assert [n.lyric for n in notes] == labels
    assert [n.pitch for n in notes] == [tonic + DEGREES[d] for d in labels[:-1]] + [tonic + 12]
    if letters is not None:
        assert [n.name for n in notes] == letters.split()
    assert all(n.duration == TPQ and not n.chord for n in notes)
    assert notes[0].tick == 0


def test_the_dorian_scale_is_the_first_eight_notes():
    notes = practice("holding/dorian-vamp").notes[:8]
    assert [n.name for n in notes] == ["D", "E", "F", "G", "A", "B", "C", "D"]
    assert " ".join(n.lyric for n in notes) == "1 2 b3 4 5 6 b7 1"


@pytest.mark.parametrize(("name", "_mode", "_tonic", "_letters", "degrees", "marked"), SCALES)
def test_only_the_characteristic_note_is_red_and_marked(
    name, _mode, _tonic, _letters, degrees, marked
):
    sheet_ = practice(name)
    notes = scale_notes(sheet_)
    words = [m for m in sheet_.marked("words") if m.text == "characteristic"]
    coloured = [i for i, n in enumerate(notes) if n.color]
    if marked is None:
        assert coloured == []
        assert words == []
        assert "Characteristic note" not in sheet_.credit_text()
        return
    assert coloured == [marked]
    assert notes[marked].color == RED
    assert [(w.tick, w.placement) for w in words] == [(notes[marked].tick, "above")]
    label = degrees.split()[marked]
    assert f"Characteristic note: {label} (marked)" in sheet_.credit_text("left")


def test_the_dorian_characteristic_note_is_the_b():
    notes = practice("holding/dorian-vamp").notes[:8]
    assert [(n.name, n.lyric) for n in notes if n.color] == [("B", "6")]
    assert notes[5].color.lower() == "#c00000"


@pytest.mark.parametrize(("name", "_mode", "tonic", "_letters", "degrees", "_marked"), SCALES)
def test_the_safe_note_map_is_the_chromatic_octave(name, _mode, tonic, _letters, degrees, _marked):
    notes = practice(name).section("Safe notes")
    in_mode = {DEGREES[d]: d for d in degrees.split()}
    assert [n.pitch for n in notes] == list(range(tonic, tonic + 13))
    for i, note in enumerate(notes):
        if i % 12 in in_mode:
            assert (note.head, note.color, note.lyric) == ("normal", "", in_mode[i % 12]), i
        else:
            assert note.head == "x", i
            assert note.lyric == "", i
            red, green, blue = (note.color[k : k + 2] for k in (1, 3, 5))
            assert red == green == blue and note.color not in ("#000000", "#FFFFFF"), i


def test_the_dorian_safe_notes_grey_out_c_sharp_e_flat_f_sharp_a_flat_b_flat():
    notes = practice("holding/dorian-vamp").section("Safe notes")
    outside = {n.pitch % 12 for n in notes if n.head == "x"}
    assert outside == {1, 3, 6, 8, 10}  # C#/Db, D#/Eb, F#/Gb, G#/Ab, A#/Bb
    assert all(n.color == "#888888" for n in notes if n.head == "x")
    inside = [n.lyric for n in notes if n.head != "x"]
    assert inside == ["1", "2", "b3", "4", "5", "6", "b7", "1"]


def test_the_practice_head_lists_the_safe_notes_and_the_notes_outside():
    left = practice("holding/dorian-vamp").credit_text("left")
    assert "Safe notes (the mode): D E F G A B C" in left
    assert "Outside the mode: Eb F# Ab Bb C#" in left
    assert "Orff" not in left  # D dorian fits a C-diatonic Orff instrument
    centre = practice("holding/dorian-vamp").credit_text("center")
    assert "Practice sheet" in centre and "D dorian" in centre


@pytest.mark.parametrize(
    "name", ["practice/pentatonic-no-wrong-notes", "practice/minor-pentatonic"]
)
def test_a_pentatonic_practice_head_names_the_orff_bars_to_take_off(name):
    left = practice(name).credit_text("left")
    assert "Orff instruments: take off the F and B bars" in left


def chords_and_targets(sheet_: Sheet) -> list[tuple[str, list[Written], list[Written]]]:
    """(symbol, the chord's notes, the two notes after it) for each chord written."""
    notes = sheet_.section("Chord tones and targets")
    out = []
    for mark in sheet_.marked("harmony"):
        chord = [n for n in notes if n.tick == mark.tick]
        after = [n for n in notes if mark.tick < n.tick < mark.tick + 4 * TPQ]
        out.append((mark.text, chord, after))
    return out


def test_each_dorian_vamp_chord_is_written_once_with_its_guide_tones():
    written = chords_and_targets(practice("holding/dorian-vamp"))
    assert [symbol for symbol, _, _ in written] == ["Dm7", "G7"]
    (_, dm7, dm7_targets), (_, g7, g7_targets) = written
    assert [n.name for n in dm7] == ["D", "F", "A", "C"]
    assert [n.name for n in g7] == ["G", "B", "D", "F"]
    assert [n.pitch for n in dm7] == sorted(n.pitch for n in dm7)  # stacked upward
    assert all(n.duration == 2 * TPQ and not n.color for n in dm7 + g7)
    assert [(n.name, n.lyric, n.color) for n in dm7_targets] == [("F", "b3", RED), ("C", "b7", RED)]
    assert [(n.name, n.lyric, n.color) for n in g7_targets] == [("B", "3", RED), ("F", "b7", RED)]
    for chord, targets in ((dm7, dm7_targets), (g7, g7_targets)):
        assert {n.pitch for n in targets} <= {n.pitch for n in chord}  # the chord's own notes


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (  # seventh chords: the third and the seventh
            "practice/twelve-bar-blues",
            {"A7": [("C#", "3"), ("G", "b7")], "D7": [("F#", "3"), ("C", "b7")],
             "E7": [("G#", "3"), ("D", "b7")]},
        ),
        (  # triads: the third and the root
            "practice/phrygian-modal",
            {"Em": [("G", "b3"), ("E", "1")], "F": [("A", "3"), ("F", "1")]},
        ),
        (
            "practice/harmonic-minor",
            {"Dm": [("F", "b3"), ("D", "1")], "Gm": [("Bb", "b3"), ("G", "1")],
             "A7": [("C#", "3"), ("G", "b7")]},
        ),
        (  # bare fifths: the root and the fifth
            "frameworking/organum-fifths",
            {"D5": [("D", "1"), ("A", "5")], "C5": [("C", "1"), ("G", "5")],
             "G5": [("G", "1"), ("D", "5")]},
        ),
    ],
)  # fmt: skip
def test_the_targets_of_each_kind_of_chord(name, expected):
    written = chords_and_targets(practice(name))
    assert [symbol for symbol, _, _ in written] == list(expected)
    for symbol, _, targets in written:
        assert [(n.name, n.lyric) for n in targets] == expected[symbol], symbol
        assert all(n.color == RED for n in targets)


def test_a_seventh_chord_with_a_suspended_third_targets_its_seventh():
    written = dict((s, t) for s, _, t in chords_and_targets(practice("practice/minor-pentatonic")))
    labels = [n.lyric for n in written["D7sus4"]]
    assert "b7" in labels
    assert "5" not in labels


@pytest.mark.parametrize(
    "name",
    ["holding/dorian-vamp", "practice/dorian-modal", "transitions/phrygian-spanish"],
)
def test_each_distinct_chord_of_the_form_is_written_once_with_its_tones(name):
    distinct = {}
    for event in one_pass(name).chords:
        distinct.setdefault(event.symbol, event)
    written = chords_and_targets(practice(name))
    assert [symbol for symbol, _, _ in written] == list(distinct)
    for symbol, chord, targets in written:
        event = distinct[symbol]
        assert [n.pitch % 12 for n in chord] == list(event.pitch_classes), symbol
        assert len(targets) == 2


def test_a_practice_sheet_without_chords_goes_from_scale_to_safe_notes():
    sheet_ = practice("practice/pentatonic-no-wrong-notes")
    assert one_pass("practice/pentatonic-no-wrong-notes").chords == ()
    assert sheet_.texts("rehearsal") == ["Scale", "Safe notes"]
    assert sheet_.marked("harmony") == []


# --- the API: formats, overrides ----------------------------------------------------------


def test_sheet_writes_the_practice_musicxml(tmp_path):
    out = tmp_path / "p.musicxml"
    result = sheet("holding/dorian-vamp", "practice", str(out))
    assert result.as_dict() == {
        "output": str(out),
        "files": [str(out)],
        "kind": "practice",
        "format": "musicxml",
        "bars": 8,
    }
    assert out.read_bytes() == practice("holding/dorian-vamp").data


def test_the_key_override_transposes_the_practice_sheet(tmp_path):
    out = tmp_path / "e.musicxml"
    sheet("holding/dorian-vamp", "practice", str(out), overrides=Overrides(key="E dorian"))
    notes = scale_notes(read_sheet(out.read_bytes(), 8))
    assert [n.name for n in notes] == ["E", "F#", "G", "A", "B", "C#", "D", "E"]
    assert [(n.name, n.color) for n in notes if n.color] == [("C#", RED)]
    assert ET.fromstring(out.read_bytes()).findtext(".//key/fifths") == "2"


def test_tempo_and_bars_overrides_shape_the_lead_sheet(tmp_path):
    out = tmp_path / "l.musicxml"
    result = sheet("holding/dorian-vamp", "lead", str(out), overrides=Overrides(tempo=80, bars=8))
    data = out.read_bytes()
    assert result.bars == 8 == read_sheet(data, 8).measures
    assert "80 bpm" in read_sheet(data, 8).credit_text("center")
    assert ET.fromstring(data).findtext(".//metronome/per-minute") == "80"


@pytest.mark.parametrize(("kind", "fmt"), [("bogus", None), ("lead", "midi"), ("practice", "midi")])
def test_sheet_refuses_unknown_kinds_and_midi(kind, fmt, tmp_path):
    with pytest.raises(OptionError):
        sheet("holding/dorian-vamp", kind, str(tmp_path / "x.pdf"), fmt)
    assert list(tmp_path.iterdir()) == []


# --- the command line ---------------------------------------------------------------------


def test_a_practice_pdf_is_one_page(cli, tmp_path):
    result = cli("sheet", "holding/dorian-vamp", "-k", "practice", "-o", "x.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]
    assert len(PdfReader(tmp_path / "x.pdf").pages) == 1
    assert "x.pdf" in result.stdout + result.stderr


def test_the_default_output_and_json(cli, tmp_path):
    result = cli("sheet", "holding/dorian-vamp", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "output": "dorian-vamp-lead.pdf",
        "files": ["dorian-vamp-lead.pdf"],
        "kind": "lead",
        "format": "pdf",
        "bars": 4,
    }
    assert [p.name for p in tmp_path.iterdir()] == ["dorian-vamp-lead.pdf"]
    assert len(PdfReader(tmp_path / "dorian-vamp-lead.pdf").pages) == 1


def test_quiet_musicxml_by_default_name(cli, tmp_path):
    result = cli("sheet", "holding/dorian-vamp", "-q", "--format", "musicxml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "dorian-vamp-lead.musicxml").read_bytes() == lead("holding/dorian-vamp").data


def test_a_midi_sheet_is_refused(cli, tmp_path):
    # --format midi is not one of the choices: a usage error (exit 2, per docs/cli.md).
    by_option = cli("sheet", "holding/dorian-vamp", "--format", "midi", cwd=tmp_path)
    assert by_option.returncode == 2
    assert "Traceback" not in by_option.stderr
    assert "musicxml" in by_option.stderr and "pdf" in by_option.stderr
    # A .mid output names MIDI through its extension: refused, one line, exit 1.
    by_name = cli("sheet", "holding/dorian-vamp", "-o", "x.mid", cwd=tmp_path)
    assert by_name.returncode == 1
    assert len(by_name.stderr.strip().splitlines()) == 1
    assert "notation" in by_name.stderr
    assert "Traceback" not in by_name.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_kind_is_refused(cli, tmp_path):
    result = cli("sheet", "holding/dorian-vamp", "--kind", "bogus", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "lead" in result.stderr and "practice" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["musicxml", "pdf"])
def test_same_input_same_bytes_in_another_process(cli, tmp_path, fmt):
    runs = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        args = ("sheet", "holding/dorian-vamp", "-k", "practice", "-f", fmt, "-q")
        result = cli(*args, cwd=tmp_path / folder)
        assert result.returncode == 0, result.stderr
        runs.append((tmp_path / folder / f"dorian-vamp-practice.{fmt}").read_bytes())
    assert runs[0] == runs[1]
    in_process = tmp_path / f"here.{fmt}"
    sheet("holding/dorian-vamp", "practice", str(in_process))
    assert in_process.read_bytes() == runs[0]


def test_no_file_is_left_behind_when_the_folder_is_missing(cli, tmp_path):
    result = cli("sheet", "holding/dorian-vamp", "-o", "nowhere/x.pdf", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
