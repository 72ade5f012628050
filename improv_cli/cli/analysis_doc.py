"""The pictures of docs/analysis.md, from a recording nobody here wrote: music21's bundled
test file midi/testPrimitive/test09.mid (Prokofiev's Etude op. 2 no. 1, sequenced by Gabriel
Mihai Dragomir), its right hand as the "client" (channel 1) and its left hand as the
"therapist" (channel 2). Run from the repository root:

    python -m improv_cli.cli.analysis_doc docs/images

A test draws it again and compares the bytes, so the picture stays current.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

IMAGE = "analysis-session.png"


def real_world_midi() -> Path:
    """Where music21 keeps the file (found without importing music21)."""
    spec = importlib.util.find_spec("music21")
    assert spec is not None and spec.submodule_search_locations
    return Path(spec.submodule_search_locations[0]) / "midi" / "testPrimitive" / "test09.mid"


def image() -> bytes:
    from improv_cli.analysis import analyze
    from improv_cli.analysis.plot import session_png

    return session_png(analyze([str(real_world_midi())]).sessions[0])


def main(folder: str) -> None:
    (Path(folder) / IMAGE).write_bytes(image())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/images")
