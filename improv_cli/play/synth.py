"""The built-in synthesiser: FluidSynth (through pyfluidsynth) playing to the audio output.

This is the output when no `--port` is given. It needs Debian's `libfluidsynth3` (or the
system's FluidSynth library), pip's `pyfluidsynth` and a General MIDI soundfont (found by
`render.audio.find_soundfont()`). The soundfont is loaded with `update_midi_preset=1`, so
channels sound (drums included) before any program change arrives.

The audio driver is FluidSynth's default for the system, then PulseAudio, PipeWire and JACK;
when none can start (no sound card, no sound server, as on the build machines) the port
fails at once with a RenderError, before anything plays. `driver="file"` writes the sound to
`file` instead, in real time: the tests use it to prove that notes reach the synthesiser.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import mido

from improv_cli.errors import RenderError
from improv_cli.play.ports import HINT, captured_stderr

DRIVERS = ("pulseaudio", "pipewire", "jack")  # tried after FluidSynth's default, in order
NO_AUDIO = "no audio output"
PORT_HINT = f"give --port NAME; {HINT[1:-1]}"


class SynthPort:
    """A MIDI output that plays through FluidSynth; closes its audio driver on close()."""

    name = "built-in synthesiser"

    def __init__(
        self,
        soundfont: str | Path | None = None,
        *,
        driver: str | None = None,
        file: str | Path | None = None,
        gain: float = 0.5,
    ) -> None:
        fluidsynth = _fluidsynth()
        self.closed = True
        self._fs = fluidsynth
        self._synth = fluidsynth.Synth(gain=gain, samplerate=44100.0)
        self._driver: Any = None
        try:
            if file is not None:
                self._synth.setting("audio.file.name", str(file))
            # the audio output first: where there is none, fail before loading a soundfont
            self._driver, self.driver = self._start(driver or ("file" if file else None))
            path = Path(soundfont) if soundfont is not None else _find_soundfont()
            if self._synth.sfload(str(path), update_midi_preset=1) < 0:
                raise RenderError(f"{NO_AUDIO}: cannot load the soundfont {path}", PORT_HINT)
        except BaseException:
            self._delete()
            raise
        self.closed = False

    def _start(self, wanted: str | None) -> tuple[Any, str]:
        """The first audio driver that starts, and its name; RenderError when none does."""
        default = self._synth.get_setting("audio.driver")
        names = [wanted] if wanted else list(dict.fromkeys([default, *DRIVERS]))
        os.environ.setdefault("JACK_NO_START_SERVER", "1")  # use a JACK server, never start one
        said: list[str] = []
        for name in names:
            self._synth.setting("audio.driver", name)
            with captured_stderr() as lines:
                driver = self._fs.new_fluid_audio_driver(self._synth.settings, self._synth.synth)
            if driver:
                return driver, name
            said += [line.removeprefix("fluidsynth: error: ") for line in lines]
        tried = ", ".join(names)
        reason = next((s for s in said if "audio device" in s), said[0] if said else "")
        detail = f": {reason[:1].lower()}{reason[1:]}" if reason else ""
        raise RenderError(
            f"{NO_AUDIO}: no audio driver would start (tried {tried}){detail}", PORT_HINT
        )

    def send(self, msg: mido.Message) -> None:
        if self.closed:
            raise OSError("the built-in synthesiser is closed")
        synth, kind = self._synth, msg.type
        if kind == "note_on":
            if msg.velocity:
                synth.noteon(msg.channel, msg.note, msg.velocity)
            else:
                synth.noteoff(msg.channel, msg.note)
        elif kind == "note_off":
            synth.noteoff(msg.channel, msg.note)
        elif kind == "control_change":
            synth.cc(msg.channel, msg.control, msg.value)
        elif kind == "program_change":
            synth.program_change(msg.channel, msg.program)
        elif kind == "pitchwheel":
            synth.pitch_bend(msg.channel, msg.pitch)

    def active_voices(self) -> int:
        """How many voices are sounding now (the tests check that notes reached the synth)."""
        return int(self._synth.get_active_voice_count())

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._delete()

    def _delete(self) -> None:
        if self._driver:
            self._fs.delete_fluid_audio_driver(self._driver)
            self._driver = None
        self._synth.delete()

    def __enter__(self) -> SynthPort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fluidsynth() -> Any:
    try:
        with captured_stderr():
            fluidsynth = importlib.import_module("fluidsynth")  # untyped: no stubs
    except (ImportError, OSError) as err:
        missing = "pyfluidsynth" if isinstance(err, ModuleNotFoundError) else "libfluidsynth3"
        raise RenderError(
            f"{NO_AUDIO}: the built-in synthesiser needs FluidSynth ({missing} is missing)",
            PORT_HINT,
        ) from None
    return fluidsynth


def _find_soundfont() -> Path:
    try:
        audio = importlib.import_module("improv_cli.render.audio")  # imported only when needed
    except ImportError:
        raise RenderError(f"{NO_AUDIO}: no soundfont finder (render.audio)", PORT_HINT) from None
    return Path(audio.find_soundfont())
