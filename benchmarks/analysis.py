"""Analysis benchmark: how long `improv analyze` takes, and how it grows with the session.

Run from the repository root: `.venv/bin/python benchmarks/analysis.py [--quick]`.

A session is two players improvising for M minutes (seeded): the client about 3 notes a
second in phrases with pauses, the therapist a chord on every beat at 90 bpm, written as a
MIDI file. Each row is the best of 3 runs of the library call (read the file, every window
of 6 s every 1 s, the whole-file features, the dyadic ones) and of drawing the plot; memory
is the peak Python allocation (tracemalloc) of one analysis. `--quick` runs 2 and 10 minutes.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import mido

from improv_cli.analysis import analyze
from improv_cli.analysis.plot import session_png

TPQ = 480
BPM = 90.0


def session(path: Path, minutes: float, seed: int = 1) -> int:
    """Write the session; return its number of notes."""
    rng = random.Random(seed)
    per_second = BPM / 60 * TPQ
    events: list[tuple[int, int, int, int, int]] = []  # tick, order, channel, pitch, velocity
    now, total = 0.0, minutes * 60
    while now < total:  # the client: phrases of 4-12 notes, then a pause
        for _ in range(rng.randint(4, 12)):
            length = rng.choice([0.17, 0.33, 0.5])
            pitch = rng.choice([62, 64, 65, 67, 69, 71, 72, 74])
            events.append((round(now * per_second), 1, 0, pitch, rng.randint(50, 100)))
            events.append((round((now + length * 0.9) * per_second), 0, 0, pitch, 0))
            now += length
        now += rng.uniform(0.5, 3.0)
    beats = int(total * BPM / 60)
    for beat in range(beats):  # the therapist: a D minor chord on every beat
        for pitch in (50, 53, 57):
            events.append((beat * TPQ, 1, 1, pitch, 60))
            events.append((beat * TPQ + TPQ - 20, 0, 1, pitch, 0))
    midi = mido.MidiFile(ticks_per_beat=TPQ)
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(BPM))])
    last = 0
    for tick, _, channel, pitch, velocity in sorted(events):
        kind = "note_on" if velocity else "note_off"
        track.append(
            mido.Message(kind, channel=channel, note=pitch, velocity=velocity, time=tick - last)
        )
        last = tick
    midi.tracks.append(track)
    midi.save(str(path))
    return sum(1 for e in events if e[4])


def best(run, times: int = 3) -> float:
    walls = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        walls.append(time.perf_counter() - start)
    return min(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 and 10 minutes only")
    minutes = [2, 10] if parser.parse_args().quick else [10, 30, 60]
    print(
        f"{'minutes':>7} {'notes':>7} {'windows':>7} {'analyse s':>9} {'plot s':>7} {'peak MB':>8}"
    )
    walls = []
    with tempfile.TemporaryDirectory() as folder:
        for m in minutes:
            path = Path(folder) / f"session-{m}.mid"
            notes = session(path, m)
            found = analyze([str(path)]).sessions[0]
            wall = best(lambda p=path: analyze([str(p)]))
            plot = best(lambda s=found: session_png(s), 1)
            tracemalloc.start()
            analyze([str(path)])
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            walls.append(wall)
            print(f"{m:>7} {notes:>7} {len(found.times):>7} {wall:>9.2f} {plot:>7.2f} {peak:>8.1f}")
    ratio = walls[-1] / walls[0]
    linear = minutes[-1] / minutes[0]
    print(f"{minutes[-1]}/{minutes[0]} minutes wall ratio: {ratio:.2f} (linear: {linear:g})")


if __name__ == "__main__":
    sys.exit(main())
