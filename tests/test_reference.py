"""The reference framework through every renderer and the one shared checker.

tests/data/reference.yaml holds, in sixteen bars, what notation finds hard: a modal shift
that changes the key signature, a triplet groove and a swung one, dotted and syncopated
melody notes, hand percussion, a crescendo, a ritardando onto a fermata.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import DATA
from tests.notation_facts import differences, read_midi, read_musicxml, schema_errors
from tests.test_engrave import dark_fraction, png_grey_rows
from tests.test_notation import swing_slack

REFERENCE = str(DATA / "reference.yaml")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, list[Path]]:
    from improv_cli import api

    folder = tmp_path_factory.mktemp("reference")
    files = {}
    for fmt, ext in api.FORMATS.items():
        result = api.render(REFERENCE, str(folder / f"reference{ext}"), fmt)
        files[fmt] = [Path(f) for f in result.files]
    return files


@pytest.fixture(scope="module")
def score(rendered) -> ET.Element:
    return ET.fromstring(rendered["musicxml"][0].read_bytes())


def test_the_score_is_valid_and_is_the_midi_note_for_note(rendered):
    data = rendered["musicxml"][0].read_bytes()
    assert schema_errors(data) == []
    slack = swing_slack(REFERENCE)
    assert set(slack) >= {"drums", "comp"}  # the shuffle section swings
    assert differences(read_musicxml(data), read_midi(rendered["midi"][0]), slack) == []


def test_every_engraved_format_has_the_same_pages(rendered):
    pages = len(rendered["svg"])
    assert pages >= 2
    assert len(rendered["png"]) == pages
    assert len(PdfReader(rendered["pdf"][0]).pages) == pages
    for png in rendered["png"]:
        assert dark_fraction(png_grey_rows(png.read_bytes())) > 0.01


def top_part(score: ET.Element) -> ET.Element:
    part = score.find("part")
    assert part is not None
    return part


def test_the_modal_shift_changes_the_key_signature_each_pass(score):
    keys = {
        int(m.get("number") or 0): int(m.findtext("attributes/key/fifths") or 0)
        for m in top_part(score).findall("measure")
        if m.find("attributes/key") is not None
    }
    assert keys == {1: 2, 9: 1}  # E dorian (two sharps), then E aeolian (one sharp)


def test_the_triplet_section_is_written_in_triplets_and_the_shuffle_straight(score):
    drums = score.findall("part")[-1]
    for measure in drums.findall("measure"):
        number = int(measure.get("number") or 0)
        triplets = [n for n in measure.iter("note") if n.find("time-modification") is not None]
        section_a = number in (1, 2, 3, 4, 9, 10, 11, 12)
        assert bool(triplets) == section_a, number
    words = [w.text for w in top_part(score).iter("words")]
    assert words == ["Swing", "rit.", "Straight", "Swing", "rit."]


def test_tempo_marks_follow_the_ritardandos(score):
    marks = [int(m.findtext("per-minute") or 0) for m in top_part(score).iter("metronome")]
    assert marks == [80, 60, 80, 63]


def test_a_syncopated_quarter_is_tied_across_the_beat(score):
    bar3 = top_part(score).findall("measure")[2]
    ties = [t.get("type") for t in bar3.iter("tie")]
    assert ties.count("start") == 3 and ties.count("stop") == 3


def test_the_fermatas_sit_on_the_last_beat_of_each_pass(score):
    for part in score.findall("part"):
        held = [
            int(m.get("number") or 0)
            for m in part.findall("measure")
            if m.find(".//fermata") is not None
        ]
        assert held == [8, 16], part.get("id")


def test_hand_percussion_keeps_its_gm_keys(score):
    drums = score.findall("part-list/score-part")[-1]
    keys = sorted(int(m.findtext("midi-unpitched") or 0) - 1 for m in drums.iter("midi-instrument"))
    assert {36, 70, 62} <= set(keys)  # kick, shaker, high conga


def test_the_json_names_every_page(tmp_path, cli):
    result = cli("render", REFERENCE, "-o", str(tmp_path / "ref.svg"), "--json")
    assert result.returncode == 0, result.stderr
    files = json.loads(result.stdout)["files"]
    assert [Path(f).name for f in files] == [f"ref-{i}.svg" for i in range(1, len(files) + 1)]
