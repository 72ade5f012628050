"""`improv adapt`: a song through a framework, written as MIDI, audio or notation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from improv_cli.adapt import Adaptation, adapted
from improv_cli.model.framework import Framework


@dataclass(frozen=True, slots=True)
class AdaptResult:
    output: str
    format: str
    files: tuple[str, ...]
    bars: int
    seconds: float
    notes: int
    parts: tuple[str, ...]
    about: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "files": list(self.files),
            "format": self.format,
            "bars": self.bars,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
            "parts": list(self.parts),
            **self.about,
        }


def default_name(song: str, framework_name: str) -> str:
    """SONG-FRAMEWORK: `corpus:bach/bwv66.6` through holding/dorian-vamp -> bwv66.6-dorian-vamp."""
    stem = song.removeprefix("corpus:").rstrip("/").split("/")[-1]
    stem = Path(stem).stem if Path(stem).suffix.lower() in SONG_SUFFIXES else stem
    return f"{stem}-{Path(framework_name).name}"


SONG_SUFFIXES = (".xml", ".musicxml", ".mxl", ".mid", ".midi", ".abc", ".krn")


def adapt_song(
    framework_ref: str,
    adaptation: Adaptation,
    out: str | None = None,
    fmt: str | None = None,
    seed: int | None = None,
) -> AdaptResult:
    """Render `adaptation.song` through the framework to a file (or standard output)."""
    from improv_cli.api import FORMATS, output_format
    from improv_cli.model.loader import load_framework

    fmt = output_format(out, fmt)
    framework = load_framework(framework_ref)
    if seed is not None:
        from dataclasses import replace

        framework = replace(framework, seed=seed)
    target = out or default_name(adaptation.song, framework.name) + FORMATS[fmt]
    return write_adapted(framework, adaptation, target, fmt)


def of_framework(
    framework: Framework, key: str | None = None, tempo: float | None = None
) -> Adaptation:
    """The adaptation a framework's `song:` asks for (with --key and --tempo of the command)."""
    song = framework.song
    assert song is not None
    return Adaptation(song.source, song.melody_part, song.bars, song.mode, key, None, tempo)


def write_adapted(
    framework: Framework, adaptation: Adaptation, target: str, fmt: str
) -> AdaptResult:
    """Realise the adaptation and write it to `target` in `fmt`, all or nothing."""
    from improv_cli.api import check_target, write_files

    check_target(target)
    notation = fmt not in ("midi", "wav")
    done = adapted(framework, adaptation, written=notation)
    timeline = done.timeline
    if fmt == "midi":
        from improv_cli.render.midi import midi_bytes

        files = write_files([midi_bytes(timeline)], target)
    elif fmt == "wav":
        from improv_cli.render.audio import render_audio

        files = write_files([render_audio(timeline).mix], target)
    else:
        from improv_cli.render.musicxml import Header, musicxml_bytes
        from improv_cli.render.notation import notation_pages

        header = Header(done.song.title, f"through {framework.title} · {done.key}")
        score = musicxml_bytes(timeline, header=header)
        files = write_files(notation_pages(score, fmt), target)
    return AdaptResult(
        target,
        fmt,
        files,
        timeline.bars,
        timeline.seconds(),
        len(timeline.notes),
        tuple(p.name for p in timeline.parts),
        done.as_dict(),
    )
