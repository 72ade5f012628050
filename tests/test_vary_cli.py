"""`improv vary` and the variation and safety options of `improv render`, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from improv_cli.model.loader import load_framework
from tests.conftest import run_cli
from tests.midi_facts import by_name, decode

BAR = 1920
PLANNED = """\
title: Planned growth
key: D dorian
tempo: 70
groove: ballad
harmony: "i7 | i7 | IV7 | IV7"
melody: "5 4 3 1 | 2:h 1 | 3:q 2 1 r | r:w"
vary:
  - {pass: 2, inversion: true}
  - {pass: 3, mute: [bass]}
"""


def dorian(tonic: int = 2) -> set[int]:
    return {(tonic + i) % 12 for i in (0, 2, 3, 5, 7, 9, 10)}


def test_vary_writes_n_seeded_files_and_names_what_changed(tmp_path):
    out = tmp_path / "vars"
    result = run_cli(
        "vary", "holding/dorian-vamp", "-n", "5", "-o", str(out), "--bars", "16", "--json"
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    files = sorted(out.glob("*.mid"))
    assert [f.name for f in files] == [f"dorian-vamp-{k}.mid" for k in range(1, 6)]
    assert [v["seed"] for v in info["variants"]] == [1, 2, 3, 4, 5]  # the file's seed is 0
    assert info["variation"] == 0.5  # the framework asks for none: the default amount
    contents = {f.read_bytes() for f in files}
    assert len(contents) == 5, "every seed gives other music"
    known = {
        "groove changes",
        "voicing",
        "substitution",
        "drum fill",
        "melodic fill",
        "ornament",
        "ornament notes",
        "density",
        "sequence",
        "inversion",
        "retrograde",
        "register",
    }
    for variant in info["variants"]:
        kinds = {c["kind"] for c in variant["changes"]}
        assert kinds, f"{variant['output']} names no transformation"
        assert kinds <= known
        tracks = by_name(decode(Path(variant["output"])))
        assert all(t.end == 16 * BAR and t.hanging == 0 for t in tracks.values())
        pitches = {n.pitch % 12 for t in ("bass", "comp", "melody") for n in tracks[t].notes}
        assert pitches <= dorian(), "random variation stays in D dorian"


def test_vary_table_lists_each_file_with_its_transformations(tmp_path):
    framework = tmp_path / "planned.yaml"
    framework.write_text(PLANNED, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("vary", str(framework), "-n", "2", "-o", str(out), "--bars", "12")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("planned-")]
    assert [r.split()[0] for r in rows] == ["planned-1.mid", "planned-2.mid"]
    text = " ".join(result.stdout.split())  # the table wraps at the terminal's width
    assert text.count("inversion (pass 2)") == 2
    assert text.count("mute (pass 3)") == 2
    assert "wrote 2 variations" in result.stderr


def test_the_same_seed_reproduces_a_variation_with_render(tmp_path):
    out = tmp_path / "vars"
    result = run_cli("vary", "holding/dorian-vamp", "-n", "3", "-o", str(out), "--seed", "10")
    assert result.returncode == 0, result.stderr
    again = tmp_path / "again.mid"
    result = run_cli(
        "render", "holding/dorian-vamp", "-o", str(again), "--seed", "12", "--variation", "0.5"
    )
    assert result.returncode == 0, result.stderr
    assert again.read_bytes() == (out / "dorian-vamp-2.mid").read_bytes()


def test_vary_refuses_bad_options_and_writes_nothing(tmp_path):
    out = tmp_path / "vars"
    for args, message in (
        (("-n", "0"), "--count: 0 is out of range"),
        (("--amount", "2"), "--amount: 2 is out of range"),
        (("--ceiling", "loud"), "--ceiling: 'loud' is not a level"),
        (("--tempo-range", "90-60"), "--tempo-range:"),
        (("-o", "-"), "vary writes files into a folder"),
    ):
        result = run_cli("vary", "holding/dorian-vamp", "-o", str(out), *args)
        assert result.returncode == 1, args
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and message in lines[0] and "(hint: " in lines[0], lines
        assert not out.exists()
    a_file = tmp_path / "taken"
    a_file.write_text("mine", encoding="utf-8")
    result = run_cli("vary", "holding/dorian-vamp", "-o", str(a_file))
    assert result.returncode == 1 and "is a file, not a folder" in result.stderr
    assert a_file.read_text(encoding="utf-8") == "mine"


def test_render_safe_caps_every_velocity_and_the_tempo(tmp_path):
    out = tmp_path / "safe.mid"
    result = run_cli(
        "render",
        "holding/dorian-vamp",
        "-o",
        str(out),
        "--bars",
        "16",
        "--variation",
        "0.9",
        "--safe",
        "--ceiling",
        "70",
        "--tempo-range",
        "50-60",
    )
    assert result.returncode == 0, result.stderr
    tracks = decode(out)
    velocities = [n.velocity for t in tracks for n in t.notes]
    assert velocities and max(velocities) <= 70
    tempos = [60e6 / m.tempo for _, m in tracks[0].meta if m.type == "set_tempo"]
    assert tempos and all(50 <= t <= 60.001 for t in tempos)  # the vamp is written at 66


def test_render_variation_option_replaces_the_files_amount(tmp_path, cli):
    strict, varied = tmp_path / "strict.mid", tmp_path / "varied.mid"
    assert load_framework("holding/dorian-vamp").variation == 0
    assert cli("render", "holding/dorian-vamp", "-o", str(strict), "--seed", "4").returncode == 0
    args = ("render", "holding/dorian-vamp", "-o", str(varied), "--seed", "4")
    assert cli(*args, "--variation", "0.7").returncode == 0
    assert strict.read_bytes() != varied.read_bytes()
    bad = cli(*args, "--variation", "1.5")
    assert bad.returncode == 1 and "--variation: 1.5 is out of range" in bad.stderr


def test_a_key_override_must_fit_the_plans_modal_shift(tmp_path, cli):
    framework = tmp_path / "shift.yaml"
    framework.write_text(
        'title: Shift\nkey: D dorian\nharmony: "i7 | IV7"\nvary:\n  - {pass: 2, mode: lydian}\n',
        encoding="utf-8",
    )
    out = tmp_path / "shift.mid"
    bad = cli("render", str(framework), "--key", "D major-pentatonic", "-o", str(out))
    assert bad.returncode == 1 and not out.exists()
    assert bad.stderr.startswith("error: --key: the vary plan shifts to lydian")
    good = cli("render", str(framework), "--key", "E aeolian", "-o", str(out), "--bars", "4")
    assert good.returncode == 0, good.stderr
    keys = [m.key for t, m in decode(out)[0].meta if m.type == "key_signature"]
    assert keys == ["Em", "B"]  # E aeolian, then E lydian (five sharps, as B major) in pass 2
