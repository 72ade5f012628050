"""WAV output, really synthesised by FluidSynth (no mocks): length, sound, silence, stems.

Needs the Debian packages `fluidsynth` and `fluid-soundfont-gm` (or another GM soundfont,
see docs/audio.md); `./dev` installs them."""

from __future__ import annotations

import array
import hashlib
import math
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from improv_cli import api
from improv_cli.errors import RenderError
from improv_cli.render import audio
from improv_cli.timeline import Timeline
from tests.conftest import ROOT

RATE = 44100
SOUNDING = 0.003  # RMS, of full scale: the quietest bar of dorian-vamp is about 0.02
SILENT = 1e-4  # -80 dBFS: FluidSynth's dither leaves ±1 LSB (about 3e-5) in silence
RELEASE = 0.6  # seconds for the releases and the reverb to fall to the dither floor


@pytest.fixture(scope="module")
def vamp() -> Timeline:
    return api.timeline("holding/dorian-vamp", api.Overrides(bars=8))


@pytest.fixture(scope="module")
def rendered(vamp: Timeline) -> audio.Audio:
    return audio.render_audio(vamp, stems=True)


def bar_times(timeline: Timeline, bar: int) -> tuple[float, float]:
    start = bar * timeline.bar_ticks
    return timeline.seconds(start), timeline.seconds(start + timeline.bar_ticks)


def frames_of(timeline: Timeline) -> int:
    return round(timeline.seconds() * RATE)


def test_the_mix_is_cd_format_and_lasts_exactly_the_tempo_map(vamp, rendered):
    info = audio.wav_info(rendered.mix)
    assert (info.rate, info.channels, info.sample_width) == (RATE, 2, 2)
    assert info.frames == frames_of(vamp)  # to the sample, though FluidSynth renders on
    assert abs(info.seconds - vamp.seconds()) < 1 / RATE


def test_every_bar_with_notes_sounds(vamp, rendered):
    for bar in range(vamp.bars):
        start, end = bar_times(vamp, bar)
        assert any(start <= vamp.seconds(n.start) < end for n in vamp.notes)
        assert audio.rms(rendered.mix, start, end) > SOUNDING, bar


def test_bars_without_notes_are_silent_once_the_releases_have_decayed(vamp):
    # Bars 3 and 4 lose every note that sounds in them, so silence starts exactly at bar 3;
    # what the notes before leave (release and reverb) dies within RELEASE seconds.
    cut_from, cut_to = 2 * vamp.bar_ticks, 4 * vamp.bar_ticks
    notes = tuple(n for n in vamp.notes if n.end <= cut_from or n.start >= cut_to)
    gap = replace(vamp, notes=notes)
    wav = audio.wav_bytes(gap)
    start, end = vamp.seconds(cut_from), vamp.seconds(cut_to)
    assert audio.rms(wav, start, start + 0.1) > SILENT  # the release tail is real
    assert audio.rms(wav, start + RELEASE, end) < SILENT
    assert max(map(abs, audio.samples(wav, start + RELEASE, end))) <= 4
    for bar in (0, 1, 4, 5, 6, 7):
        assert audio.rms(wav, *bar_times(vamp, bar)) > SOUNDING, bar
    assert audio.wav_info(wav).frames == frames_of(vamp)


@pytest.fixture(scope="module")
def breathing() -> Timeline:
    return api.timeline("holding/breathing-vamp")


def test_a_ritardando_is_followed_to_the_sample(breathing):
    assert len({t.bpm for t in breathing.tempos}) > 2  # it does change tempo
    info = audio.wav_info(audio.wav_bytes(breathing))
    assert info.frames == frames_of(breathing)


def test_notes_sound_where_the_tempo_map_puts_them(breathing):
    # Only the last bar's notes: the first sound must come when the tempo map says, which
    # after all the tempo changes is 0.7 s away from where a steady tempo would put it.
    # FluidSynth's player counts whole milliseconds, re-anchored at every tempo change,
    # so onsets drift by a few milliseconds: allow 10.
    last_bar = (breathing.bars - 1) * breathing.bar_ticks
    tail = replace(breathing, notes=tuple(n for n in breathing.notes if n.start >= last_bar))
    first = min(n.start for n in tail.notes)
    values = audio.samples(audio.wav_bytes(tail))
    onset = next(i for i, v in enumerate(values) if abs(v) > 30) // 2 / RATE
    expected = breathing.seconds(first)
    steady = first / breathing.tpq * 60 / breathing.tempos[0].bpm
    assert abs(onset - expected) < 0.010
    assert abs(steady - expected) > 0.5


