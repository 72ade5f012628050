"""`improv respond` end to end: every technique answers a messy real-world recording with a
two-channel file (client on channel 1, therapist on channel 2) that makes musical sense."""

from __future__ import annotations

import json

import pytest

from improv_cli.respond import techniques
from tests.midi_facts import by_name, decode
from tests.test_respond_client import messy

D_DORIAN = {2, 4, 5, 7, 9, 11, 0}
KEEPS_CLIENT_PITCHES = {"copy", "exaggerate"}  # they answer with the client's own notes


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    path = tmp_path_factory.mktemp("client") / "session.mid"
    messy(path)
    return path


@pytest.mark.parametrize("technique", list(techniques()))
def test_every_technique_answers_a_messy_recording(technique, recording, tmp_path, cli):
    out = tmp_path / "answer.mid"
    result = cli(
        "respond", str(recording), "-F", "holding/dorian-vamp", "-t", technique,
        "-o", str(out), "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["technique"] == technique and info["therapist_notes"] > 0
    tracks = by_name(decode(out))
    client, therapist = tracks["client"], tracks["therapist"]
    assert {n.channel for n in client.notes} == {0}
    assert {n.channel for n in therapist.notes} == {1}
    assert len(client.notes) == info["client_notes"]
    for track in (client, therapist):
        assert track.hanging == 0 and track.unmatched_offs == 0
    if technique not in KEEPS_CLIENT_PITCHES:
        assert {n.pitch % 12 for n in therapist.notes} <= D_DORIAN, technique
    client_end = max(n.end for n in client.notes)
    assert max(n.end for n in therapist.notes) <= client_end + 8 * 480 * 4  # a few bars at most


def test_alone_writes_only_the_therapist(recording, tmp_path, cli):
    out = tmp_path / "alone.mid"
    result = cli("respond", str(recording), "-F", "holding/dorian-vamp", "-t", "ground",
                 "--alone", "-o", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [t.name for t in decode(out)[1:]] == ["therapist"]


def test_an_unknown_technique_names_the_techniques(recording, tmp_path, cli):
    result = cli("respond", str(recording), "-F", "holding/dorian-vamp", "-t", "hug", cwd=tmp_path)
    assert result.returncode == 1
    assert "unknown technique 'hug'" in result.stderr and "ground" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_same_seed_gives_the_same_answer(recording, tmp_path, cli):
    for name in ("one", "two"):
        args = ("respond", str(recording), "-F", "holding/dorian-vamp", "-t", "dialogue")
        assert cli(*args, "--seed", "3", "-o", str(tmp_path / f"{name}.mid")).returncode == 0
    assert (tmp_path / "one.mid").read_bytes() == (tmp_path / "two.mid").read_bytes()


def _answer(cli, recording, tmp_path, technique, *params, name="a.mid"):
    out = tmp_path / name
    args = [a for p in params for a in ("--param", p)]
    result = cli("respond", str(recording), "-F", "holding/dorian-vamp", "-t", technique,
                 "--alone", "-o", str(out), *args)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return sorted(by_name(decode(out))["therapist"].notes, key=lambda n: (n.start, n.pitch))


def test_mirror_octave_moves_the_answer_an_octave_and_nothing_else(recording, tmp_path, cli):
    plain = _answer(cli, recording, tmp_path, "mirror", name="plain.mid")
    up = _answer(cli, recording, tmp_path, "mirror", "octave=1", name="up.mid")
    assert [(n.start, n.end, n.velocity) for n in up] == [
        (n.start, n.end, n.velocity) for n in plain
    ]
    assert [n.pitch - p.pitch for n, p in zip(up, plain, strict=True)] == [12] * len(plain)


def test_contain_without_step_down_keeps_its_level(recording, tmp_path, cli):
    steady = _answer(cli, recording, tmp_path, "contain", "step_down=false", name="steady.mid")
    falling = _answer(cli, recording, tmp_path, "contain", name="falling.mid")
    assert len({n.velocity for n in steady if n.start % 1920 == 0}) <= 2  # downbeat accents
    assert min(n.velocity for n in falling) < min(n.velocity for n in steady)


def test_exaggerate_factor_changes_the_answer(recording, tmp_path, cli):
    a = _answer(cli, recording, tmp_path, "exaggerate", "factor=1.5", name="a.mid")
    b = _answer(cli, recording, tmp_path, "exaggerate", "factor=3", name="b.mid")
    assert a != b and [n.pitch for n in a] == [n.pitch for n in b]  # its own notes, enlarged


@pytest.mark.parametrize(
    ("technique", "param", "message"),
    [
        (
            "ground",
            "octave=1",
            "--param: ground has no setting 'octave=1' (hint: its settings: none)",
        ),
        ("mirror", "octaves=1", "--param: mirror has no setting 'octaves=1'"),
        ("mirror", "octave=high", "--param: mirror octave='high' is not a int"),
        ("contain", "step_down=maybe", "--param: contain step_down='maybe' is not true or false"),
        ("exaggerate", "factor=9", "--param: exaggerate factor=9"),
    ],
)
def test_a_bad_setting_gets_one_line(recording, tmp_path, cli, technique, param, message):
    result = cli("respond", str(recording), "-F", "holding/dorian-vamp", "-t", technique,
                 "--param", param, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert list(tmp_path.iterdir()) == []


def test_the_settings_in_the_doc_run(recording, tmp_path, cli):
    import re
    import shlex
    import shutil

    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "techniques.md").read_text(encoding="utf-8")
    section = doc.split("## Settings", 1)[1].split("\n## ", 1)[0]
    commands = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert commands
    shutil.copy(recording, tmp_path / "session.mid")
    for line in filter(None, map(str.strip, commands.group(1).splitlines())):
        result = cli(*shlex.split(line)[1:], cwd=tmp_path)
        assert result.returncode == 0, (line, result.stderr)
    assert len(list(tmp_path.glob("session-*.mid"))) == 3
