"""`improv journey`: the iso principle on decoded MIDI. The tempo map starts at the client's
tempo, holds it, moves within the step limit and arrives; velocity and density travel with
it to their exact end values."""

from __future__ import annotations

import itertools
import json

import mido
import pytest

from tests.midi_facts import by_name, decode, metas

BAR = 1920  # holding/dorian-vamp is in 4/4


def render(cli, tmp_path, *args, name="j.mid"):
    out = tmp_path / name
    result = cli("journey", *map(str, args), "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    return out, json.loads(result.stdout), result.stderr


def bar_tempi(path):
    """The tempo in force at the start of every bar."""
    tracks = decode(path)
    changes = [(t, mido.tempo2bpm(m.tempo)) for t, m in metas(tracks[0], "set_tempo")]
    end = max(t.end for t in tracks)
    return [[bpm for tick, bpm in changes if tick <= start][-1] for start in range(0, end, BAR)]


def tempo_changes(path):
    return [(t, mido.tempo2bpm(m.tempo)) for t, m in metas(decode(path)[0], "set_tempo")]


@pytest.mark.parametrize("shape", ["linear", "exp", "s-curve", "steps"])
def test_the_tempo_map_matches_holds_travels_and_arrives(cli, tmp_path, shape):
    path, info, _ = render(cli, tmp_path, "--from", 120, "--to", 72, "--minutes", 8,
                           "--shape", shape, "--max-step", 7, "--hold-start", 6,
                           "--hold-end", 5)  # fmt: skip
    tempi = bar_tempi(path)
    assert len(tempi) == info["bars"]
    assert tempi[0] == pytest.approx(120, abs=0.5) and tempi[-1] == pytest.approx(72, abs=0.5)
    assert all(b <= a for a, b in itertools.pairwise(tempi))  # monotone
    assert tempi[:6] == [tempi[0]] * 6 and tempi[6] < tempi[0]  # the match: 6 bars exactly
    assert tempi[-5:] == [tempi[-1]] * 5 and tempi[-6] > tempi[-1]  # the arrival: 5 exactly
    changes = tempo_changes(path)
    for (_, a), (_, b) in itertools.pairwise(changes):
        assert abs(b - a) / a <= 0.07 + 1e-6  # no step beyond --max-step
    for i in range(len(tempi) - 4):  # nor over any phrase of 4 bars
        assert (tempi[i] - tempi[i + 4]) / tempi[i] <= 0.07 + 1e-6
    seconds = sum(4 * 60 / t for t in tempi)
    assert abs(seconds - 8 * 60) <= 4 * 60 / 72  # the length asked, within a bar
    assert info["extended"] is None
    if shape == "steps":  # piecewise constant: changes only where a phrase starts
        ticks = [t for t, _ in changes[1:]]
        assert all((t // BAR - 6) % 4 == 0 for t in ticks[:-1]), ticks


def test_a_step_limit_that_cannot_fit_the_time_makes_it_longer_and_says_so(cli, tmp_path):
    path, info, stderr = render(cli, tmp_path, "--from", 120, "--to", 72, "--minutes", 1,
                                "--max-step", 5)  # fmt: skip
    assert "warning: steps of at most 5 % a phrase take" in stderr
    assert info["extended"] and info["minutes"] > 2
    tempi = bar_tempi(path)
    assert tempi[0] == pytest.approx(120, abs=0.5) and tempi[-1] == pytest.approx(72, abs=0.5)
    for i in range(len(tempi) - 4):
        assert (tempi[i] - tempi[i + 4]) / tempi[i] <= 0.05 + 1e-6


def test_velocity_and_density_travel_to_their_exact_ends(cli, tmp_path):
    path, info, _ = render(cli, tmp_path, "--from", 100, "--to", 70, "--minutes", 4,
                           "--also", "velocity:96->56,density:high->low")  # fmt: skip
    levels, shares = info["velocity"], info["density"]
    assert levels[0] == 96 and levels[-1] == 56 and shares[0] == 1.0 and shares[-1] == 0.4
    assert all(b <= a for a, b in itertools.pairwise(levels))
    tracks = by_name(decode(path))
    bass = {n.start // BAR: n.velocity for n in tracks["bass"].notes if n.start % BAR == 0}
    downbeats = [bass[b] for b in sorted(bass)]
    assert all(b <= a for a, b in itertools.pairwise(downbeats))
    assert downbeats[0] - downbeats[-1] == 40  # 96 -> 56, the part's balance aside
    drums = [0] * info["bars"]
    for note in tracks["drums"].notes:
        drums[note.start // BAR] += 1
    cycle = 2  # compare bars at the same place in the groove's cycle
    for offset in range(cycle):
        counts = drums[offset::cycle]
        assert all(b <= a for a, b in itertools.pairwise(counts)), counts
    assert drums[-1] < drums[0] * 0.6


def test_the_start_can_be_taken_from_a_clients_recording(cli, tmp_path):
    from tests.test_analysis_cli import client_phrases

    recording = client_phrases(tmp_path / "client.mid")  # at 100 bpm
    path, info, _ = render(cli, tmp_path, "--from-recording", recording, "--to", 80,
                           "--minutes", 3)  # fmt: skip
    assert info["start"] == pytest.approx(100, abs=2)
    assert bar_tempi(path)[0] == pytest.approx(info["start"], abs=0.5)


def test_the_same_journey_gives_the_same_bytes(cli, tmp_path):
    a, _, _ = render(cli, tmp_path, "--from", 90, "--to", 110, "--minutes", 2, name="a.mid")
    b, _, _ = render(cli, tmp_path, "--from", 90, "--to", 110, "--minutes", 2, name="b.mid")
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "120", "--max-step", "0"], "--max-step: 0 % can never take 120 to 72 bpm"),
        (["--from", "120", "--to", "500"], "--to: 500 bpm is out of range"),
        (["--from", "120", "--also", "loudness:1->2"], "--also: 'loudness:1->2'"),
        (["--from", "120", "-o", "j.pdf"], "-o: a journey is written as .mid or .wav, not '.pdf'"),
        (["--to", "80"], "--from or --from-recording"),
        (["--from", "120", "-F", "holding/nope"], "holding/nope"),
    ],
)
def test_bad_options_get_one_line_and_write_nothing(cli, tmp_path, args, message):
    result = cli("journey", *args, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert list(tmp_path.iterdir()) == []
