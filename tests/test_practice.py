"""`improv practice`: the decoded MIDI shows the count-in, the loops, their tempos and keys,
the muted parts and the traded bars, exactly as asked."""

from __future__ import annotations

import json

import mido
import pytest

from improv_cli.model.tables import TPQ
from improv_cli.practice import STICKS, PracticeOptions, student_bars
from tests.midi_facts import by_name, decode, metas

VAMP = "holding/dorian-vamp"  # D dorian, 66 bpm, 4/4, 4 bars a pass, no variation
BAR = 4 * TPQ
LOOP = 4 * BAR


def practise(tmp_path, cli, *args: str) -> tuple[dict, list]:
    out = tmp_path / "practice.mid"
    result = cli("practice", VAMP, *args, "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), decode(out)


def loop_markers(tracks) -> list[tuple[int, str]]:
    return [(t, m.text) for t, m in metas(tracks[0], "marker")]


def test_count_in_then_exactly_n_loops(tmp_path, cli):
    info, tracks = practise(tmp_path, cli, "--loops", "3", "--count-in", "2")
    markers = loop_markers(tracks)
    count = 2 * BAR
    assert (0, "count-in") in markers
    assert [t for t, text in markers if text.startswith("loop ")] == [
        count + k * LOOP for k in range(3)
    ]
    assert (count, "loopStart") in markers and (count + 3 * LOOP, "loopEnd") in markers
    assert info["bars"] == 2 + 12 and info["loops"] == 3
    parts = by_name(tracks)
    sticks = [n for n in parts["drums"].notes if n.start < count]
    assert [n.start for n in sticks] == list(range(0, count, TPQ))  # one a beat
    assert {n.pitch for n in sticks} == {STICKS} and {n.channel for n in sticks} == {9}
    assert sticks[0].velocity > sticks[1].velocity  # the bar's first beat is louder
    for name, track in parts.items():
        if name != "drums":
            assert all(n.start >= count for n in track.notes), name
        assert track.end == count + 3 * LOOP  # every track ends at loopEnd
        assert track.hanging == 0 and track.unmatched_offs == 0


def bpm_at(tracks, tick: int) -> float:
    tempos = metas(tracks[0], "set_tempo")
    current = [m for t, m in tempos if t <= tick][-1]
    return round(mido.tempo2bpm(current.tempo), 1)


def test_the_tempo_of_each_loop_follows_the_ramp(tmp_path, cli):
    info, tracks = practise(tmp_path, cli, "--loops", "4", "--ramp", "60:90")
    assert info["tempos"] == [60.0, 70.0, 80.0, 90.0]
    assert bpm_at(tracks, 0) == 60.0  # the count-in at the first loop's tempo
    for k, bpm in enumerate((60.0, 70.0, 80.0, 90.0)):
        start = BAR + k * LOOP
        assert bpm_at(tracks, start) == bpm
        assert bpm_at(tracks, start + LOOP - 1) == bpm  # held through the loop


def test_a_ramp_step_is_compound_per_loop(tmp_path, cli):
    info, tracks = practise(tmp_path, cli, "--loops", "3", "--ramp-step", "10")
    assert info["tempos"] == [66.0, 72.6, 79.86]
    assert bpm_at(tracks, BAR + 2 * LOOP) == 79.9


def test_each_loop_moves_round_the_cycle_of_fourths(tmp_path, cli):
    info, tracks = practise(tmp_path, cli, "--loops", "4", "--transpose-each", "5")
    assert info["keys"] == ["D dorian", "G dorian", "C dorian", "F dorian"]
    bass = by_name(tracks)["bass"].notes
    loops = [
        [n for n in bass if BAR + k * LOOP <= n.start < BAR + (k + 1) * LOOP] for k in range(4)
    ]
    first = [n.pitch % 12 for n in loops[0]]
    for k, notes in enumerate(loops):
        assert [n.pitch % 12 for n in notes] == [(p + 5 * k) % 12 for p in first]
        assert all(30 <= n.pitch <= 60 for n in notes)  # folded: the bass stays a bass
    keys = [(t, m.key) for t, m in metas(tracks[0], "key_signature")]
    assert [k for _, k in keys] == ["Am", "Dm", "Gm", "Cm"]  # signatures of 0 to 3 flats
    assert [t for t, _ in keys] == [0, BAR + LOOP, BAR + 2 * LOOP, BAR + 3 * LOOP]


def test_a_muted_part_is_absent_and_solo_keeps_only_its_parts(tmp_path, cli):
    _, tracks = practise(tmp_path, cli, "--mute", "bass", "--mute", "melody")
    assert set(by_name(tracks)) - {"dorian"} >= {"drums", "comp"}
    assert "bass" not in by_name(tracks) and "melody" not in by_name(tracks)
    _, solo = practise(tmp_path, cli, "--solo", "bass", "--count-in", "0")
    assert {t.name for t in solo[1:]} == {"bass"}


def test_traded_bars_are_silent_in_every_band_part(tmp_path, cli):
    info, tracks = practise(tmp_path, cli, "--loops", "2", "--trade", "2", "--call")
    silent = student_bars(info["bars"], PracticeOptions(loops=2, trade=2))
    assert silent == [3, 4, 7, 8]
    for track in tracks[1:]:
        for note in track.notes:
            assert note.start // BAR not in silent, (track.name, note)
            assert (note.end - 1) // BAR not in silent, (track.name, note)  # nothing rings on
    parts = by_name(tracks)
    assert any(n.start // BAR in (1, 2) for n in parts["melody"].notes)  # the call


def test_without_call_the_trade_leaves_the_melody_to_the_student(tmp_path, cli):
    _, tracks = practise(tmp_path, cli, "--trade", "1")
    assert "melody" not in by_name(tracks)


def test_a_gap_rests_between_loops(tmp_path, cli):
    info, tracks = practise(tmp_path, cli, "--loops", "2", "--gap", "1", "--count-in", "0")
    assert info["bars"] == 9
    starts = [t for t, text in loop_markers(tracks) if text.startswith("loop ")]
    assert starts == [0, LOOP + BAR]
    for track in tracks[1:]:
        assert not [n for n in track.notes if LOOP <= n.start < LOOP + BAR], track.name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ramp", "60-90"], "--ramp"),
        (["--ramp", "10:90"], "--ramp"),
        (["--mute", "kazoo"], "no part 'kazoo'"),
        (["--loops", "0"], "--loops"),
        (["--transpose-each", "12"], "--transpose-each"),
        (["--ramp", "60:80", "--ramp-step", "5"], "cannot be used together"),
        (["-o", "x.pdf"], ".mid or .wav"),
    ],
)
def test_bad_options_are_one_line_and_no_file(args, message, cli, tmp_path):
    result = cli("practice", VAMP, *args, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_the_same_options_give_the_same_bytes(tmp_path, cli):
    args = ("--loops", "3", "--ramp", "60:70", "--transpose-each", "7", "--trade", "2")
    for name in ("one", "two"):
        assert cli("practice", VAMP, *args, "-o", str(tmp_path / f"{name}.mid")).returncode == 0
    assert (tmp_path / "one.mid").read_bytes() == (tmp_path / "two.mid").read_bytes()


def test_a_traded_practice_wav_lasts_its_tempo_map_sounds_where_the_band_plays_and_is_silent_else(
    tmp_path,
):
    from improv_cli.model.loader import load_framework
    from improv_cli.practice import practice, practice_timeline
    from improv_cli.render.audio import samples, wav_info

    options = PracticeOptions(loops=2, count_in=1, ramp="60:72", trade=2, call=True)
    out = tmp_path / "trade.wav"
    result, timeline = practice(VAMP, options, str(out))
    assert timeline == practice_timeline(load_framework(VAMP), options)
    data = out.read_bytes()
    info = wav_info(data)
    assert abs(info.frames / info.rate - timeline.seconds()) < 0.05
    assert abs(result.seconds - timeline.seconds()) < 1e-6
    silent = student_bars(timeline.bars, options)
    sounding = {n.start // BAR for n in timeline.notes}
    for bar in range(timeline.bars):
        start, end = timeline.seconds(bar * BAR), timeline.seconds((bar + 1) * BAR)
        values = samples(data, start, end)
        if bar in silent:
            tail = samples(data, start + 0.02, end)  # after the 20 ms fade of the band's last note
            assert max(abs(v) for v in tail) == 0, bar
        elif bar in sounding:
            assert max(abs(v) for v in values) > 300, bar


def test_render_stems_are_files_as_long_as_the_mix(tmp_path, cli):
    from improv_cli.render.audio import wav_info

    out = tmp_path / "vamp.wav"
    result = cli("render", VAMP, "--bars", "2", "-o", str(out), "--stems", "--json")
    assert result.returncode == 0, result.stderr
    files = json.loads(result.stdout)["files"]
    names = [f"vamp-{p}.wav" for p in ("drums", "bass", "comp", "melody")]
    assert [p.rsplit("/", 1)[-1] for p in files] == ["vamp.wav", *names]
    frames = wav_info(out.read_bytes()).frames
    assert all(wav_info((tmp_path / n).read_bytes()).frames == frames for n in names)


def test_stems_need_wav(cli, tmp_path):
    result = cli("render", VAMP, "-o", str(tmp_path / "x.mid"), "--stems")
    assert result.returncode == 1 and "--stems" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_endless_play_goes_round_and_round_with_the_loops_counted_on():
    from itertools import islice

    from improv_cli.model.loader import load_framework
    from improv_cli.play.endless import endless
    from improv_cli.play.events import schedule
    from improv_cli.practice import practice_timeline

    framework = load_framework(VAMP)
    first = practice_timeline(framework, PracticeOptions(loops=1, count_in=1))
    again = practice_timeline(framework, PracticeOptions(loops=1, count_in=0))
    events, cues = endless(first, again)
    per_round = len(schedule(again))
    taken = list(islice(events, len(schedule(first)) + 3 * per_round))
    times = [e.seconds for e in taken]
    assert times == sorted(times)
    assert times[-1] > first.seconds() + 2 * again.seconds()  # into the third round
    assert [n for _, n in cues.loops[:5]] == [0, 1, 2, 3, 4]  # count-in, then loops 1, 2 ...
    starts = [t for t, _ in cues.loops[1:4]]
    assert starts[1] - starts[0] == pytest.approx(again.seconds())


def test_endless_play_refuses_a_ramp_without_an_end(tmp_path):
    from improv_cli import api
    from improv_cli.errors import OptionError

    with pytest.raises(OptionError, match="ramp"):
        api.play_practice(VAMP, PracticeOptions(loops=api.ENDLESS, ramp="60:80"), view=False)
