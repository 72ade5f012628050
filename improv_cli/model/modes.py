"""Mode lookup: the named modes of `tables.MODES` and any scale of music21's Scala archive.

`scala:<name>` names a file of the Scala archive that music21 ships (about 3,900 scales).
The file is read here directly (the .scl format is plain text), so validating a framework
still never imports music21. Scala scales are often microtonal: each step is rounded to the
nearest semitone and folded into one octave, a 12-tone approximation that docs/format.md
states plainly.
"""

from __future__ import annotations

import difflib
import importlib.util
import math
from functools import lru_cache
from pathlib import Path

from improv_cli.model.syntax import SyntaxProblem
from improv_cli.model.tables import MODES, ModeInfo

SCALA = "scala:"


def mode_info(name: str) -> ModeInfo:
    """The mode or scale called `name`; raises SyntaxProblem for an unknown one."""
    found = MODES.get(name)
    if found is not None:
        return found
    if name.startswith(SCALA):
        return scala_mode(name[len(SCALA) :])
    raise SyntaxProblem(f"unknown mode '{name}'")


def parent_intervals(name: str) -> tuple[int, ...]:
    """The intervals of the heptatonic church mode behind a mode or scale."""
    return MODES[mode_info(name).parent].intervals


def scala_folder() -> Path | None:
    """music21's bundled Scala archive, found without importing music21."""
    spec = importlib.util.find_spec("music21")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "scale" / "scala" / "scl"
    return folder if folder.is_dir() else None


@lru_cache(maxsize=1)
def scala_names() -> dict[str, str]:
    """Scala scale names (file names without .scl), keyed by their lower-case form."""
    folder = scala_folder()
    if folder is None:
        return {}
    return {path.stem.lower(): path.stem for path in folder.glob("*.scl")}


@lru_cache(maxsize=256)
def scala_mode(name: str) -> ModeInfo:
    names = scala_names()
    stem = names.get(name.lower())
    folder = scala_folder()
    if stem is None or folder is None:
        close = difflib.get_close_matches(name.lower(), list(names), n=3, cutoff=0.6)
        hint = (
            "did you mean " + ", ".join(f"'scala:{names[c]}'" for c in close) + "?"
            if close
            else "a file name of music21's Scala archive, e.g. scala:bug-pelog"
        )
        raise SyntaxProblem(f"no Scala scale named '{name}'", hint=hint)
    text = (folder / f"{stem}.scl").read_text(encoding="latin-1")
    description, cents = _parse_scl(text, stem)
    intervals = tuple(sorted({round(c / 100) % 12 for c in cents} | {0}))
    if len(intervals) < 2:
        raise SyntaxProblem(
            f"Scala scale '{name}' has fewer than two notes in 12-tone equal temperament",
            hint="choose a scale whose steps are at least a semitone apart",
        )
    minor = 3 in intervals and 4 not in intervals
    return ModeInfo(
        intervals,
        "minor" if minor else "major",
        description,
        f"Scala archive in music21 ({stem}.scl), rounded to the nearest semitone",
    )


def _parse_scl(text: str, stem: str) -> tuple[str, list[float]]:
    """The description and the pitches in cents of a Scala .scl file."""
    lines = [line.strip() for line in text.splitlines() if not line.startswith("!")]
    if len(lines) < 2:
        raise SyntaxProblem(f"Scala file '{stem}.scl' is not readable")
    description = lines[0] or stem
    cents = []
    for line in lines[2:]:
        word = line.split()[0] if line.split() else ""
        if not word:
            continue
        try:
            if "." in word:
                cents.append(float(word))
            else:
                top, _, bottom = word.partition("/")
                cents.append(1200 * math.log2(int(top) / int(bottom or 1)))
        except (ValueError, ZeroDivisionError):
            raise SyntaxProblem(f"Scala file '{stem}.scl' has an unreadable pitch") from None
    return description, cents
