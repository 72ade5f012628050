"""Parsers for the small languages inside a framework: keys, meters, melody, harmony, grids.

Each parser works on one string and raises `SyntaxProblem` with the offset of the bad
token, so the loader can point at the exact column in the YAML file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from improv_cli.model.tables import CHORD_KINDS, DURATIONS, MODES, TPQ


class SyntaxProblem(Exception):
    def __init__(self, message: str, offset: int = 0, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint


def suggest(word: str, choices: Iterable[str]) -> str:
    """A "did you mean" hint, or an empty string."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


_TONIC = re.compile(r"^([A-Ga-g])(#|b|♯|♭)?$")


def parse_tonic(text: str) -> str:
    match = _TONIC.match(text)
    if not match:
        raise SyntaxProblem(
            f"'{text}' is not a pitch name", hint="a letter A-G with an optional # or b, e.g. Bb"
        )
    accidental = (match.group(2) or "").replace("♯", "#").replace("♭", "b")
    return match.group(1).upper() + accidental


def parse_key(text: str) -> tuple[str, str]:
    """`"D dorian"` -> ("D", "dorian"); a lone tonic means major."""
    words = text.split()
    if not words or len(words) > 2:
        raise SyntaxProblem(
            f"'{text}' is not a key", hint="a tonic and a mode, e.g. 'D dorian' or 'Bb major'"
        )
    tonic = parse_tonic(words[0])
    mode = words[1] if len(words) == 2 else "major"
    if mode.lower().startswith("scala:"):
        from improv_cli.model.modes import SCALA, scala_mode

        try:
            scala_mode(mode[len(SCALA) :])
        except SyntaxProblem as problem:
            raise SyntaxProblem(problem.message, len(words[0]) + 1, problem.hint) from None
        return tonic, SCALA + mode[len(SCALA) :]
    mode = mode.lower()
    if mode not in MODES:
        known = "known modes: " + ", ".join(MODES)
        close = suggest(mode, MODES.keys())
        hint = f"{close} {known}" if close else known
        raise SyntaxProblem(f"unknown mode '{mode}'", offset=len(words[0]) + 1, hint=hint)
    return tonic, mode


_METER = re.compile(r"^(\d{1,2})/(1|2|4|8|16)$")


def parse_meter(text: str) -> tuple[int, int]:
    match = _METER.match(text.replace(" ", ""))
    if not match or not 1 <= int(match.group(1)) <= 32:
        raise SyntaxProblem(
            f"'{text}' is not a meter", hint="beats/beat-unit, e.g. 4/4, 3/4, 6/8, 7/8"
        )
    return int(match.group(1)), int(match.group(2))


def tokens(text: str, separators: str = "|") -> list[tuple[str, int]]:
    """Split into tokens with their offsets; each separator character is a token of its own."""
    if not separators:
        return [(m.group(0), m.start()) for m in re.finditer(r"\S+", text)]
    pattern = "[" + re.escape(separators) + "]|[^\\s" + re.escape(separators) + "]+"
    return [(m.group(0), m.start()) for m in re.finditer(pattern, text)]


_DEGREE = re.compile(r"^(?P<acc>[b#]?)(?P<deg>[1-9][0-9]?)(?P<oct>['’,]*)$")


@dataclass(frozen=True, slots=True)
class DegreeToken:
    degree: int
    alter: int
    octave: int


def parse_degree(token: str, offset: int = 0) -> DegreeToken:
    match = _DEGREE.match(token)
    if not match:
        raise SyntaxProblem(
            f"'{token}' is not a scale degree",
            offset,
            hint="a degree from 1, with an optional b/# before and ' or , after (e.g. b3, 5')",
        )
    marks = match.group("oct")
    octave = sum(1 for c in marks if c in "'’") - marks.count(",")
    alter = {"": 0, "b": -1, "#": 1}[match.group("acc")]
    return DegreeToken(int(match.group("deg")), alter, octave)


_DURATION = re.compile(r"^(?P<val>[whqes])(?P<dot>\.?)$")


def parse_duration(text: str, offset: int) -> int:
    match = _DURATION.match(text)
    if not match:
        raise SyntaxProblem(
            f"'{text}' is not a duration",
            offset,
            hint="w h q e s (whole, half, quarter, eighth, sixteenth), '.' for dotted",
        )
    ticks = round(DURATIONS[match.group("val")] * TPQ)
    return ticks * 3 // 2 if match.group("dot") else ticks


@dataclass(frozen=True, slots=True)
class MelodyToken:
    degree: DegreeToken | None  # None: rest
    ticks: int
    offset: int


