"""Engrave MusicXML into A4 pages: SVG, PNG and PDF with pip packages only.

verovio lays the score out and writes one SVG per page. Its fonts ship as WOFF2 inside CSS
files in verovio's package data; SVG rasterisers ignore `@font-face`, so fontTools unpacks
them once into a cache folder, and resvg-py (PNG) and svg2pdf-py (PDF) get those files and
no system font at all. pypdf joins the one-page PDFs into one document.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from improv_cli.errors import RenderError


@dataclass(frozen=True, slots=True)
class Page:
    """A sheet of paper."""

    width_mm: float
    height_mm: float

    @property
    def width_pt(self) -> float:
        return self.width_mm * 72 / 25.4

    @property
    def height_pt(self) -> float:
        return self.height_mm * 72 / 25.4


A4 = Page(210.0, 297.0)

MUSIC_FAMILY = "Leipzig"  # verovio's default SMuFL font: noteheads, clefs, the ♩ of tempo marks
TEXT_FAMILY = "Liberation Serif"  # what verovio ships for its "Times, serif" text
FONT_SOURCES = ("Leipzig.css", "Liberation.css")

# The layout depends on pageWidth/pageHeight alone (tenths of a millimetre); verovio's
# "scale" only multiplies the px size of the root element, which we replace by millimetres.
# At verovio's unit of 9 a staff is 7.2 mm high, the usual size for printed parts.
VEROVIO_OPTIONS: dict[str, Any] = {
    "inputFrom": "musicxml",
    "pageWidth": round(A4.width_mm * 10),
    "pageHeight": round(A4.height_mm * 10),
    "pageMarginTop": 100,
    "pageMarginBottom": 100,
    "pageMarginLeft": 100,
    "pageMarginRight": 100,
    "breaks": "auto",
    "footer": "none",
    "font": MUSIC_FAMILY,
    "xmlIdChecksum": True,  # ids seeded by the input: same score, same SVG
    "svgFormatRaw": True,
}

_ROOT_SIZE = re.compile(r'<svg width="[\d.]+px" height="[\d.]+px"')
_LABEL_TITLE = re.compile(r'<title class="labelAttr">[^<]*</title>')
_FONT_FACE = re.compile(r"<style[^>]*>\s*@font-face.*?</style>", re.DOTALL)
_FONT_FAMILY = re.compile(r'font-family="([^"]*)"')
_BASE64_FONT = re.compile(r"base64,([A-Za-z0-9+/=]+)")
_MUSICXML_ROOTS = ("score-partwise", "score-timewise")
_HINT = "render the score to MusicXML with improv first, or check the file is MusicXML 3 or 4"


def svg_pages(musicxml: bytes | str, *, title_page: bool = True) -> list[str]:
    """Engrave a MusicXML score into standalone SVG pages, one string per A4 page.

    With `title_page` the first page is headed by the title (and composer) of the score.
    """
    text = _musicxml_text(musicxml)
    import verovio

    verovio.enableLog(verovio.LOG_OFF)
    toolkit = verovio.toolkit()
    toolkit.setOptions({**VEROVIO_OPTIONS, "header": "auto" if title_page else "none"})
    if not toolkit.loadData(text) or toolkit.getPageCount() < 1:
        raise RenderError("verovio could not engrave the MusicXML score", _HINT)
    size = f'<svg width="{A4.width_mm:g}mm" height="{A4.height_mm:g}mm"'
    pages = []
    for number in range(1, toolkit.getPageCount() + 1):
        svg = _ROOT_SIZE.sub(size, toolkit.renderToSVG(number), count=1)
        pages.append(_LABEL_TITLE.sub("", svg))
    return pages


def png_pages(svgs: list[str], dpi: float = 150) -> list[bytes]:
    """Rasterise SVG pages into PNG images (white paper) at `dpi` dots per inch."""
    import resvg_py

    fonts = list(_font_files())
    try:
        return [
            resvg_py.svg_to_bytes(
                svg_string=_for_raster(svg),
                background="white",
                dpi=dpi,
                skip_system_fonts=True,
                font_files=fonts,
                font_family=TEXT_FAMILY,
                serif_family=TEXT_FAMILY,
                sans_serif_family=TEXT_FAMILY,
                monospace_family=TEXT_FAMILY,
            )
            for svg in svgs
        ]
    except ValueError as error:
        raise RenderError(f"cannot rasterise the SVG page: {error}") from None


def pdf_document(svgs: list[str]) -> bytes:
    """Convert SVG pages into one PDF document, with its fonts embedded; same pages, same bytes."""
    if not svgs:
        raise RenderError("there are no pages to write to the PDF")
    from io import BytesIO

    import svg2pdf_py  # type: ignore[import-untyped]
    from pypdf import PdfReader, PdfWriter

    fonts = svg2pdf_py.FontDatabase()
    for path in _font_files():
        fonts.load_font_file(path)
    # svg2pdf counts 1 px as 1 pt, so the page is sized in points rather than millimetres.
    size = f'<svg width="{A4.width_pt:.4f}" height="{A4.height_pt:.4f}"'
    mm = f'<svg width="{A4.width_mm:g}mm" height="{A4.height_mm:g}mm"'
    try:
        chunks = svg2pdf_py.svg_pages_to_pdfs(
            [_for_raster(svg).replace(mm, size, 1) for svg in svgs], fonts
        )
    except ValueError as error:
        raise RenderError(f"cannot convert the SVG page to PDF: {error}") from None
    writer = PdfWriter()  # writes no date and, unencrypted, no random /ID
    for chunk in chunks:
        page = PdfReader(BytesIO(chunk)).pages[0]
        _sort_keys(page, set())
        writer.add_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _sort_keys(node: Any, seen: set[int]) -> None:
    """Sort every dictionary under `node`, as svg2pdf writes some in a random (hash) order."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if isinstance(node, IndirectObject):
        if node.idnum in seen:
            return
        seen.add(node.idnum)
        node = node.get_object()
    if isinstance(node, DictionaryObject):
        items = sorted(node.items())
        node.clear()
        node.update(items)
        children: Any = [value for key, value in items if key != "/Parent"]
    elif isinstance(node, ArrayObject):
        children = node
    else:
        return
    for child in children:
        _sort_keys(child, seen)