def test_stems_one_per_part_as_long_as_the_mix_and_summing_to_it(vamp, rendered):
    assert list(rendered.stems) == [p.name for p in vamp.parts]
    mix_frames = audio.wav_info(rendered.mix).frames
    for name, wav in rendered.stems.items():
        info = audio.wav_info(wav)
        assert (info.rate, info.channels, info.frames) == (RATE, 2, mix_frames), name
        assert audio.rms(wav) > 1e-3, name
    start, end = bar_times(vamp, 1)
    mix = audio.samples(rendered.mix, start, end)
    parts = [audio.samples(wav, start, end) for wav in rendered.stems.values()]
    error = [m - sum(p) for m, *p in zip(mix, *parts, strict=True)]
    # Each stem adds its own dither, and no voice is stolen here: the residual is about
    # -48 dB. A stem on the wrong channel or program (drums off channel 10) would not sum.
    assert rms_of(error) < 0.02 * rms_of(mix)


def rms_of(values: list[int] | array.array[int]) -> float:
    return math.sqrt(sum(v * v for v in values) / len(values))


def test_the_same_timeline_gives_the_same_bytes(vamp, rendered, tmp_path):
    assert audio.wav_bytes(vamp) == rendered.mix
    # In another process too, from another folder, with a ~/.fluidsynth that would turn
    # the gain up: the render reads no user configuration.
    (tmp_path / ".fluidsynth").write_text("set synth.gain 3\n")
    code = (
        "import hashlib, sys; from improv_cli import api; from improv_cli.render import audio;"
        "t = api.timeline('holding/dorian-vamp', api.Overrides(bars=8));"
        "print(hashlib.sha256(audio.wav_bytes(t)).hexdigest())"
    )
    env = {"HOME": str(tmp_path), "PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}
    if "IMPROV_SOUNDFONT" in os.environ:
        env["IMPROV_SOUNDFONT"] = os.environ["IMPROV_SOUNDFONT"]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == hashlib.sha256(rendered.mix).hexdigest()


def test_a_missing_soundfont_says_how_to_get_one(vamp, monkeypatch):
    monkeypatch.setenv("IMPROV_SOUNDFONT", "/nonexistent")
    with pytest.raises(RenderError) as caught:
        audio.wav_bytes(vamp)
    assert caught.value.message == "IMPROV_SOUNDFONT=/nonexistent: no such file"
    assert caught.value.hint == audio.SOUNDFONT_HINT
    assert "IMPROV_SOUNDFONT=/path/to/font.sf2" in caught.value.line()


def test_no_soundfont_installed_says_how_to_get_one(monkeypatch):
    monkeypatch.delenv("IMPROV_SOUNDFONT", raising=False)
    monkeypatch.setattr(audio, "SOUNDFONTS", ())
    with pytest.raises(RenderError) as caught:
        audio.find_soundfont()
    assert caught.value.message == "no General MIDI soundfont found"
    assert caught.value.hint == audio.SOUNDFONT_HINT


def test_no_fluidsynth_installed_says_how_to_get_it(vamp, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="fluidsynth program is not installed") as caught:
        audio.wav_bytes(vamp)
    assert "apt-get install --no-install-recommends fluidsynth" in caught.value.hint


def test_a_soundfont_fluidsynth_cannot_load_is_an_error(vamp, monkeypatch, tmp_path):
    # FluidSynth itself exits 0 here (and would play Debian's default soundfont instead).
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"RIFF\x04\x00\x00\x00sfbk" + b"junk" * 4)
    monkeypatch.setenv("IMPROV_SOUNDFONT", str(broken))
    with pytest.raises(RenderError, match=r"fluidsynth failed: .*broken\.sf2"):
        audio.wav_bytes(vamp)


def test_a_file_that_is_no_soundfont_is_refused_before_rendering(monkeypatch, tmp_path):
    text = tmp_path / "notes.sf2"
    text.write_text("hello")
    monkeypatch.setenv("IMPROV_SOUNDFONT", str(text))
    with pytest.raises(RenderError, match="not a SoundFont"):
        audio.find_soundfont()


def pcm(*values: int) -> bytes:
    return array.array("h", values).tobytes()


def test_exact_pads_short_renders_with_silence_and_fades_the_cut():
    assert audio.exact(pcm(5, 5), 3, 0) == pcm(5, 5, 0, 0, 0, 0)
    assert audio.exact(pcm(*[1000] * 20), 4, 0) == pcm(*[1000] * 8)
    faded = array.array("h", audio.exact(pcm(*[1000, -1000] * 10), 6, 3))
    assert list(faded[:6]) == [1000, -1000] * 3
    assert list(faded[6::2]) == [750, 500, 250]  # linear, down towards silence
    assert list(faded[7::2]) == [-750, -500, -250]