def parse_melody(text: str, bar_ticks: int, meter: str) -> list[list[MelodyToken]]:
    """A phrase -> bars of tokens; every bar must fill the meter exactly."""
    bars: list[list[MelodyToken]] = [[]]
    bar_offsets = [0]
    ticks = TPQ
    for token, offset in tokens(text):
        if token == "|":
            bars.append([])
            bar_offsets.append(offset + 1)
            continue
        head, _, dur = token.partition(":")
        if ":" in token:
            ticks = parse_duration(dur, offset + len(head) + 1)
        degree = None if head == "r" else parse_degree(head, offset)
        bars[-1].append(MelodyToken(degree, ticks, offset))
    if not bars[-1] and len(bars) > 1:
        bars.pop()  # a trailing bar line
        bar_offsets.pop()
    for number, (bar, offset) in enumerate(zip(bars, bar_offsets, strict=True), start=1):
        total = sum(t.ticks for t in bar)
        if total != bar_ticks:
            have = _quarters(total)
            need = _quarters(bar_ticks)
            raise SyntaxProblem(
                f"bar {number} lasts {have} quarter notes but a {meter} bar needs {need}",
                bar[0].offset if bar else offset,
                hint="a token without a duration keeps the previous one (first: q)",
            )
    return bars


def _quarters(ticks: int) -> str:
    value = ticks / TPQ
    return f"{value:g}"


_RN_CORE = (
    r"(?:bb|b|##|#)?(?:VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)"
    r"(?:o|ø|°|\+)?(?:7|9|11|13|6|64|65|43|42|2)?"
)
_ROMAN = re.compile(rf"^{_RN_CORE}(?:/{_RN_CORE})*$")
_SYMBOL = re.compile(r"^(?P<root>[A-G](?:#|b)?)(?P<kind>[^/]*)(?:/(?P<bass>[A-G](?:#|b)?))?$")


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII")
_PLAIN_NUMERAL = re.compile(
    r"^(VII|VI|IV|V|III|II|I)(?:o|ø|°|\+)?(7|9|11|13|6|64|65|43|42|2)?$", re.IGNORECASE
)


def plain_numeral(text: str) -> tuple[int, str] | None:
    """(degree, figure) of a numeral without accidental or secondary (`IV7` -> (4, "7"))."""
    match = _PLAIN_NUMERAL.match(text)
    if match is None:
        return None
    return ROMAN.index(match.group(1).upper()) + 1, match.group(2) or ""


def check_chord(token: str, offset: int) -> bool:
    """Check one chord's spelling; returns True for a roman numeral, False for a symbol."""
    if token[0] in "ABCDEFG":
        match = _SYMBOL.match(token)
        if not match:
            raise SyntaxProblem(
                f"'{token}' is not a chord symbol",
                offset,
                hint="a root A-G, an optional # or b, a kind (m7, maj7, sus4, ...), "
                "an optional /bass",
            )
        if match.group("kind") not in CHORD_KINDS:
            kind = match.group("kind")
            hint = suggest(kind, CHORD_KINDS) or "known kinds: " + " ".join(
                sorted(k for k in CHORD_KINDS if k)
            )
            raise SyntaxProblem(f"unknown chord kind '{kind}' in '{token}'", offset, hint=hint)
        return False
    if not _ROMAN.match(token):
        raise SyntaxProblem(
            f"'{token}' is not a roman numeral or chord symbol",
            offset,
            hint="roman numerals like i7, IV7, bVII, V/V; chord symbols start with A-G",
        )
    return True


def parse_harmony(text: str) -> list[list[tuple[str, bool, int]]]:
    """Bars of (chord, is_roman, offset); '%' repeats the previous bar."""
    bars: list[list[tuple[str, bool, int]]] = [[]]
    for token, offset in tokens(text):
        if token == "|":
            bars.append([])
        elif token == "%":
            if len(bars) < 2 or bars[-1]:
                raise SyntaxProblem(
                    "'%' must stand alone in a bar after another bar",
                    offset,
                    hint="'%' repeats the previous bar: \"Dm7 | %\"",
                )
            bars[-1] = list(bars[-2])
        else:
            bars[-1].append((token, check_chord(token, offset), offset))
    if not bars[-1] and len(bars) > 1:
        bars.pop()
    for number, bar in enumerate(bars, start=1):
        if not bar:
            raise SyntaxProblem(
                f"bar {number} has no chord", hint="write a chord or '%' in every bar"
            )
    return bars


GRID_CHARS = {
    "drums": "xXo.",
    "bass": "12345678-.",
    "comp": "xX-.",
}
GRID_HINTS = {
    "drums": "x hit, X accent, o ghost, . rest",
    "bass": "chord members 1 3 5 7, 8 the root an octave up, 2 4 6 mode steps, - hold, . rest",
    "comp": "x strike, X accented strike, - hold, . silence",
}


def parse_grid(text: str, kind: str, steps: int) -> str:
    """A grid row with spaces removed; its length must be a whole number of bars."""
    allowed = GRID_CHARS[kind]
    row = ""
    for offset, char in enumerate(text):
        if char.isspace():
            continue
        if char not in allowed:
            raise SyntaxProblem(f"'{char}' is not a {kind} step", offset, hint=GRID_HINTS[kind])
        row += char
    if not row or len(row) % steps:
        raise SyntaxProblem(
            f"the row has {len(row)} steps; it needs {steps} per bar (or a multiple)",
            hint="count the steps or change 'steps'",
        )
    return row
