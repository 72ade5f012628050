"""Reading a client's recording: forgiving with messy files, one clear line for bad ones."""

from __future__ import annotations

import mido
import pytest

from improv_cli.errors import RenderError
from improv_cli.model.tables import TPQ
from improv_cli.respond.client import client_from_seconds, estimate_tempo, read_client

BEAT = 480  # ticks a beat in the file below (mido's default tempo: 120 bpm, 0.5 s a beat)


def messy(path) -> None:
    """Three channels, no tempo map, overlapping strikes, a pedal, a long silence, a note
    never released."""
    midi = mido.MidiFile(ticks_per_beat=BEAT)
    client, other, drums = mido.MidiTrack(), mido.MidiTrack(), mido.MidiTrack()
    midi.tracks += [other, client, drums]
    events = []
    for i, pitch in enumerate([60, 62, 64, 65, 67, 65, 64, 62]):  # a phrase of quarters
        events += [(i * BEAT, "on", pitch), (i * BEAT + BEAT - 40, "off", pitch)]
    events += [(8 * BEAT, "on", 60), (8 * BEAT + 100, "on", 60)]  # struck again, no off
    events += [(9 * BEAT, "off", 60)]
    events += [(10 * BEAT, "pedal", 127), (10 * BEAT, "on", 67), (10 * BEAT + 100, "off", 67)]
    events += [(12 * BEAT, "pedal", 0)]
    silence = 12 * BEAT + 20 * BEAT  # ten seconds of nothing
    for i, pitch in enumerate([72, 71, 69]):
        events += [(silence + i * BEAT, "on", pitch), (silence + i * BEAT + 200, "off", pitch)]
    events += [(silence + 3 * BEAT, "on", 48)]  # never released
    now = 0
    for tick, kind, value in sorted(events, key=lambda e: (e[0], e[1] != "off")):
        if kind == "pedal":
            msg = mido.Message("control_change", channel=0, control=64, value=value)
        else:
            velocity = 80 if kind == "on" else 0
            msg = mido.Message("note_on", channel=0, note=value, velocity=velocity)
        client.append(msg.copy(time=tick - now))
        now = tick
    for i in range(3):
        other.append(
            mido.Message("note_on", channel=1, note=40, velocity=50, time=BEAT if i else 0)
        )
        other.append(mido.Message("note_off", channel=1, note=40, time=BEAT))
    for _ in range(30):
        drums.append(mido.Message("note_on", channel=9, note=36, velocity=90, time=0))
        drums.append(mido.Message("note_off", channel=9, note=36, time=BEAT // 2))
    midi.save(str(path))


def test_a_messy_recording_reads_as_the_client_plays(tmp_path):
    path = tmp_path / "session.mid"
    messy(path)
    client = read_client(path)
    assert client.channel == 0  # the busiest channel that is not the drums
    assert client.tempo == 120.0  # the quarters, at MIDI's default tempo
    pitches = [n.pitch for n in client.notes]
    assert pitches[:8] == [60, 62, 64, 65, 67, 65, 64, 62]
    assert pitches.count(60) == 3  # the second strike ended the first
    restruck = [n for n in client.notes if n.pitch == 60][1:]
    assert restruck[0].end == restruck[1].start
    held = next(n for n in client.notes if n.pitch == 67 and n.start == 10 * TPQ)
    assert held.end == 12 * TPQ  # the pedal held it until it lifted
    assert client.notes[-1].pitch == 48 and client.notes[-1].duration > 0
    assert len(client.phrases) == 2  # the ten-second silence
    assert [n.pitch for n in client.phrase_notes(1)][:3] == [72, 71, 69]


def test_the_channel_and_track_can_be_chosen(tmp_path):
    path = tmp_path / "session.mid"
    messy(path)
    assert {n.pitch for n in read_client(path, channel=2).notes} == {40}
    assert {n.pitch for n in read_client(path, track=1).notes} == {40}
    with pytest.raises(RenderError, match="no notes on channel 5"):
        read_client(path, channel=5)


def test_tempo_folds_into_a_beat_and_phrases_split_at_silences():
    assert estimate_tempo([i * 0.25 for i in range(16)]) == 120.0  # eighths at 120 fold up
    assert estimate_tempo([0.0]) == 90.0  # one onset: no evidence, a moderate default
    timed = [(i * 0.5, i * 0.5 + 0.4, 60 + i, 70) for i in range(4)]
    timed += [(5.0 + i * 0.5, 5.4 + i * 0.5, 70, 70) for i in range(3)]
    client = client_from_seconds(timed)
    assert client.phrases == ((0, 4), (4, 7))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "not a readable MIDI file"), (b"MThd garbage", "not a readable MIDI file")],
)
def test_a_corrupt_file_is_one_line_and_exit_1(content, message, tmp_path, cli):
    path = tmp_path / "bad.mid"
    path.write_bytes(content)
    result = cli("respond", str(path), "--framework", "holding/dorian-vamp", "-t", "ground")
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mid"]


def test_an_empty_recording_is_one_line_and_exit_1(tmp_path, cli):
    path = tmp_path / "empty.mid"
    mido.MidiFile().save(str(path))
    result = cli("respond", str(path), "--framework", "holding/dorian-vamp", "-t", "ground")
    assert result.returncode == 1
    assert "no notes to respond to" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
