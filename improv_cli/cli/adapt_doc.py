"""The worked example of docs/adapt.md, before and after, as scores: the first eight bars of
Stephen Foster's "Jeanie with the Light Brown Hair" from music21's corpus (a lead sheet with
chord symbols), as written, then played through holding/dorian-vamp re-coloured into
mixolydian. Run from the repository root:

    python -m improv_cli.cli.adapt_doc docs/images

A test draws them again and compares the bytes, so the pictures stay current.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

SONG = "corpus:leadSheet/fosterBrownHair"
BARS = (1, 8)
FRAMEWORK = "holding/dorian-vamp"
MODE = "mixolydian"
IMAGES = ("adapt-before.png", "adapt-after.png")


def images() -> tuple[bytes, bytes]:
    """The song's melody and chords as read, and the song inside the framework."""
    from improv_cli.adapt import Adaptation, adapted
    from improv_cli.model.loader import load_framework
    from improv_cli.render.engrave import png_pages, svg_pages
    from improv_cli.render.musicxml import Header, musicxml_bytes

    framework = load_framework(FRAMEWORK)
    song = adapted(framework, Adaptation(SONG, bars=BARS), written=True)
    melody = song.timeline
    melody = replace(
        melody,
        parts=tuple(p for p in melody.parts if p.name == "melody"),
        notes=tuple(n for n in melody.notes if n.part == "melody"),
    )
    after = adapted(framework, Adaptation(SONG, bars=BARS, mode=MODE), written=True)
    title = song.song.title
    before_page = musicxml_bytes(melody, header=Header(title, f"as written · {song.key}"))
    after_page = musicxml_bytes(
        after.timeline, header=Header(title, f"through {FRAMEWORK} · {after.key}")
    )
    return png_pages(svg_pages(before_page))[0], png_pages(svg_pages(after_page))[0]


def main(folder: str) -> None:
    for name, data in zip(IMAGES, images(), strict=True):
        (Path(folder) / name).write_bytes(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/images")
