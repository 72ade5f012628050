"""`improv analyze` end to end, on MIDI files written here, on `improv respond`'s answers and on
a recording nobody here wrote: the numbers are the musical facts put in."""

from __future__ import annotations

import csv
import io
import json
import math
import random

import mido
import pytest

from improv_cli.analysis import NOT_A_RATING
from improv_cli.cli.analysis_doc import real_world_midi
from improv_cli.model.tables import TPQ

PNG = b"\x89PNG\r\n\x1a\n"


def write(path, parts, bpm=120.0):
    """A type-1 MIDI file: `parts` maps a 1-based channel to (onset s, duration s, pitch,
    velocity) notes; one track a channel, a tempo map of `bpm`."""
    midi = mido.MidiFile(ticks_per_beat=TPQ)
    conductor = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))])
    midi.tracks.append(conductor)
    per_second = bpm / 60 * TPQ
    for channel, notes in parts.items():
        events = []
        for onset, duration, pitch, velocity in notes:
            start, end = round(onset * per_second), round((onset + duration) * per_second)
            events += [(end, 0, pitch, 0), (start, 1, pitch, velocity)]
        track, now = mido.MidiTrack(), 0
        for tick, _, pitch, velocity in sorted(events):
            kind = "note_on" if velocity else "note_off"
            track.append(mido.Message(kind, channel=channel - 1, note=pitch, velocity=velocity,
                                      time=tick - now))  # fmt: skip
            now = tick
        midi.tracks.append(track)
    midi.save(str(path))
    return path


def stream(rate, seconds, pitch=60, velocity=80, start=0.0, length=None):
    """An isochronous stream: `rate` notes a second for `seconds`."""
    step = 1 / rate
    return [
        (start + i * step, length or step / 2, pitch, velocity)
        for i in range(round(seconds * rate))
    ]


