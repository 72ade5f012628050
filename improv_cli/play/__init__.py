"""Live playback: a Timeline or a MIDI file played in real time to a MIDI port or the synth.

    events.py     Timeline / MIDI file -> [Event(seconds, message, bar, tick)], and Cues
    scheduler.py  play(events, port, ...): on time, and every sounding note released, always
    realtime.py   what play() changes while playing: real-time priority, SIGTERM, Ctrl-C
    ports.py      the system's MIDI outputs; RecordingPort, the fake device of the tests
    synth.py      SynthPort: FluidSynth to the audio output (no --port)
    live.py       LiveView: bar, chord, key, loop and time on standard error

The commands call `load` + `perform` (improv play), `play_timeline` (practice --play) and
`ports` (improv ports).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from improv_cli.play.events import Cues, Event, cues, from_midi_file, load_midi_file, schedule
from improv_cli.play.live import LiveView
from improv_cli.play.ports import (
    OutputPort,
    RecordingPort,
    open_output,
    output_names,
    ports_problem,
    report,
)
from improv_cli.play.scheduler import FakeClock, PlayStats, PortError, Terminated, play
from improv_cli.play.synth import SynthPort

if TYPE_CHECKING:
    import threading

    from improv_cli.overrides import Overrides
    from improv_cli.timeline import Timeline

MIDI_SUFFIXES = (".mid", ".midi")
SYNTH_TAIL = 1.0  # seconds the synthesiser rings on after the end, before it is closed

__all__ = [
    "Cues",
    "Event",
    "FakeClock",
    "LiveView",
    "OutputPort",
    "PlayStats",
    "PortError",
    "RecordingPort",
    "SynthPort",
    "Terminated",
    "cues",
    "from_midi_file",
    "load",
    "load_midi_file",
    "open_output",
    "output_names",
    "perform",
    "play",
    "play_timeline",
    "ports",
    "ports_problem",
    "schedule",
]


def load(source: str, overrides: Overrides | None = None) -> tuple[list[Event], Cues]:
    """What `improv play SOURCE` plays: a .mid/.midi file as it is, else a framework."""
    if Path(source).suffix.lower() in MIDI_SUFFIXES:
        return load_midi_file(source)
    from improv_cli.api import Overrides, timeline

    realised = timeline(source, overrides or Overrides())
    return schedule(realised), cues(realised)


def perform(
    events: Iterable[Event],
    about: Cues,
    port: str | OutputPort | None = None,
    *,
    view: bool = True,
    endless: bool = False,
    stop: threading.Event | None = None,
) -> PlayStats:
    """Play to the MIDI output named `port` (or that port, or the built-in synthesiser),
    with the live view (shown only when standard error is a terminal).

    Raises OptionError (no such port), RenderError (no audio output), PortError, and on
    Ctrl-C / SIGTERM KeyboardInterrupt / Terminated, after every sounding note is released."""
    if isinstance(port, str):
        output: OutputPort = open_output(port)
    else:
        output = port if port is not None else SynthPort()
    try:
        live = LiveView(about, endless=endless) if view else None
        with live or nullcontext():
            stats = play(
                events,
                output,
                on_tick=live.on_tick if live else None,
                on_idle=live.refresh if live else None,
                stop=stop,
            )
        if isinstance(output, SynthPort) and not stats.stopped:
            time.sleep(SYNTH_TAIL)
        return stats
    finally:
        output.close()


def play_timeline(
    timeline: Timeline,
    port: str | None = None,
    *,
    view: bool = True,
    endless: bool = False,
    stop: threading.Event | None = None,
) -> PlayStats:
    """Play a Timeline (practice --play): `endless` hides the loop total."""
    return perform(schedule(timeline), cues(timeline), port, view=view, endless=endless, stop=stop)


def ports() -> dict[str, Any]:
    """`improv ports`: the MIDI outputs, and why there are none when no MIDI system runs."""
    names, problem = report()
    return {"ports": names, "problem": problem}
