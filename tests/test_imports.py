"""`improv --help`, `validate` and `list` must start fast: they never import music21."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PROBE = """
import sys
from improv_cli.cli import app
try:
    app(sys.argv[1:], prog_name="improv")
except SystemExit as exit:
    code = exit.code
loaded = sorted(m for m in sys.modules if m == "music21" or m.startswith("music21."))
print("MUSIC21" if loaded else "CLEAN", code, file=sys.stderr)
"""


def probe(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("render", "--help"),
        ("analyze", "--help"),
        ("adapt", "--help"),
        ("journey", "--help"),
        ("session", "--help"),
        ("validate", "frameworks/holding/dorian-vamp.yaml"),
        ("validate", "holding/dorian-vamp", "grounding/tonic-drone"),
        ("validate", "tests/data/does-not-exist.yaml"),
        ("list",),
    ],
    ids=lambda a: " ".join(a),
)
def test_fast_commands_do_not_import_music21(args):
    assert probe(*args).startswith("CLEAN"), args


def test_render_does_import_music21_so_the_probe_can_tell(tmp_path):
    line = probe("render", "holding/dorian-vamp", "--bars", "1", "-o", str(tmp_path / "x.mid"))
    assert line == "MUSIC21 0"


def test_only_the_engine_imports_music21():
    offenders = []
    for path in (ROOT / "improv_cli").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            if any(m.split(".")[0] == "music21" for m in modules):
                offenders.append(path.relative_to(ROOT).as_posix())
    renderer = ("improv_cli/render/score.py", "improv_cli/render/musicxml.py")  # notation
    allowed = [p for p in offenders if p.startswith("improv_cli/engine/") or p in renderer]
    assert offenders and allowed == offenders, offenders
