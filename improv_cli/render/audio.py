"""Timeline -> WAV (44.1 kHz, 16-bit stereo PCM), synthesised by FluidSynth from a soundfont.

We run the `fluidsynth` program (LGPL-2.1: called as a program, never linked) on the Standard
MIDI File that `render.midi` writes and read back raw PCM. FluidSynth renders on past the
last bar while voices release; the WAV is then made exact: it lasts `timeline.seconds()`
rounded to samples, the last 20 ms fading linearly to silence (what still sounds is cut
there), and a render that stops short is padded with silence.

The same timeline gives the same bytes: fast rendering is clocked by samples, not by the wall
clock; reverb and chorus are fixed filters; `-f /dev/null` keeps a user's ~/.fluidsynth
from changing any setting. The gain is fixed, not normalised, so a lullaby stays quieter
than a driving groove: at 0.8 the loudest library framework peaks near 0.8 of full scale.
Only when a render reaches 99% of full scale (every note at fff, say) is it rendered again,
mix and stems alike, at half the gain.
"""

from __future__ import annotations

import array
import io
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from improv_cli.errors import RenderError
from improv_cli.render.midi import midi_bytes
from improv_cli.timeline import Timeline

SOUNDFONTS = (  # the first that exists is used; IMPROV_SOUNDFONT overrides them all
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),  # fluid-soundfont-gm (MIT): the default
    Path("/usr/share/sounds/sf3/MuseScore_General_Lite.sf3"),  # musescore-general-soundfont-small
    Path("/usr/share/sounds/sf3/MuseScore_General.sf3"),  # musescore-general-soundfont
    Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),  # timgm6mb-soundfont (GPL-2)
    Path("/usr/share/sounds/sf2/default-GM.sf2"),  # whichever sf2 font Debian's alternative names
    Path("/usr/share/sounds/sf3/default-GM.sf3"),
)
SOUNDFONT_HINT = "run ./dev demo to install one, or set IMPROV_SOUNDFONT=/path/to/font.sf2"
GAIN = 0.8
RETRIES = 3  # renders at GAIN / 2, GAIN / 4, GAIN / 8 when louder ones clip
FADE_SECONDS = 0.02
CHANNELS = 2
SAMPLE_WIDTH = 2  # bytes: 16-bit PCM
FRAME = CHANNELS * SAMPLE_WIDTH
SETTINGS = {  # pinned, whatever the defaults of the installed FluidSynth
    "player.timing-source": "sample",
    "synth.cpu-cores": "1",
    "synth.dynamic-sample-loading": "0",  # on, FluidR3 renders differ from the default
    "synth.reverb.active": "1",
    "synth.chorus.active": "1",
    "synth.default-soundfont": "",  # a font that fails to load must not be replaced by it
}


@dataclass(frozen=True, slots=True)
class Audio:
    mix: bytes  # a WAV file
    stems: dict[str, bytes]  # part name -> WAV file, as long as the mix; empty unless asked


def find_soundfont() -> Path:
    """$IMPROV_SOUNDFONT if set, else the first installed General MIDI soundfont we know."""
    chosen = os.environ.get("IMPROV_SOUNDFONT")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise RenderError(f"IMPROV_SOUNDFONT={chosen}: no such file", hint=SOUNDFONT_HINT)
        with path.open("rb") as stream:
            head = stream.read(12)
        if head[:4] != b"RIFF" or head[8:] != b"sfbk":
            raise RenderError(f"IMPROV_SOUNDFONT={chosen}: not a SoundFont", hint=SOUNDFONT_HINT)
        return path
    for path in SOUNDFONTS:
        if path.is_file():
            return path
    raise RenderError("no General MIDI soundfont found", hint=SOUNDFONT_HINT)


def find_fluidsynth() -> str:
    found = shutil.which("fluidsynth")
    if found is None:
        raise RenderError(
            "the fluidsynth program is not installed",
            hint="run ./dev demo, or apt-get install --no-install-recommends fluidsynth",
        )
    return found


def wav_bytes(timeline: Timeline, sample_rate: int = 44100) -> bytes:
    """The whole timeline as one WAV file, exactly `timeline.seconds()` long."""
    return render_audio(timeline, sample_rate).mix


def stem_wavs(timeline: Timeline, sample_rate: int = 44100) -> dict[str, bytes]:
    """One WAV per part, in part order, each as long as the mix and at the mix's level."""
    return render_audio(timeline, sample_rate, stems=True).stems


def render_audio(timeline: Timeline, sample_rate: int = 44100, stems: bool = False) -> Audio:
    """The mix and, if asked, one stem per part; the renders run side by side.

    A stem is the timeline with only that part's notes but every part still declared, so
    each part keeps its channel and program (drums on channel 10) exactly as in the mix."""
    if not 8000 <= sample_rate <= 96000:
        raise RenderError(f"sample rate {sample_rate} Hz: FluidSynth takes 8000 to 96000")
    program, soundfont = find_fluidsynth(), find_soundfont()
    names = [p.name for p in timeline.parts] if stems else []
    jobs = [timeline] + [replace(timeline, notes=timeline.part_notes(n)) for n in names]
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    render = partial(_render, program=program, soundfont=soundfont, rate=sample_rate)
    with ThreadPoolExecutor(workers) as pool:
        for attempt in range(RETRIES + 1):
            pcms = list(pool.map(partial(render, gain=GAIN / 2**attempt), jobs))
            if not any(map(_near_full_scale, pcms)):
                break
    waves = [_wav(pcm, sample_rate) for pcm in pcms]
    return Audio(waves[0], dict(zip(names, waves[1:], strict=True)))


