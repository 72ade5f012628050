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
