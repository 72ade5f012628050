"""MIDI outputs: the system's ports (through mido and python-rtmidi), and a recording fake.

`output_names()` lists the outputs of every MIDI system python-rtmidi was built with and
that is running here (ALSA's sequencer, a JACK server, CoreMIDI, Windows MM). When none is,
it returns [] and `ports_problem()` says why, in a line a person can act on.

The C libraries behind rtmidi report their failures on file descriptor 2 themselves
("ALSA lib seq_hw.c:... open /dev/snd/seq failed", "Cannot connect to server socket");
those lines are caught here and turned into that one explanation instead.

`RecordingPort` is the stand-in for MIDI hardware, which the build and test machines do not
have (no sound card, no ALSA sequencer): it records every message with the time it was sent,
and can fail part-way as an unplugged or closed device does. Tests and benchmarks play into it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, cast

import mido

from improv_cli.errors import OptionError

HINT = "(improv ports lists them)"
# python-rtmidi's API names (as mido spells them), and how a person knows them
SYSTEMS = {
    "LINUX_ALSA": "ALSA sequencer",
    "UNIX_JACK": "JACK server",
    "MACOSX_CORE": "CoreMIDI",
    "WINDOWS_MM": "Windows MIDI",
}


class OutputPort(Protocol):
    """What playback needs of an output: mido's output ports, RecordingPort and SynthPort."""

    def send(self, msg: mido.Message) -> None: ...

    def close(self) -> None: ...


@contextlib.contextmanager
def captured_stderr() -> Iterator[list[str]]:
    """Catch what C libraries write to file descriptor 2; the lines are in the list after."""
    lines: list[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode("utf-8", "replace")
            lines.extend(line.strip() for line in text.splitlines() if line.strip())


def _listing() -> tuple[dict[str, str], list[str], int]:
    """Output name -> the API it is on; a problem per MIDI system not running; how many run."""
    try:
        rtmidi = importlib.import_module("rtmidi")  # untyped: python-rtmidi has no stubs
    except ImportError:
        return {}, ["python-rtmidi is not installed (pip install python-rtmidi)"], 0
    apis = {
        rtmidi.API_LINUX_ALSA: "LINUX_ALSA",
        rtmidi.API_UNIX_JACK: "UNIX_JACK",
        rtmidi.API_MACOSX_CORE: "MACOSX_CORE",
        rtmidi.API_WINDOWS_MM: "WINDOWS_MM",
    }
    os.environ.setdefault("JACK_NO_START_SERVER", "1")  # list a JACK server, never start one
    names: dict[str, str] = {}
    problems: list[str] = []
    running = 0
    for api in rtmidi.get_compiled_api():
        if api not in apis:
            continue  # rtmidi's dummy API
        try:
            with captured_stderr():
                out = rtmidi.MidiOut(rtapi=api)
                found = out.get_ports()
                out.delete()
        except Exception as err:
            problems.append(f"no {SYSTEMS[apis[api]]} ({_reason(apis[api], err)})")
            continue
        running += 1
        for name in found:
            names.setdefault(name, apis[api])
    return names, problems, running


def _reason(api_name: str, err: Exception) -> str:
    if api_name == "LINUX_ALSA":
        if not os.path.exists("/dev/snd/seq"):
            return "/dev/snd/seq is missing"
        return "cannot open /dev/snd/seq"
    if api_name == "UNIX_JACK":
        return "jackd is not running"
    return str(err).split("\n")[0] or type(err).__name__


def output_names() -> list[str]:
    """The MIDI outputs that can be opened now; [] when no MIDI system runs here."""
    return list(_listing()[0])


def ports_problem() -> str | None:
    """Why there can be no MIDI outputs here, or None when a MIDI system is running."""
    return report()[1]


def report() -> tuple[list[str], str | None]:
    """`output_names()` and `ports_problem()` from one look at the MIDI systems."""
    names, problems, running = _listing()
    if running:
        return list(names), None
    return [], ", ".join(problems) if problems else "python-rtmidi has no MIDI system here"


def open_output(name: str) -> OutputPort:
    """The MIDI output named `name` (or the one output whose name contains it)."""
    names, problems, _ = _listing()
    wanted = name if name in names else _unique_match(name, list(names))
    if wanted is None:
        listed = ", ".join(names) or "none"
        if not names and problems:
            listed += " — " + ", ".join(problems)
        raise OptionError(f"--port: no MIDI output named '{name}'", hint=f"ports: {listed} {HINT}")
    backend = mido.Backend(f"mido.backends.rtmidi/{names[wanted]}", load=True)
    try:
        with captured_stderr():
            port = backend.open_output(wanted)
    except Exception as err:
        raise OptionError(f"--port: cannot open '{wanted}': {err}", hint=HINT) from None
    return SystemPort(cast(OutputPort, port))


class SystemPort:
    """A system MIDI output that lets its last messages out before it closes.

    python-rtmidi hands messages to the MIDI system's own queue (JACK drains it once a
    period); a port closed at once can drop the tail, which is the release: every note off.
    Measured with a JACK server on two busy cores, closing at once lost the release in 9 runs
    of 15; waiting DRAIN seconds first lost it in none."""

    DRAIN = 0.3  # seconds

    def __init__(self, port: OutputPort) -> None:
        self.port = port
        self.name = getattr(port, "name", "")

    def send(self, msg: mido.Message) -> None:
        self.port.send(msg)

    def close(self) -> None:
        time.sleep(self.DRAIN)
        self.port.close()


def _unique_match(name: str, names: list[str]) -> str | None:
    """A port named in part ("fluid" for "FLUID Synth (123):Synth input port 0")."""
    if not name.strip():
        return None
    found = [n for n in names if name.lower() in n.lower()]
    if len(found) > 1:
        raise OptionError(
            f"--port: '{name}' matches several MIDI outputs: {', '.join(found)}",
            hint=f"give more of the name {HINT}",
        )
    return found[0] if found else None


class PortClosed(OSError):
    """A RecordingPort that was closed, or that failed as an unplugged device does."""


class RecordingPort:
    """A fake MIDI output: records (time, message) for every message sent.

    The stand-in for MIDI hardware, which cannot exist on machines without a sound card or an
    ALSA sequencer: tests and benchmarks play into it. `fail_after=N` makes it fail on the
    (N+1)-th message and stay closed, as a device unplugged in mid-playback does.
    """

    name = "recording"

    def __init__(
        self, fail_after: int | None = None, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self.sent: list[tuple[float, mido.Message]] = []
        self.closed = False
        self.fail_after = fail_after
        self.refused = 0  # messages sent after it had closed
        self._clock = clock

    def send(self, msg: mido.Message) -> None:
        if not self.closed and self.fail_after is not None and len(self.sent) >= self.fail_after:
            self.closed = True
        if self.closed:
            self.refused += 1
            raise PortClosed(f"MIDI output '{self.name}' is closed")
        self.sent.append((self._clock(), msg))

    def close(self) -> None:
        self.closed = True

    @property
    def messages(self) -> list[mido.Message]:
        return [m for _, m in self.sent]

    def __enter__(self) -> RecordingPort:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