def _render(timeline: Timeline, program: str, soundfont: Path, rate: int, gain: float) -> bytearray:
    """Exactly timeline.seconds() of 16-bit stereo PCM, little-endian."""
    frames = round(timeline.seconds() * rate)
    with tempfile.TemporaryDirectory(prefix="improv-audio-") as folder:
        midi, raw = Path(folder, "in.mid"), Path(folder, "out.raw")
        midi.write_bytes(midi_bytes(timeline))
        _run_fluidsynth([program, "-g", str(gain), "-r", str(rate)], soundfont, midi, raw)
        with raw.open("rb") as stream:
            pcm = stream.read(frames * FRAME)
    return exact(pcm, frames, round(FADE_SECONDS * rate))


def _near_full_scale(pcm: bytearray) -> bool:
    """Whether any sample reaches 32512 (0x7Fxx) or -32513 (0x80xx): a byte search over
    the high bytes, fast where reading every sample in Python is not."""
    high = pcm[1::2]
    return b"\x7f" in high or b"\x80" in high


def _run_fluidsynth(head: list[str], soundfont: Path, midi: Path, out: Path) -> None:
    command = [*head, "-n", "-i", "-q", "-f", os.devnull, "-T", "raw", "-O", "s16", "-E", "little"]
    for name, value in SETTINGS.items():
        command += ["-o", f"{name}={value}"]
    command += ["-F", str(out), str(soundfont), str(midi)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise RenderError(f"cannot run fluidsynth ({exc.strerror})") from None
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    # FluidSynth exits 0 after skipping a file it cannot load (and plays silence): an error
    # on stderr is a failure too.
    failed = [line for line in lines if "error" in line.lower() or "failed" in line.lower()]
    if done.returncode != 0 or failed or not out.is_file():
        last = (failed or lines or [f"exit status {done.returncode}"])[-1]
        hint = "" if str(soundfont) in last else f"soundfont: {soundfont}"
        raise RenderError(f"fluidsynth failed: {last}", hint=hint)


def exact(pcm: bytes, frames: int, fade: int) -> bytearray:
    """`frames` frames of 16-bit stereo PCM: cut (the last `fade` frames fading linearly to
    silence) or padded with silence. Integer arithmetic, so the same input, the same bytes."""
    out = bytearray(pcm[: frames * FRAME])
    out.extend(bytes(frames * FRAME - len(out)))
    fade = min(fade, frames)
    if fade == 0:
        return out
    tail = array.array("h", out[len(out) - fade * FRAME :])
    if sys.byteorder == "big":
        tail.byteswap()
    for i in range(len(tail)):
        left = fade - i // CHANNELS  # frames left, counting this one: fade ... 1
        tail[i] = tail[i] * left // (fade + 1)
    if sys.byteorder == "big":
        tail.byteswap()
    out[len(out) - fade * FRAME :] = tail.tobytes()
    return out


def silenced(data: bytes, spans: list[tuple[float, float]], fade: float = FADE_SECONDS) -> bytes:
    """The WAV with each (start, end) span in seconds made silent: the sound ringing into a
    span fades out over its first `fade` seconds, then there is nothing until its end."""
    info = wav_info(data)
    head, pcm = data[:44], bytearray(data[44:])
    frames = info.frames
    for start, end in spans:
        a = min(frames, round(start * info.rate))
        b = min(frames, round(end * info.rate))
        ramp = min(b - a, round(fade * info.rate))
        faded = exact(bytes(pcm[a * FRAME : (a + ramp) * FRAME]), ramp, ramp)
        pcm[a * FRAME : (a + ramp) * FRAME] = faded
        pcm[(a + ramp) * FRAME : b * FRAME] = bytes((b - a - ramp) * FRAME)
    return head + bytes(pcm)


def _wav(pcm: bytearray, rate: int) -> bytes:
    """A canonical 44-byte PCM WAV header, then the samples (one copy: 10 MB a minute)."""
    size = len(pcm)
    fmt = struct.pack("<HHIIHH", 1, CHANNELS, rate, rate * FRAME, FRAME, 8 * SAMPLE_WIDTH)
    head = b"RIFF" + struct.pack("<I", 36 + size) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
    return head + b"data" + struct.pack("<I", size) + pcm


# Small readers for tests and checks.


@dataclass(frozen=True, slots=True)
class WavInfo:
    rate: int
    channels: int
    sample_width: int  # bytes
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


def wav_info(data: bytes) -> WavInfo:
    with wave.open(io.BytesIO(data), "rb") as stream:
        return WavInfo(
            stream.getframerate(),
            stream.getnchannels(),
            stream.getsampwidth(),
            stream.getnframes(),
        )


def samples(data: bytes, start: float = 0.0, end: float | None = None) -> array.array[int]:
    """The interleaved 16-bit samples of a WAV between two times in seconds."""
    with wave.open(io.BytesIO(data), "rb") as stream:
        rate, total = stream.getframerate(), stream.getnframes()
        first = min(total, max(0, round(start * rate)))
        last = total if end is None else min(total, max(first, round(end * rate)))
        stream.setpos(first)
        values = array.array("h", stream.readframes(last - first))
    if sys.byteorder == "big":
        values.byteswap()
    return values


def rms(data: bytes, start: float = 0.0, end: float | None = None) -> float:
    """Root mean square level between two times, as a fraction of full scale (0 to 1)."""
    values = samples(data, start, end)
    if not values:
        return 0.0
    return math.sqrt(sum(v * v for v in values) / len(values)) / 32768


def peak(data: bytes) -> int:
    """The largest absolute sample value (32768 at full scale)."""
    values = samples(data)
    return max(max(values), -min(values)) if values else 0
