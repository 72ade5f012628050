"""Bad input gets one clear line: file:line:col: key: message (hint: ...), exit 1, no output.

Every file in tests/data/invalid/ has exactly one problem. EXPECTED says where the CLI must
point (line, column, key path) and what the message must say, and how to fix the file; the
fixed files must all validate, which shows each file holds one problem and only one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

INVALID = Path("tests") / "data" / "invalid"  # relative to ROOT, as a user would type it
VALID_LIBRARY_FILE = Path("frameworks") / "holding" / "dorian-vamp.yaml"
LIBRARY_NAME = "holding/dorian-vamp"


@dataclass(frozen=True)
class Case:
    line: int
    col: int
    key: str | None  # the key path; None where none applies (the message then follows)
    message: str  # a substring of the message
    fix: tuple[str, str]  # replacing fix[0] by fix[1] makes the file valid
    xfail: str | None = None  # why the CLI does not meet the rule yet


EXPECTED: dict[str, Case] = {
    "bad-length.yaml": Case(
        3, 9, "length", "either bars or minutes", ("{bars: 32, minutes: 10}", "{minutes: 10}")
    ),
    "bad-meter.yaml": Case(4, 8, "meter", "'3-4' is not a meter", ("3-4", "3/4")),
    "duplicate-key.yaml": Case(
        5, 1, "tempo", "duplicate key 'tempo'", ("key: D dorian\ntempo: 56", "key: D dorian")
    ),
    "expression-bad-span.yaml": Case(
        5, 12, "expression[0].bars", "'4-1' is not a bar span", ("4-1", "1-4")
    ),
    "expression-unknown-dynamic.yaml": Case(
        5, 27, "expression[0].dynamics", "unknown dynamic 'soft'", ("soft", "p")
    ),
    # The column is where 'loud' stands, not where the ramp starts (col 28).
    "expression-unknown-dynamic-in-ramp.yaml": Case(
        5, 33, "expression[0].dynamics", "unknown dynamic 'loud'", ("loud", "f")
    ),
    "extends-cycle-a.yaml": Case(
        2,
        10,
        "extends",
        "extends forms a cycle",
        ("extends: extends-cycle-b\n", ""),
    ),
    "extends-cycle-b.yaml": Case(
        2,
        10,
        "extends",
        "extends forms a cycle",
        ("extends: extends-cycle-a.yaml\n", ""),
    ),
    "extends-missing.yaml": Case(
        2, 10, "extends", "cannot find 'holding/dorian-vamps'", ("dorian-vamps", "dorian-vamp")
    ),
    # The column is where 'B' stands, not where the form starts (col 8).
    "form-unknown-section.yaml": Case(
        7, 12, "form", "unknown section 'B'", ('"A A B A"', '"A A C A"')
    ),
    "groove-bad-step-char.yaml": Case(
        7, 21, "groove.drums.closed-hihat", "'-' is not a drums step", ("x-x- x-x-", "x.x. x.x.")
    ),
    "groove-row-wrong-length.yaml": Case(
        7, 13, "groove.drums.snare", "the row has 7 steps", ('"..x. ..x"', '"..x. ..x."')
    ),
    "harmony-bad-numeral.yaml": Case(
        5, 15, "harmony", "'IIV' is not a roman numeral", ("IIV", "IV")
    ),
    "harmony-percent-first.yaml": Case(
        3, 11, "harmony", "'%' must stand alone in a bar after another bar", ('"% |', '"I |')
    ),
    "harmony-unknown-chord-kind.yaml": Case(
        4, 17, "harmony", "unknown chord kind 'dom7'", ("Gdom7", "G7")
    ),
    "melody-bad-degree.yaml": Case(
        4, 16, "melody", "'three' is not a scale degree", ("three", "3")
    ),
    "melody-bad-duration.yaml": Case(5, 26, "melody", "'x' is not a duration", ("2:x", "2:q")),
    "melody-bar-too-short.yaml": Case(
        6, 6, "melody[1]", "bar 1 lasts 3 quarter notes", ('"5 4 3 |', '"5 4 3 2 |')
    ),
    "missing-title.yaml": Case(
        1,
        1,
        "title",
        "missing required key 'title'",
        ("technique: holding", "title: Holding vamp\ntechnique: holding"),
    ),
    "not-a-mapping.yaml": Case(1, 1, None, "a framework must be a mapping", ("- ", "")),
    "section-bad-chord.yaml": Case(
        8, 30, "sections.B.harmony", "'Hm' is not a roman numeral", ("Hm", "i")
    ),
    "section-unknown-key.yaml": Case(
        7, 5, "sections.A.repeats", "unknown key 'repeats'", ("repeats:", "repeat:")
    ),
    "seed-negative.yaml": Case(3, 7, "seed", "-1 is out of range", ("-1", "1")),
    "tempo-not-a-number.yaml": Case(4, 8, "tempo", "expected a number", ("66 bpm", "66")),
    "tempo-out-of-range.yaml": Case(4, 8, "tempo", "660 is out of range", ("660", "66")),
    "unknown-drum.yaml": Case(6, 5, "groove.drums.kik", "unknown drum 'kik'", ("kik:", "kick:")),
    "unknown-instrument.yaml": Case(
        4,
        22,
        "parts.comp.instrument",
        "unknown General MIDI instrument 'electric-piano'",
        ("electric-piano}", "electric-piano-1}"),
    ),
    "unknown-key-typo.yaml": Case(4, 1, "grove", "unknown key 'grove'", ("grove:", "groove:")),
    "unknown-library-groove.yaml": Case(
        3, 9, "groove", "unknown groove 'balad'", ("balad", "ballad")
    ),
    "unknown-mode.yaml": Case(3, 8, "key", "unknown mode 'dorain'", ("dorain", "dorian")),
    "unknown-technique.yaml": Case(
        2, 12, "technique", "unknown technique 'mirorring'", ("mirorring", "mirroring")
    ),
    # YAML 1.1 would read `no` as false; the loader speaks 1.2, so it is the text 'no'.
    "yaml-1.1-boolean-swing-no.yaml": Case(
        4, 10, "groove.swing", "expected a number, got 'no'", ("swing: no", "swing: 0")
    ),
    # YAML 1.1 would read 3:4 as the base-60 number 184; under 1.2 it is the text '3:4'.
    "yaml-1.1-sexagesimal-meter.yaml": Case(3, 8, "meter", "'3:4' is not a meter", ("3:4", "3/4")),
    "yaml-syntax-error.yaml": Case(
        3, 8, None, "YAML syntax: mapping values are not allowed here", ("  tempo", "tempo")
    ),
    "expression-accent-beat-out-of-range.yaml": Case(
        5, 29, "expression[0].accent[1]", "5 is out of range", ("[1, 5]", "[1, 3]")
    ),
    "expression-fermata-beat-out-of-range.yaml": Case(
        5, 32, "expression[0].beat", "7 is out of range", ("beat: 7", "beat: 4")
    ),
    "expression-rubato-too-deep.yaml": Case(
        5, 25, "expression[0].rubato", "0.8 is out of range", ("0.8", "0.08")
    ),
    "expression-unknown-curve.yaml": Case(
        5, 43, "expression[0].curve", "unknown curve 'finale'", ("finale", "final")
    ),
    "expression-bad-accent-grouping.yaml": Case(
        5, 26, "expression[0].accent", "'3+3+x' is not an accent grouping", ("3+3+x", "3+3+2")
    ),
    "safety-unknown-preset.yaml": Case(
        4, 9, "safety", "unknown safety preset 'gentel'", ("gentel", "gentle")
    ),
    "safety-tempo-range-backwards.yaml": Case(
        6, 10, "safety.tempo", "'80-50' is not a tempo range", ("80-50", "50-80")
    ),
    "vary-unknown-transformation.yaml": Case(
        6, 15, "vary[0].invert", "unknown key 'invert'", ("invert:", "inversion:")
    ),
    "vary-mode-of-another-size.yaml": Case(
        5, 21, "vary[0].mode", "major-pentatonic has 5 notes", ("major-pentatonic", "lydian")
    ),
    "humanise-timing-out-of-range.yaml": Case(
        4, 11, "humanise.timing", "200 is out of range", ("200", "12")
    ),
    "section-tempo-not-a-number.yaml": Case(
        5, 14, "sections.B.tempo", "expected a number, got 'fast'", ("fast", "80")
    ),
    "parts-swing-out-of-range.yaml": Case(
        4, 17, "parts.bass.swing", "0.9 is out of range", ("0.9", "0.2")
    ),
}

FILES = sorted(p.name for p in (ROOT / INVALID).glob("*.yaml"))


def cases(*, strict_marks: bool = True) -> list:
    """One pytest param per file; cases the CLI does not meet yet are strict xfails."""
    params = []
    for name in FILES:
        case = EXPECTED.get(name)
        marks = []
        if strict_marks and case is not None and case.xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
        params.append(pytest.param(name, marks=marks, id=name.removesuffix(".yaml")))
    return params


def shown(name: str) -> str:
    return (INVALID / name).as_posix()


def prefix(name: str) -> str:
    """What the line must start with: file:line:col: and the key path where one applies."""
    case = EXPECTED[name]
    where = f"{shown(name)}:{case.line}:{case.col}: "
    return where + (f"{case.key}: " if case.key else "")


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert lines[0].strip(), "the error line is empty"
    return lines[0]


def check_line(line: str, name: str) -> None:
    """`line` (without any 'error: ') is `file:line:col: key: message (hint: ...)`."""
    case = EXPECTED[name]
    assert "Traceback" not in line
    assert line.startswith(prefix(name)), f"expected {prefix(name)!r} at the start of {line!r}"
    rest = line.removeprefix(prefix(name))
    if case.key is None:
        assert rest.startswith(case.message), f"{rest!r} should start with {case.message!r}"
    assert case.message in rest, f"{case.message!r} not in {line!r}"
    assert " (hint: " in rest and rest.endswith(")"), f"no hint in {line!r}"
    hint = rest.split(" (hint: ", 1)[1].removesuffix(")")
    assert hint.strip(), f"empty hint in {line!r}"


def test_the_table_covers_every_file_and_nothing_else():
    assert len(FILES) >= 20
    assert set(EXPECTED) == set(FILES)


@pytest.mark.parametrize("name", cases(strict_marks=False))
def test_the_file_has_the_problem_the_table_names(name):
    """The fix's text is in the file, so the fix below really touches the problem."""
    text = (ROOT / INVALID / name).read_text(encoding="utf-8")
    old, new = EXPECTED[name].fix
    assert old in text
    assert text.replace(old, new) != text


