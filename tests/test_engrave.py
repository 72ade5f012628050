"""Engraving: MusicXML in, A4 pages out as SVG, PNG and PDF, with only the fonts we ship."""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
import zlib
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PageObject, PdfReader

from improv_cli.errors import RenderError
from improv_cli.render.engrave import (
    A4,
    _cache_folder,
    _extract_fonts,
    pdf_document,
    png_pages,
    svg_pages,
)
from tests.conftest import ROOT

TITLE = "Dorian Vamp"
CHORDS = ("Dm7", "G7", "B-7", "A7")  # music21 spells B♭ "B-"
QUARTER = "\ueca5"  # SMuFL metNoteQuarterUp: the ♩ of "♩ = 66", drawn in the music font


def build_musicxml(bars: int) -> bytes:
    """A 4-part lead sheet: melody with degree numbers, piano chords, bass clef, drums."""
    from music21 import chord, clef, expressions, harmony, metadata, meter, note, stream, tempo
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    score = stream.Score()
    score.metadata = metadata.Metadata(title=TITLE)
    parts = [stream.Part() for _ in range(4)]
    for part, name in zip(parts, ("Melody", "Piano", "Bass", "Drums"), strict=True):
        part.partName = name
    for bar in range(bars):
        melody, piano, bass, drums = measures = [stream.Measure(number=bar + 1) for _ in parts]
        if bar == 0:
            for measure in measures:
                measure.append(meter.TimeSignature("4/4"))
            melody.insert(0, tempo.MetronomeMark(number=66))
            for measure, sign in zip(measures, ("G", "G", "F", "percussion"), strict=True):
                measure.insert(0, clef.clefFromString(sign))
        if bar % 8 == 0:
            melody.insert(0, expressions.RehearsalMark(chr(ord("A") + bar // 8)))
        melody.insert(0, harmony.ChordSymbol(CHORDS[bar % 4]))
        for pitch, degree in (("D5", "1"), ("F5", "3"), ("A4", "5"), ("C5", "7")):
            melody.append(note.Note(pitch, quarterLength=1, lyric=degree))
        piano.append(chord.Chord(["D4", "F4", "A4", "C5"], quarterLength=4))
        bass.append([note.Note("D2", quarterLength=2), note.Note("A2", quarterLength=2)])
        drums.append([note.Note("C4", quarterLength=1) for _ in range(4)])
        for part, measure in zip(parts, measures, strict=True):
            part.append(measure)
    for part in parts:
        score.insert(0, part)
    return bytes(GeneralObjectExporter(score).parse())


@pytest.fixture(scope="module")
def short() -> bytes:
    return build_musicxml(4)


@pytest.fixture(scope="module")
def long() -> bytes:
    return build_musicxml(90)


@pytest.fixture(scope="module")
def long_svgs(long: bytes) -> list[str]:
    return svg_pages(long)


@pytest.fixture(scope="module")
def long_pdf(long_svgs: list[str]) -> PdfReader:
    return PdfReader(BytesIO(pdf_document(long_svgs)))


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def png_grey_rows(png: bytes) -> list[bytes]:
    """The rows of an 8-bit RGBA PNG as one darkness-preserving byte (min of R, G, B) a pixel."""
    width, height = png_size(png)
    assert png[24:26] == b"\x08\x06", "8-bit RGBA"
    data, at = b"", 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        if png[at + 4 : at + 8] == b"IDAT":
            data += png[at + 8 : at + 8 + length]
        at += 12 + length
    raw, stride, rows = zlib.decompress(data), width * 4, []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            left = line[x - 4] if x >= 4 else 0
            up, corner = previous[x], previous[x - 4] if x >= 4 else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                near = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + near) & 255
        rows.append(bytes(min(line[x : x + 3]) for x in range(0, stride, 4)))
        previous = line
    return rows


def dark_fraction(rows: list[bytes]) -> float:
    return sum(sum(1 for v in row if v < 128) for row in rows) / (len(rows) * len(rows[0]))


def text_position(page: PageObject, wanted: str) -> tuple[float, float]:
    """Where `wanted` starts on a PDF page, in points from the bottom left corner."""
    runs: list[tuple[int, float, float]] = []
    text = ""

    def visit(piece: str, cm: list[float], tm: list[float], *_: object) -> None:
        nonlocal text
        x, y = tm[4], tm[5]
        if piece.strip():
            runs.append((len(text), cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]))
        text += piece

    page.extract_text(visitor_text=visit)
    start = text.index(wanted)
    return next((x, y) for at, x, y in runs if at == start)


def test_a_short_score_is_one_page_in_every_format(short):
    svgs = svg_pages(short)
    assert len(svgs) == 1
    assert len(PdfReader(BytesIO(pdf_document(svgs))).pages) == 1
    assert len(png_pages(svgs)) == 1


def test_a_long_score_paginates_into_as_many_a4_pdf_pages(long_svgs, long_pdf):
    assert len(long_svgs) > 1
    assert len(long_pdf.pages) == len(long_svgs)
    for page in long_pdf.pages:
        assert float(page.mediabox.width) == pytest.approx(595.3, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(841.9, abs=0.5)


def test_svg_pages_are_standalone_a4_svg_without_label_titles(long_svgs):
    for svg in long_svgs:
        root = ElementTree.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert (root.get("width"), root.get("height")) == ("210mm", "297mm")
        assert '<title class="labelAttr"' not in svg
    assert TITLE in long_svgs[0]
    assert all(TITLE not in svg for svg in long_svgs[1:])
    assert all(chord in long_svgs[0] for chord in ("Dm7", "G7", "A7"))


def test_the_title_can_be_left_off(short):
    assert TITLE not in svg_pages(short, title_page=False)[0]


def test_png_pages_are_a4_at_the_dpi(short):
    (png,) = png_pages(svg_pages(short), dpi=150)
    assert png_size(png) == (round(210 / 25.4 * 150), round(297 / 25.4 * 150))


def test_png_pages_show_the_music_and_the_title(long_svgs):
    first, second = png_pages(long_svgs[:2], dpi=40)
    rows = png_grey_rows(first)
    assert 0.005 < dark_fraction(rows) < 0.2  # staves, notes and text on white paper
    band = slice(len(rows) * 8 // 297, len(rows) * 15 // 297)  # the title: 8 to 15 mm down
    title = dark_fraction(rows[band])
    assert title > 0.01
    assert title > 5 * dark_fraction(png_grey_rows(second)[band])  # later: a page number only
    assert all(row[0] == 255 and row[-1] == 255 for row in rows)  # white margins


def test_pdf_pages_embed_our_fonts_and_carry_real_text(long_pdf):
    page = long_pdf.pages[0]
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for font in page["/Resources"]["/Font"].values()
    }
    assert {"Leipzig", "LiberationSerif-Regular", "LiberationSerif-Bold"} <= fonts
    text = page.extract_text()
    assert TITLE in text
    assert all(chord in text for chord in ("Dm7", "G7", "A7"))
    assert QUARTER in text and "66" in text  # the tempo mark, its note in the music font
    x, y = text_position(page, TITLE)
    assert y > A4.height_pt - 72  # the title heads the page ...
    assert 0.25 * A4.width_pt < x < 0.5 * A4.width_pt  # ... and is centred


def test_same_score_same_bytes(short):
    svgs = svg_pages(short)
    assert svgs == svg_pages(short)
    assert png_pages(svgs) == png_pages(svgs)
    assert pdf_document(svgs) == pdf_document(svgs)


def digests_in_a_fresh_process(musicxml: bytes, tmp_path) -> str:
    """svg2pdf's hash maps are seeded per process, so determinism is checked across processes."""
    path = tmp_path / "score.musicxml"
    path.write_bytes(musicxml)
    code = (
        "import hashlib, sys\n"
        "from improv_cli.render.engrave import pdf_document, png_pages, svg_pages\n"
        "svgs = svg_pages(open(sys.argv[1], 'rb').read())\n"
        "for data in (''.join(svgs).encode(), b''.join(png_pages(svgs)), pdf_document(svgs)):\n"
        "    print(hashlib.sha256(data).hexdigest())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return result.stdout


def test_same_score_same_bytes_in_other_processes(short, tmp_path):
    svgs = svg_pages(short)
    artefacts = ("".join(svgs).encode(), b"".join(png_pages(svgs)), pdf_document(svgs))
    here = "".join(hashlib.sha256(data).hexdigest() + "\n" for data in artefacts)
    assert digests_in_a_fresh_process(short, tmp_path) == here
    assert digests_in_a_fresh_process(short, tmp_path) == here


@pytest.mark.parametrize(
    "data",
    [b"<not-musicxml/>", b"", "hello", b"<score-partwise><part id='P1'>", b"\xff\xfe<score/>"],
    ids=["other-root", "empty", "text", "truncated", "bad-encoding"],
)
def test_bad_musicxml_is_a_render_error(data, capfd):
    with pytest.raises(RenderError) as caught:
        svg_pages(data)
    assert caught.value.hint
    assert capfd.readouterr() == ("", "")  # verovio's log stays silent


def test_engraving_prints_nothing(short, capfd):
    svg_pages(short)
    assert capfd.readouterr() == ("", "")


def test_fonts_are_unpacked_once_into_plain_font_files(tmp_path):
    from fontTools.ttLib import TTFont

    paths = _extract_fonts(tmp_path)
    families = {TTFont(path)["name"].getDebugName(1) for path in paths}
    assert families == {"Leipzig", "Liberation Serif"}
    assert all(Path(path).read_bytes()[:4] in (b"\x00\x01\x00\x00", b"OTTO") for path in paths)
    stamps = [Path(path).stat().st_mtime_ns for path in paths]
    assert _extract_fonts(tmp_path) == paths
    assert [Path(path).stat().st_mtime_ns for path in paths] == stamps
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_the_font_cache_follows_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = _cache_folder()
    assert folder.parent == tmp_path / "improv"
    assert folder.name.startswith("fonts-")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")
    assert _cache_folder().is_absolute()


FONT_PROBE = """
import sys
from improv_cli.render.engrave import _font_files, png_pages
svg = '<svg xmlns="http://www.w3.org/2000/svg" width="9mm" height="9mm"><text y="9">x</text></svg>'
(png,) = png_pages([svg])
print(*_font_files(), sep="\\n")
"""


def fonts_used_in_a_fresh_process(cache: Path) -> list[Path]:
    result = subprocess.run(
        [sys.executable, "-c", FONT_PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    )
    return [Path(line) for line in result.stdout.splitlines()]


def test_rendering_fills_and_then_reuses_the_font_cache(tmp_path):
    first = fonts_used_in_a_fresh_process(tmp_path)
    assert len(first) == 5
    assert all(path.is_relative_to(tmp_path / "improv") and path.is_file() for path in first)
    assert fonts_used_in_a_fresh_process(tmp_path) == first


def test_an_unwritable_cache_falls_back_to_a_temporary_folder(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    fonts = fonts_used_in_a_fresh_process(blocker)
    assert len(fonts) == 5
    assert not any(path.exists() for path in fonts)  # removed when the process ended


def test_importing_the_engraver_loads_no_renderer():
    code = (
        "import sys, improv_cli.render.engrave\n"
        "heavy = {'verovio', 'resvg_py', 'svg2pdf_py', 'pypdf', 'fontTools', 'music21'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"
