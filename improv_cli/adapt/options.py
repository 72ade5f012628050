"""The options of `improv adapt` read and checked: bars, the melody part, expression spans."""

from __future__ import annotations

import re
from pathlib import Path

from improv_cli.errors import FrameworkError, OptionError
from improv_cli.model.framework import ExpressionSpan, Meter

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def bar_range(text: str | None) -> tuple[int, int] | None:
    """`1-8` or `5`: the song's bars as printed (a pickup is bar 0)."""
    if text is None:
        return None
    match = _RANGE.match(text)
    if not match or int(match.group(2) or match.group(1)) < int(match.group(1)):
        raise OptionError(f"--bars: '{text}' is not a range of bars", "e.g. --bars 1-8")
    return int(match.group(1)), int(match.group(2) or match.group(1))


def part_choice(text: str | None) -> str | int | None:
    """A part by number (1 = the first) or by name."""
    if text is None:
        return None
    return int(text) if text.strip().isdigit() else text


FOUR_FOUR = Meter(4, 4)


def expression_file(path: str, meter: Meter = FOUR_FOUR) -> tuple[ExpressionSpan, ...]:
    """Expression spans from a YAML file: a list of spans, or a mapping with `expression:`."""
    from improv_cli.model.checks import Checker
    from improv_cli.model.feel import read_expression
    from improv_cli.model.yamlsource import display_path, load_document

    file = Path(path)
    if not file.is_file():
        raise FrameworkError(
            f"{path}: no such file", hint="--expression takes a YAML file of spans"
        )
    doc = load_document(file, display_path(file))
    check = Checker(doc)
    data = doc.data
    if isinstance(data, dict):
        check.keys(data, (), ("expression",))
        return read_expression(check, data.get("expression"), ("expression",), meter)
    return read_expression(check, data, (), meter)