def test_each_file_holds_one_problem_only(tmp_path):
    """With its one problem fixed, every file validates."""
    fixed = []
    for name in FILES:
        old, new = EXPECTED[name].fix
        text = (ROOT / INVALID / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(old, new), encoding="utf-8")
        fixed.append(name)
    result = run_cli("validate", *fixed, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{name}: ok" for name in fixed]


@pytest.mark.parametrize("name", cases())
def test_validate_names_file_line_column_key_and_hint(name):
    result = run_cli("validate", shown(name), cwd=ROOT)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stdout == ""
    check_line(one_line(result.stderr), name)


@pytest.mark.parametrize("name", cases(strict_marks=False))
def test_render_fails_without_leaving_a_file(name, tmp_path):
    out = tmp_path / "out.mid"
    result = run_cli("render", shown(name), "-o", str(out), cwd=ROOT)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stdout == ""
    assert one_line(result.stderr).startswith("error: ")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "a temporary file was left behind"


@pytest.mark.parametrize("name", cases())
def test_render_error_names_file_line_column_key_and_hint(name, tmp_path):
    result = run_cli("render", shown(name), "-o", str(tmp_path / "out.mid"), cwd=ROOT)
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert line.startswith("error: ")
    check_line(line.removeprefix("error: "), name)


@pytest.mark.parametrize("name", ["extends-cycle-a.yaml", "extends-cycle-b.yaml"])
def test_extends_cycle_is_reported_from_either_file(name):
    result = run_cli("validate", shown(name), cwd=ROOT)
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert "extends forms a cycle" in line
    assert "extends-cycle-a.yaml" in line and "extends-cycle-b.yaml" in line
    assert "hint:" in line


FAILING_RENDERS = {
    "bad-framework": [shown("unknown-mode.yaml")],
    "bad-option": [LIBRARY_NAME, "--tempo", "1000"],
}


@pytest.mark.parametrize("args", FAILING_RENDERS.values(), ids=FAILING_RENDERS.keys())
def test_a_failing_render_leaves_an_existing_output_untouched(args, tmp_path):
    out = tmp_path / "out.mid"
    before = b"MThd\x00\x00\x00\x06 the therapist's earlier render"
    out.write_bytes(before)
    result = run_cli("render", *args, "-o", str(out), cwd=ROOT)
    assert result.returncode == 1
    assert one_line(result.stderr).startswith("error: ")
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.mid"]


def render_error(*args: str, out: Path) -> str:
    """Render the valid library framework with `args`; it must fail with one line, no file."""
    result = run_cli("render", *args, "-o", str(out), cwd=ROOT)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith("error: ")
    assert "hint:" in line
    assert not out.exists()
    return line


def test_bad_key_option(tmp_path):
    line = render_error(LIBRARY_NAME, "--key", "H dorian", out=tmp_path / "out.mid")
    assert "--key" in line
    assert "'H'" in line


def test_tempo_option_out_of_range(tmp_path):
    line = render_error(LIBRARY_NAME, "--tempo", "1000", out=tmp_path / "out.mid")
    assert "--tempo" in line
    assert "1000" in line


def test_bars_and_minutes_together(tmp_path):
    line = render_error(LIBRARY_NAME, "--bars", "4", "--minutes", "2", out=tmp_path / "out.mid")
    assert "--bars" in line and "--minutes" in line


def test_output_in_a_missing_folder(tmp_path):
    out = tmp_path / "no-such-folder" / "out.mid"
    line = render_error(LIBRARY_NAME, out=out)
    assert str(out) in line
    assert not out.parent.exists(), "the missing folder was created"


def test_unknown_framework_name_suggests_the_close_one(tmp_path):
    line = render_error("holding/doran-vamp", out=tmp_path / "out.mid")
    assert "holding/doran-vamp" in line
    assert "did you mean 'holding/dorian-vamp'" in line


def test_validate_one_valid_and_one_invalid_file():
    bad = shown("unknown-mode.yaml")
    result = run_cli("validate", VALID_LIBRARY_FILE.as_posix(), bad, cwd=ROOT)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{VALID_LIBRARY_FILE.as_posix()}: ok"]
    check_line(one_line(result.stderr), "unknown-mode.yaml")
