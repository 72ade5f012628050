"""The session card: one printable page (landscape A4) and the same table as plain text.

The SVG is written here as text with fixed font sizes (millimetres, Liberation Serif, the
text font the PDF converter embeds) and a fixed layout, so the same session gives the same
page. Long texts wrap inside their column by an estimate of the font's average width and
are cut with an ellipsis when a row would grow past three lines.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape

from improv_cli.errors import RenderError

WIDTH_MM, HEIGHT_MM = 297.0, 210.0  # landscape A4
WIDTH_PT, HEIGHT_PT = WIDTH_MM * 72 / 25.4, HEIGHT_MM * 72 / 25.4  # the PDF converter's px
MARGIN = 12.0
FONT = "Liberation Serif"
TITLE_SIZE, PURPOSE_SIZE, CELL_SIZE, FOOT_SIZE = 7.0, 3.6, 3.0, 2.6
CHAR_WIDTH = 0.46  # average advance of a serif letter, in ems (an estimate for wrapping)
LINE = 1.35  # line height, in ems
MAX_LINES = 3
HEADERS = ("start", "length", "segment", "framework or journey", "purpose", "key", "metre", "tempo")
COLUMNS = (14.0, 24.0, 32.0, 52.0, 74.0, 31.0, 13.0, 27.0)  # mm; they fill the page width


@dataclass(frozen=True, slots=True)
class Row:
    start: str  # m:ss from the start of the session
    length: str  # "8 bars, 0:20"
    name: str
    what: str  # the framework, "journey: ...", or the transition's chords
    purpose: str
    key: str
    metre: str
    tempo: str  # "66", or "96 → 66"
    transition: bool = False

    def cells(self) -> tuple[str, ...]:
        return (
            self.start,
            self.length,
            self.name,
            self.what,
            self.purpose,
            self.key,
            self.metre,
            self.tempo,
        )


@dataclass(frozen=True, slots=True)
class Card:
    title: str
    purpose: str
    rows: tuple[Row, ...]
    footer: str  # seed, total length, version


def clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


TEXT_WIDTHS = {3: 40, 4: 56}  # columns that wrap in the text card, and their widths


def text_card(card: Card) -> str:
    """The card as aligned plain-text columns; long cells continue on the lines below."""
    rows = [[[h] for h in HEADERS], *(_text_cells(r) for r in card.rows)]
    widths = [max(len(line) for row in rows for line in row[i]) for i in range(len(HEADERS))]

    def lines(row: list[list[str]]) -> list[str]:
        height = max(len(cell) for cell in row)
        cells = [cell + [""] * (height - len(cell)) for cell in row]
        return [
            "  ".join(c[n].ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
            for n in range(height)
        ]

    head = [card.title, *textwrap.wrap(card.purpose, 96), ""]
    rule = "  ".join("-" * w for w in widths)
    body = [*lines(rows[0]), rule, *(line for row in rows[1:] for line in lines(row))]
    return "\n".join([*head, *body, "", card.footer]) + "\n"


def _text_cells(row: Row) -> list[list[str]]:
    return [
        textwrap.wrap(cell, TEXT_WIDTHS[i]) or [""] if i in TEXT_WIDTHS else [cell]
        for i, cell in enumerate(row.cells())
    ]


def wrapped(text: str, width_mm: float, size: float, lines: int) -> list[str]:
    """`text` in lines that fit `width_mm` at `size`, at most `lines` (cut with …)."""
    chars = max(4, int(width_mm / (size * CHAR_WIDTH)))
    found = textwrap.wrap(text, chars, break_long_words=True) or [""]
    if len(found) > lines:
        rest = textwrap.shorten(" ".join(found[lines - 1 :]), chars, placeholder=" …")
        found = [*found[: lines - 1], rest]
    return found


def _text(x: float, y: float, size: float, text: str, extra: str = "") -> str:
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" font-family="{FONT}" font-size="{size:g}"{extra}>'
        f"{escape(text)}</text>"
    )


def _row_cells(row: Row, lines: int) -> list[list[str]]:
    return [
        wrapped(cell, width - 2, CELL_SIZE, lines)
        for cell, width in zip(row.cells(), COLUMNS, strict=True)
    ]


def _layout(card: Card, lines: int) -> tuple[list[list[list[str]]], float]:
    cells = [_row_cells(row, lines) for row in card.rows]
    heights = [max(len(c) for c in row) * CELL_SIZE * LINE + 2 for row in cells]
    return cells, sum(heights)


def svg_card(card: Card) -> str:
    """The card as one SVG page: title, purpose, the table, a footer line."""
    parts = [
        f'<svg width="{WIDTH_PT:.4f}" height="{HEIGHT_PT:.4f}" viewBox="0 0 {WIDTH_MM:g} '
        f'{HEIGHT_MM:g}" xmlns="http://www.w3.org/2000/svg">',
        f'<rect width="{WIDTH_MM:g}" height="{HEIGHT_MM:g}" fill="white"/>',
    ]
    y = MARGIN + TITLE_SIZE
    parts.append(_text(MARGIN, y, TITLE_SIZE, card.title, ' font-weight="bold"'))
    y += 2
    for line in (
        wrapped(card.purpose, WIDTH_MM - 2 * MARGIN, PURPOSE_SIZE, 3) if card.purpose else []
    ):
        y += PURPOSE_SIZE * LINE
        parts.append(_text(MARGIN, y, PURPOSE_SIZE, line))
    y += 8
    parts += _header(y)
    y += 2
    room = HEIGHT_MM - MARGIN - FOOT_SIZE * 2 - y
    cells, height = _layout(card, MAX_LINES)
    if height > room:
        cells, height = _layout(card, 1)
    if height > room:
        raise RenderError(
            f"the session card has room for about {int(room // (CELL_SIZE * LINE + 2))} rows, "
            f"not {len(card.rows)}",
            "split the session into shorter plans",
        )
    for index, (row, texts) in enumerate(zip(card.rows, cells, strict=True)):
        y = _row(parts, row, texts, y, index)
    parts.append(_text(MARGIN, HEIGHT_MM - MARGIN, FOOT_SIZE, card.footer, ' fill="#555555"'))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _header(y: float) -> list[str]:
    out = []
    x = MARGIN
    for header, width in zip(HEADERS, COLUMNS, strict=True):
        out.append(_text(x + 1, y, CELL_SIZE, header, ' font-weight="bold"'))
        x += width
    out.append(_rule(y + 1.5, 0.4))
    return out


def _rule(y: float, weight: float) -> str:
    right = WIDTH_MM - MARGIN
    return (
        f'<line x1="{MARGIN:g}" y1="{y:.2f}" x2="{right:g}" y2="{y:.2f}" '
        f'stroke="black" stroke-width="{weight:g}"/>'
    )


def _row(parts: list[str], row: Row, texts: list[list[str]], top: float, index: int) -> float:
    """Draw one row from `top`; return the top of the next."""
    height = max(len(t) for t in texts) * CELL_SIZE * LINE + 2
    if index % 2:
        parts.append(
            f'<rect x="{MARGIN:g}" y="{top:.2f}" width="{WIDTH_MM - 2 * MARGIN:g}" '
            f'height="{height:.2f}" fill="#eeeeee"/>'
        )
    style = ' font-style="italic"' if row.transition else ""
    x = MARGIN
    for lines, width in zip(texts, COLUMNS, strict=True):
        for n, line in enumerate(lines):
            y = top + 1 + CELL_SIZE + n * CELL_SIZE * LINE
            parts.append(_text(x + 1, y, CELL_SIZE, line, style))
        x += width
    parts.append(_rule(top + height, 0.15))
    return top + height