def analysed(cli, *args):
    result = cli("analyze", *map(str, args), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_an_isochronous_stream_gives_its_density_in_every_full_window(tmp_path, cli):
    path = write(tmp_path / "four.mid", {1: stream(4, 30)})
    info = analysed(cli, path)["sessions"][0]
    assert [p["role"] for p in info["players"]] == ["client"] and info["between"] is None
    frames = info["frames"]
    full = [
        d
        for t, d in zip(frames["time"], frames["client"]["density"], strict=True)
        if 6 <= t <= 29.75
    ]
    assert len(full) >= 20 and all(d == pytest.approx(4.0, abs=1 / 6) for d in full)
    assert info["players"][0]["whole"]["density"] == pytest.approx(4.0)
    assert frames["client"]["density"][-1] < 4.0  # the last window runs past the end


def test_a_pulse_and_its_tempo_against_random_onsets(tmp_path, cli):
    rng = random.Random(7)
    scattered = sorted(rng.uniform(0, 30) for _ in range(60))
    steady = write(tmp_path / "steady.mid", {1: stream(2, 30)})
    loose = write(tmp_path / "loose.mid", {1: [(t, 0.2, 60, 80) for t in scattered]})
    a, b = analysed(cli, steady, loose)["sessions"]
    pulse_a, pulse_b = a["players"][0]["whole"], b["players"][0]["whole"]
    assert pulse_a["tempo"] == pytest.approx(120, abs=3)
    assert pulse_a["pulse_clarity"] - pulse_b["pulse_clarity"] > 0.3


def test_transposing_moves_the_mean_pitch_and_the_key_only(tmp_path, cli):
    rng = random.Random(3)
    tune = [
        (i * 0.4, 0.3, rng.choice([57, 60, 62, 64, 67, 69]), rng.randint(50, 100))
        for i in range(60)
    ]
    up = [(t, d, p + 5, v) for t, d, p, v in tune]
    a, b = (
        analysed(cli, write(tmp_path / name, {1: notes}))["sessions"][0]["players"][0]
        for name, notes in (("a.mid", tune), ("b.mid", up))
    )
    assert b["whole"]["pitch"] - a["whole"]["pitch"] == pytest.approx(5, abs=1e-3)
    register_bound = {"pitch", "dissonance"}  # roughness depends on register (docs/analysis.md)
    for name, value in a["whole"].items():
        if name not in register_bound:
            assert b["whole"][name] == pytest.approx(value, abs=1e-3), name
    assert a["key"] == "A minor" and b["key"] == "D minor"


def test_two_players_locked_synchronise_far_more_than_two_tempi(tmp_path, cli):
    locked = write(
        tmp_path / "locked.mid", {1: stream(100 / 60, 40), 2: stream(100 / 60, 40, 48, start=0.02)}
    )
    apart = write(tmp_path / "apart.mid", {1: stream(100 / 60, 40), 2: stream(137 / 60, 40, 48)})
    a, b = analysed(cli, locked, apart)["sessions"]
    assert a["between"]["whole"]["syntempo"] == pytest.approx(100, abs=3)
    assert a["between"]["whole"]["sync"] > 0.8
    assert a["between"]["whole"]["sync"] - b["between"]["whole"]["sync"] > 0.5
    full = [
        s
        for t, s in zip(a["frames"]["time"], a["frames"]["between"]["sync"], strict=True)
        if t >= 6
    ]
    assert min(full) > 0.8


def client_phrases(path, seed=5):
    """A client improvising in D dorian at 100 bpm: phrases of 5-9 eighths and quarters,
    each followed by two to three beats of silence, for about 50 seconds."""
    rng = random.Random(seed)
    beat, now, notes = 0.6, 0.0, []
    scale = [62, 64, 65, 67, 69, 71, 72, 74]
    while now < 50:
        for _ in range(rng.randint(5, 9)):
            length = rng.choice([0.5, 1.0]) * beat
            notes.append((now, length * 0.9, rng.choice(scale), rng.randint(60, 100)))
            now += length
        now += rng.choice([2, 3]) * beat
    return write(path, {1: notes}, bpm=100)


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("answers")
    recording = client_phrases(folder / "client.mid")
    from tests.conftest import run_cli

    paths = {}
    for technique in ("mirror", "dialogue", "ground"):
        out = folder / f"{technique}.mid"
        result = run_cli(
            "respond", str(recording), "-F", "holding/dorian-vamp", "-t", technique, "-o", str(out)
        )
        assert result.returncode == 0, result.stderr
        paths[technique] = out
    return paths


def test_respond_answers_show_their_technique_in_the_analysis(answers, cli):
    info = analysed(cli, answers["mirror"], answers["dialogue"], answers["ground"])
    mirror, dialogue, _ = (s["between"]["whole"] for s in info["sessions"])
    client = info["sessions"][0]["players"][0]["whole"]
    # mirror plays with the client: every onset together, sounding together, one pulse, and
    # pulse synchrony as high as two players can share the client's pulse (its clarity squared)
    assert mirror["coincidence"] == 1.0 and mirror["overlap"] == 1.0
    assert mirror["sync"] == pytest.approx(client["pulse_clarity"] ** 2, abs=2e-3)
    assert mirror["syntempo"] == pytest.approx(client["tempo"], abs=0.5)
    assert mirror["sync"] > dialogue["sync"]
    # dialogue answers in the silences: next to no overlap
    assert dialogue["overlap"] < 0.02 and dialogue["coincidence"] < 0.1
    # ground strikes every beat: the therapist's pulse is the clearest
    therapist = info["sessions"][2]["players"][1]["whole"]
    assert therapist["pulse_clarity"] > 0.9 and therapist["tempo"] == pytest.approx(100, abs=3)
    assert info["note"] == NOT_A_RATING


def test_a_recording_nobody_here_wrote_is_analysed_and_plotted(tmp_path, cli):
    plot = tmp_path / "etude.png"
    info = analysed(cli, real_world_midi(), "--plot", plot)
    session = info["sessions"][0]
    assert session["channels"] == {"1": 1433, "2": 1377}
    client, therapist = session["players"]
    assert (client["channel"], therapist["channel"]) == (1, 2)
    for player in (client, therapist):
        assert all(v is not None and math.isfinite(v) for v in player["whole"].values())
    assert len(session["frames"]["time"]) == math.ceil(session["length"])
    assert info["plot"] == str(plot) and plot.read_bytes().startswith(PNG)


def test_the_docs_picture_is_current():
    from improv_cli.cli.analysis_doc import IMAGE, image
    from tests.conftest import ROOT

    assert image() == (ROOT / "docs" / "images" / IMAGE).read_bytes(), (
        "run: python -m improv_cli.cli.analysis_doc docs/images"
    )


def test_the_same_session_gives_the_same_bytes(tmp_path, cli, answers):
    outputs = []
    for name in ("a", "b"):
        plot = tmp_path / f"{name}.png"
        result = cli("analyze", str(answers["dialogue"]), "--json", "--plot", str(plot))
        outputs.append((result.stdout.replace(str(plot), "PLOT"), plot.read_bytes()))
    assert outputs[0] == outputs[1]


def test_csv_has_a_row_a_window_and_empty_cells_where_undefined(tmp_path, cli):
    path = write(tmp_path / "solo.mid", {1: stream(2, 10, start=4.0)})
    result = cli("analyze", str(path), "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [float(r["time"]) for r in rows] == [float(t) for t in range(1, 15)]
    first, full = rows[0], rows[11]
    assert first["client_density"] == "0.0" and first["client_pitch"] == ""  # nothing yet
    assert float(full["client_density"]) == pytest.approx(2.0) and full["client_pitch"] == "60.0"
    assert all(r["therapist_density"] == "" and r["sync"] == "" for r in rows)


def test_centered_windows_are_stamped_at_their_middle(tmp_path, cli):
    path = write(tmp_path / "s.mid", {1: stream(2, 20), 2: stream(1, 20, 48)})
    trailing = analysed(cli, path)["sessions"][0]["frames"]
    centered = analysed(cli, path, "--align", "centered")["sessions"][0]["frames"]
    assert [t - 3 for t in trailing["time"]] == centered["time"]
    assert trailing["client"] == centered["client"]


def test_the_table_speaks_of_features_not_ratings(answers, cli):
    result = cli("analyze", str(answers["dialogue"]))
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "pulse synchrony" in out and "indicator (not a rating)" in out
    assert " ".join(NOT_A_RATING.split()) in out
    compared = cli("analyze", str(answers["mirror"]), str(answers["dialogue"]))
    assert "mirror" in compared.stdout and "dialogue" in compared.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere.mid"], "nowhere.mid: no such file"),
        (["bad.mid"], "bad.mid: not a readable MIDI file"),
        (["s.mid", "--client", "17"], "--client: channel 17 is not 1-16"),
        (
            ["s.mid", "--therapist", "3"],
            "--therapist: no notes on channel 3 in s.mid (hint: channels: 1, 2)",
        ),
        (
            ["s.mid", "--client", "2", "--therapist", "2"],
            "--client and --therapist are both channel 2",
        ),
        (["s.mid", "--window", "0"], "--window: 0 s"),
        (["s.mid", "--hop", "7"], "--hop: 7 s"),
        (["s.mid", "--plot", "s.txt"], "--plot: 's.txt' is not a .png file"),
        (["s.mid", "--plot", "missing/s.png"], "the folder missing does not exist"),
        (["s.mid", "--json", "--csv"], "--json and --csv: choose one"),
        (["empty.mid"], "empty.mid: no notes to analyse"),
    ],
)
def test_bad_input_gets_one_line_and_writes_nothing(tmp_path, cli, args, message):
    write(tmp_path / "s.mid", {1: stream(2, 5), 2: stream(1, 5, 48)})
    write(tmp_path / "empty.mid", {})
    (tmp_path / "bad.mid").write_bytes(b"not midi at all")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("analyze", *args, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before
