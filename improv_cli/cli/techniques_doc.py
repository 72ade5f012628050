"""The worked example of docs/techniques.md: one client phrase and each technique's answer
drawn as a score (docs/images/respond-TECHNIQUE.png). Run from the repository root:

    python -m improv_cli.cli.techniques_doc docs/images

A test renders them again and compares the bytes, so the pictures stay current.
"""

from __future__ import annotations

import sys
from pathlib import Path

from improv_cli.respond.client import Client, client_from_seconds
from improv_cli.timeline import Note

FRAMEWORK = "holding/dorian-vamp"
SEED = 1
# The client, at 80 bpm (0.75 s a beat): a rising call that leaps and falls back, louder as
# it climbs, then a pause, and a shorter phrase of repeated notes.
BEAT = 0.75
PHRASE = [
    (0.0, 1.0, 62, 60),
    (1.0, 0.5, 64, 66),
    (1.5, 0.5, 66, 72),  # F sharp: outside D dorian
    (2.0, 1.0, 69, 84),
    (3.0, 1.0, 74, 96),
    (4.0, 2.0, 72, 80),
    (8.0, 0.5, 69, 70),
    (8.5, 0.5, 69, 74),
    (9.0, 1.0, 67, 78),
    (10.0, 2.0, 65, 64),
]


def example_client() -> Client:
    timed = [(s * BEAT, (s + d) * BEAT, p, v) for s, d, p, v in PHRASE]
    return client_from_seconds(timed, 0, "example")


def image(technique: str) -> bytes:
    """The client's phrase over the therapist's answer, as a PNG page."""
    from dataclasses import replace

    from improv_cli.model.loader import load_framework
    from improv_cli.render.engrave import png_pages, svg_pages
    from improv_cli.render.musicxml import Header, musicxml_bytes
    from improv_cli.respond import answer, response_timeline

    framework = load_framework(FRAMEWORK)
    client = example_client()
    timeline = response_timeline(client, answer(client, framework, technique, SEED), framework)
    timeline = replace(timeline, title=technique, notes=quantised(timeline.notes))
    header = Header(f"{technique}", f"{FRAMEWORK} · D dorian · client at {client.tempo:g} bpm")
    pages = png_pages(svg_pages(musicxml_bytes(timeline, header=header)))
    return pages[0]


def quantised(notes: tuple[Note, ...], grid: int = 120) -> tuple[Note, ...]:
    """Notes on a sixteenth-note grid, as a score writes them (a recording is not on one)."""
    out = []
    for n in notes:
        start = round(n.start / grid) * grid
        end = max(start + grid, round(n.end / grid) * grid)
        out.append(Note(n.part, start, end - start, n.pitch, n.velocity))
    return tuple(out)


def main(folder: str) -> None:
    from improv_cli.respond import techniques

    for name in techniques():
        (Path(folder) / f"respond-{name}.png").write_bytes(image(name))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/images")