def _musicxml_text(musicxml: bytes | str) -> str:
    """The score as text, once it is known to be well-formed XML with a MusicXML root."""
    from xml.parsers import expat

    roots: list[str] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, attributes: roots.append(name)
    try:
        parser.Parse(musicxml, True)
        text = musicxml if isinstance(musicxml, str) else musicxml.decode("utf-8-sig")
    except expat.ExpatError as error:
        raise RenderError(f"the MusicXML score is not well-formed XML: {error}", _HINT) from None
    except UnicodeDecodeError:
        raise RenderError("the MusicXML score is not UTF-8 text", _HINT) from None
    if not roots or roots[0] not in _MUSICXML_ROOTS:
        found = f"<{roots[0]}>" if roots else "no element"
        raise RenderError(f"not a MusicXML score: found {found}", _HINT)
    return text


def _for_raster(svg: str) -> str:
    """The page as resvg and svg2pdf should see it: every text in our text font.

    Renderers ignore the embedded `@font-face`, and svg2pdf drops text whose families
    ("Times, serif") it cannot find, as it has no generic-family setting.
    """

    def family(match: re.Match[str]) -> str:
        return match[0] if MUSIC_FAMILY in match[1] else f'font-family="{TEXT_FAMILY}"'

    return _FONT_FAMILY.sub(family, _FONT_FACE.sub("", svg))


@functools.cache
def _font_files() -> tuple[str, ...]:
    """verovio's fonts as plain font files, extracted once per verovio version."""
    try:
        return _extract_fonts(_cache_folder())
    except OSError:  # no writable cache: a folder of our own, removed when we exit
        folder = tempfile.mkdtemp(prefix="improv-fonts-")
        atexit.register(shutil.rmtree, folder, True)
        return _extract_fonts(Path(folder))


def _cache_folder() -> Path:
    from importlib.metadata import version

    base = Path(os.environ.get("XDG_CACHE_HOME", ""))
    if not base.is_absolute():  # unset, empty or relative: the XDG default
        base = Path.home() / ".cache"
    return base / "improv" / f"fonts-{version('verovio')}"


def _extract_fonts(folder: Path) -> tuple[str, ...]:
    """Unpack the WOFF2 fonts of verovio's CSS into `folder`; reuse them when already there.

    Every file is written to a temporary name and renamed, and the manifest comes last, so
    processes racing to fill the folder never see (or leave) a half-written font.
    """
    manifest = folder / "fonts.txt"
    try:
        paths = [folder / name for name in manifest.read_text(encoding="utf-8").split()]
        if paths and all(path.is_file() for path in paths):
            return tuple(str(path) for path in paths)
    except OSError:
        pass
    from base64 import b64decode
    from importlib.resources import files
    from io import BytesIO

    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    folder.mkdir(parents=True, exist_ok=True)
    data = files("verovio") / "data"
    names = []
    for source in FONT_SOURCES:
        for blob in _BASE64_FONT.findall((data / source).read_text(encoding="utf-8")):
            font = TTFont(BytesIO(b64decode(blob)), recalcTimestamp=False)
            font.flavor = None  # WOFF2 (brotli) in, plain sfnt out
            suffix = ".otf" if font.sfntVersion == "OTTO" else ".ttf"
            names.append(re.sub(r"[^\w-]", "", font["name"].getDebugName(6)) + suffix)
            out = BytesIO()
            font.save(out)
            _write_atomically(folder / names[-1], out.getvalue())
    _write_atomically(manifest, "\n".join(names).encode("utf-8"))
    return tuple(str(folder / name) for name in names)


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
