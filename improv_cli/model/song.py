"""`song:` in a framework file: the pre-composed song it plays (see docs/adapt.md)."""

from __future__ import annotations

import re
from typing import Any

from improv_cli.model.checks import Checker
from improv_cli.model.framework import SongSpec
from improv_cli.model.syntax import SyntaxProblem, parse_key
from improv_cli.model.yamlsource import KeyPath

SONG_KEYS = ("source", "melody_part", "bars", "mode")
_BARS = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def read_song_spec(check: Checker, value: Any, path: KeyPath) -> SongSpec | None:
    """`song: corpus:NAME` or `song: {source, melody_part, bars, mode}`."""
    if value is None:
        return None
    check.typed(value, path, str, dict)
    if isinstance(value, str):
        return SongSpec(_source(check, value, path))
    check.keys(value, path, SONG_KEYS)
    if "source" not in value:
        check.fail(path, "a song needs its 'source'", "e.g. {source: corpus:bach/bwv66.6}")
    part = value.get("melody_part")
    if part is not None:
        check.typed(part, (*path, "melody_part"), str, int)
        if isinstance(part, int) and part < 1:
            check.fail((*path, "melody_part"), f"part {part}", "parts count from 1")
    return SongSpec(
        _source(check, value["source"], (*path, "source")),
        part,
        _bars(check, value.get("bars"), (*path, "bars")),
        _mode(check, value.get("mode"), (*path, "mode")),
    )


def _source(check: Checker, value: Any, path: KeyPath) -> str:
    text = str(check.typed(value, path, str)).strip()
    if not text:
        check.fail(path, "the song's source is empty", "a file path or corpus:NAME")
    return text


def _bars(check: Checker, value: Any, path: KeyPath) -> tuple[int, int] | None:
    if value is None:
        return None
    text = str(check.typed(value, path, str, int))
    match = _BARS.match(text)
    first, last = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, -1)
    if last < first:
        check.fail(path, f"'{text}' is not a range of the song's bars", "e.g. 1-8 (a pickup is 0)")
    return first, last


def _mode(check: Checker, value: Any, path: KeyPath) -> str | None:
    if value is None:
        return None
    text = str(check.typed(value, path, str)).strip()
    try:
        parse_key(f"C {text}")
    except SyntaxProblem as problem:
        check.fail(path, problem.message.replace("C ", "", 1), problem.hint or "")
    return text
