"""The commands as a script author uses them: exit codes, stdout, JSON, default paths."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import mido

from tests.conftest import ROOT, run_cli

STDOUT_ARGS = ("--bars", "4", "-o", "-", "-q")


def test_render_to_standard_output_writes_only_midi():
    result = subprocess.run(
        [sys.executable, "-m", "improv_cli", "render", "holding/dorian-vamp", *STDOUT_ARGS],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == b""
    midi = mido.MidiFile(file=io.BytesIO(result.stdout))
    assert [t.name for t in midi.tracks[1:]] == ["drums", "bass", "comp", "melody"]
    assert sum(msg.time for msg in midi.tracks[1]) == 4 * 1920


def test_default_output_is_named_after_the_framework(tmp_path):
    result = run_cli("render", "grounding/tonic-drone", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tonic-drone.mid").is_file()
    assert "wrote tonic-drone.mid: 16 bars" in result.stderr


def test_render_json_summary(tmp_path):
    out = tmp_path / "v.mid"
    result = run_cli("render", "holding/dorian-vamp", "-o", str(out), "--minutes", "5", "--json")
    info = json.loads(result.stdout)
    assert info["bars"] == 84 and info["format"] == "midi" and info["output"] == str(out)
    assert info["parts"] == ["drums", "bass", "comp", "melody"]
    assert 300 <= info["seconds"] < 300 + 4 * 4 * 60 / 66


def test_list_json_and_filters():
    every = json.loads(run_cli("list", "--json").stdout)
    names = {e["name"] for e in every}
    assert "holding/dorian-vamp" in names
    holding = json.loads(run_cli("list", "--technique", "holding", "--json").stdout)
    assert holding and all(e["technique"] == "holding" for e in holding)
    dorian = json.loads(run_cli("list", "--mode", "dorian", "--json").stdout)
    assert dorian and all(e["key"].endswith(" dorian") for e in dorian)
    vamp = next(e for e in every if e["name"] == "holding/dorian-vamp")
    assert vamp == {
        "name": "holding/dorian-vamp",
        "title": "Dorian holding vamp",
        "technique": "holding",
        "key": "D dorian",
        "meter": "4/4",
        "tempo": 66,
        "groove": "ballad",
    }


def test_show_json_has_scale_chords_groove_and_length():
    info = json.loads(run_cli("show", "holding/dorian-vamp", "--minutes", "5", "--json").stdout)
    assert info["scale"] == ["D", "E", "F", "G", "A", "B", "C"]
    assert [[c["symbol"] for c in bar["chords"]] for bar in info["chords"]] == [
        ["Dm7"],
        ["Dm7"],
        ["G7"],
        ["G7"],
    ]
    assert info["chords"][0]["chords"][0]["notes"] == ["D", "F", "A", "C"]
    assert info["grooves"]["ballad"]["rows"]["kick"] == "x....x.."
    assert info["length"]["bars"] == 84


def test_show_for_people_names_scale_and_length():
    result = run_cli("show", "holding/dorian-vamp")
    assert result.returncode == 0
    assert "D E F G A B C" in result.stdout and "length 4 bars" in result.stdout


def test_validate_prints_ok_per_file_and_exits_zero():
    result = run_cli(
        "validate", "frameworks/holding/dorian-vamp.yaml", "grounding/tonic-drone", cwd=ROOT
    )
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.splitlines() == [
        "frameworks/holding/dorian-vamp.yaml: ok",
        "grounding/tonic-drone: ok",
    ]


def test_validate_json():
    info = json.loads(run_cli("validate", "holding/dorian-vamp", "--json").stdout)
    assert info == [{"file": "holding/dorian-vamp", "valid": True}]


def test_version_and_usage_errors():
    assert run_cli("--version").stdout.startswith("improv ")
    assert run_cli("render").returncode == 2  # a missing argument is a usage error
    assert run_cli("render", "holding/dorian-vamp", "--format", "mp3").returncode == 2


def test_list_for_people_has_one_line_per_framework():
    result = run_cli("list")
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["name", "key", "meter", "bpm"]
    assert all(line.strip() for line in lines)
    assert len(lines) == 1 + len(json.loads(run_cli("list", "--json").stdout))


def test_output_files_get_ordinary_permissions(tmp_path):
    out = tmp_path / "v.mid"
    assert run_cli("render", "grounding/tonic-drone", "-o", str(out), "-q").returncode == 0
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()
    out.chmod(0o640)
    assert run_cli("render", "grounding/tonic-drone", "-o", str(out), "-q").returncode == 0
    assert out.stat().st_mode & 0o777 == 0o640  # replacing a file keeps its mode
    assert [p.name for p in tmp_path.iterdir()] == ["v.mid"]  # no temporary file left


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
