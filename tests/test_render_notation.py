"""`improv render` to notation: page files, page counts, marks a player reads, errors.

The note-by-note agreement with MIDI for every bundled framework is in test_notation.py;
the engraver's own checks (A4 pages, fonts, PNG pixels) are in test_engrave.py.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from pypdf import PdfReader

from improv_cli import api
from tests.test_engrave import dark_fraction, png_grey_rows, png_size

VAMP = "holding/dorian-vamp"


def xml_of(name: str, tmp_path, **overrides) -> ET.Element:
    out = tmp_path / "score.musicxml"
    api.render(name, str(out), None, api.Overrides(**overrides))
    return ET.fromstring(out.read_bytes())


def test_a_five_minute_score_is_a_pdf_with_as_many_pages_as_the_engraving(tmp_path, cli):
    result = cli("render", VAMP, "--minutes", "5", "-o", str(tmp_path / "vamp.pdf"), "--json")
    assert result.returncode == 0, result.stderr
    svg = cli("render", VAMP, "--minutes", "5", "-o", str(tmp_path / "vamp.svg"), "--json")
    pages = json.loads(svg.stdout)["files"]
    reader = PdfReader(tmp_path / "vamp.pdf")
    assert len(pages) >= 4  # 84 bars of four parts do not fit on a few A4 pages
    assert len(reader.pages) == len(pages)
    assert pages == [str(tmp_path / f"vamp-{i}.svg") for i in range(1, len(pages) + 1)]
    assert not (tmp_path / "vamp.svg").exists()


def test_eight_bars_make_one_png_page_with_music_on_it(tmp_path, cli):
    out = tmp_path / "vamp.png"
    result = cli("render", VAMP, "--bars", "8", "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["files"] == [str(out)]
    data = out.read_bytes()
    assert png_size(data) == (1240, 1754)  # A4 at 150 dpi
    rows = png_grey_rows(data)
    assert dark_fraction(rows) > 0.01
    assert dark_fraction(rows[:150]) > 0.001  # the title at the head of the page


def test_many_pages_cannot_go_to_standard_output(tmp_path, cli):
    result = cli("render", VAMP, "--minutes", "5", "--format", "png", "-o", "-", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "pages" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_musicxml_to_standard_output_is_the_file(tmp_path, cli):
    result = cli("render", VAMP, "--bars", "4", "--format", "musicxml", "-o", "-")
    assert result.returncode == 0, result.stderr
    api.render(VAMP, str(tmp_path / "s.musicxml"), None, api.Overrides(bars=4))
    assert result.stdout == (tmp_path / "s.musicxml").read_text(encoding="utf-8")


def test_an_unknown_extension_names_the_notation_formats(tmp_path, cli):
    result = cli("render", VAMP, "-o", str(tmp_path / "x.doc"))
    assert result.returncode == 1
    assert ".musicxml" in result.stderr and ".pdf" in result.stderr
    assert not (tmp_path / "x.doc").exists()


def test_musicxml_is_the_same_bytes_in_another_process(tmp_path, cli):
    for name in ("one", "two"):
        result = cli("render", "holding/breathing-vamp", "-o", str(tmp_path / f"{name}.musicxml"))
        assert result.returncode == 0, result.stderr
    one = (tmp_path / "one.musicxml").read_bytes()
    assert one == (tmp_path / "two.musicxml").read_bytes()
    assert b"encoding-date" not in one and b"music21" not in one.lower()
    root = ET.fromstring(one)
    assert [p.get("id") for p in root.iter("score-part")] == ["P1", "P2", "P3", "P4"]


def test_pdf_is_the_same_bytes_in_another_process(tmp_path, cli):
    for name in ("one", "two"):
        out = str(tmp_path / f"{name}.pdf")
        assert cli("render", VAMP, "--bars", "8", "-o", out).returncode == 0
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()
    assert len(PdfReader(BytesIO((tmp_path / "one.pdf").read_bytes())).pages) == 1


def words(root: ET.Element) -> list[str]:
    return [w.text or "" for w in root.iter("words")]


def test_breathing_vamp_reads_as_written_dynamics_rubato_ritardando_and_a_fermata(tmp_path):
    root = xml_of("holding/breathing-vamp", tmp_path)
    top = root.find("part")
    assert top is not None
    assert words(top) == ["rubato", "rit."]
    marks = [int(m.findtext("per-minute") or 0) for m in top.iter("metronome")]
    assert marks == [66, 55]  # the start, and where the final ritardando lands
    melody_dynamics = [d[0].tag for d in top.iter("dynamics")]
    assert melody_dynamics[:2] == ["pp", "mp"]
    wedges = [w.get("type") for w in top.iter("wedge")]
    assert wedges.count("crescendo") == 1 and wedges.count("diminuendo") == 1
    last_bar = top.findall("measure")[-1]
    assert last_bar.find(".//fermata") is not None


def test_a_swung_groove_is_written_straight_with_swing_over_it(tmp_path):
    root = xml_of("frameworking/walking-bass", tmp_path, bars=4)
    assert "Swing" in words(root)
    divisions = int(root.findtext(".//divisions") or 0)
    for note in root.iter("note"):
        duration = int(note.findtext("duration") or 0)
        if note.find("grace") is None:  # straight eighths or longer: no swung 2:1 values
            assert duration % (divisions // 2) == 0, duration


@pytest.mark.parametrize(
    ("name", "fifths"),
    [(VAMP, 0), ("holding/lydian-one-chord", None), ("holding/mixolydian-one-chord", None)],
)
def test_the_key_signature_is_the_parent_scale(name, fifths, tmp_path):
    from improv_cli.engine.theory import key_signature
    from improv_cli.model.loader import load_framework

    expected = key_signature(load_framework(name).key)[0] if fifths is None else fifths
    root = xml_of(name, tmp_path, bars=2)
    assert {int(k.findtext("fifths") or 99) for k in root.iter("key")} == {expected}


def test_every_drum_note_names_its_gm_instrument(tmp_path):
    from improv_cli.engine.realise import realise
    from improv_cli.model.loader import load_framework
    from improv_cli.overrides import apply

    root = xml_of(VAMP, tmp_path, bars=2)
    drums = next(p for p in root.iter("score-part") if p.findtext("part-name") == "Drums")
    keys = {
        m.get("id"): int(m.findtext("midi-unpitched") or 0) - 1
        for m in drums.iter("midi-instrument")
    }
    part = root.find(f"part[@id='{drums.get('id')}']")
    assert part is not None
    written = []
    for note in part.iter("note"):
        if note.find("rest") is None:
            instrument = note.find("instrument")
            assert instrument is not None
            written.append(keys[instrument.get("id")])
    timeline = realise(apply(load_framework(VAMP), api.Overrides(bars=2)), written=True)
    assert sorted(written) == sorted(n.pitch for n in timeline.part_notes("drums"))
