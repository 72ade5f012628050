"""MusicXML -> the asked-for notation format, page by page.

MusicXML is one file; SVG and PNG are one file per page; PDF is one document.
"""

from __future__ import annotations

NOTATION_FORMATS = ("musicxml", "svg", "pdf", "png")


def notation_pages(musicxml: bytes, fmt: str) -> list[bytes]:
    """The files of a notation format: one for MusicXML and PDF, one per page otherwise."""
    if fmt == "musicxml":
        return [musicxml]
    from improv_cli.render.engrave import pdf_document, png_pages, svg_pages

    svgs = svg_pages(musicxml)
    if fmt == "svg":
        return [svg.encode("utf-8") for svg in svgs]
    if fmt == "png":
        return png_pages(svgs)
    return [pdf_document(svgs)]
