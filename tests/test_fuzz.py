"""Seeded mutations of the bundled frameworks: bad input is always an ImprovError.

Every value in a library framework may be replaced by an odd one (a wrong type, an empty
string, a stray bar line, NaN ...). Loading and realising must then either work or raise
`ImprovError` (one line for the user), never another exception (a traceback).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import yaml

from improv_cli.engine.realise import realise
from improv_cli.errors import ImprovError
from improv_cli.model import library
from improv_cli.model.framework import Length
from improv_cli.model.loader import build_framework
from improv_cli.model.yamlsource import parse_document

ODD_VALUES: list[Any] = [
    None, 0, -1, 2.5, 1e9, "", " ", "x", "|", "%", "1:q", "r", "-", "->", "p -> ", "0/4",
    "1-0", "99", "bVIIø42/V", "C/", "x.x.", [], [1], {}, {"a": 1}, True, "D nothing",
    "i7 |  | IV", "1 2 3 | ", "1'''''''':s", float("nan"), float("inf"), "b99,,,,,", "X" * 64,
]  # fmt: skip


def key_paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from key_paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from key_paths(value, (*prefix, index))


def mutated(data: Any, rng: random.Random) -> Any:
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(list(key_paths(data)))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
    return data


@pytest.mark.parametrize("seed", range(6))
def test_odd_values_give_an_improv_error_or_music(seed):
    rng = random.Random(seed)
    names = library.framework_names()
    for _ in range(60):
        path = library.framework_path(rng.choice(names))
        assert path is not None
        data = mutated(yaml.safe_load(path.read_text(encoding="utf-8")), rng)
        text = yaml.safe_dump(data, allow_unicode=True)
        try:
            framework = build_framework(parse_document(text, "fuzz.yaml"), "fuzz")
            realise(replace(framework, length=Length(bars=min(framework.form_bars * 2, 48))))
        except ImprovError as error:
            assert "\n" not in error.line()
