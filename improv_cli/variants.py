"""`improv vary`: N seeded variations of one framework, and what each one changed.

Every variation is realised in memory first; the files are then written all or nothing
(temporary files beside the targets, renamed at the end), so a failure leaves the folder
as it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from improv_cli.errors import OptionError, RenderError

if TYPE_CHECKING:
    from improv_cli.api import Overrides
    from improv_cli.engine.variation import Change

DEFAULT_AMOUNT = 0.5  # when the framework itself asks for no variation
MAX_COUNT = 999


@dataclass(frozen=True, slots=True)
class Transformation:
    """One kind of change in one variation: how often, in which bars, an example."""

    kind: str
    count: int
    bars: tuple[int, ...]
    passes: tuple[int, ...]
    detail: str
    whole_pass: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.count,
            "bars": list(self.bars),
            "passes": list(self.passes),
            "detail": self.detail,
            "whole_pass": self.whole_pass,
        }


@dataclass(frozen=True, slots=True)
class Variant:
    output: str
    seed: int
    bars: int
    seconds: float
    notes: int
    changes: tuple[Transformation, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "seed": self.seed,
            "bars": self.bars,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
            "changes": [c.as_dict() for c in self.changes],
        }


@dataclass(frozen=True, slots=True)
class VaryResult:
    folder: str
    framework: str
    amount: float
    variants: tuple[Variant, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "framework": self.framework,
            "variation": self.amount,
            "variants": [v.as_dict() for v in self.variants],
        }


def summarise(changes: tuple[Change, ...]) -> tuple[Transformation, ...]:
    """The log grouped by kind, in the order the kinds first appear."""
    kinds: dict[str, list[Change]] = {}
    for change in changes:
        kinds.setdefault(change.kind, []).append(change)
    return tuple(
        Transformation(
            kind,
            len(found),
            tuple(dict.fromkeys(c.bar for c in found)),
            tuple(dict.fromkeys(c.pass_number for c in found)),
            found[0].detail,
            found[0].whole_pass,
        )
        for kind, found in kinds.items()
    )


def vary(
    framework_ref: str,
    count: int,
    folder: str | None,
    amount: float | None,
    overrides: Overrides,
) -> VaryResult:
    """Render `count` variations, seeds seed+1 ... seed+count, into `folder`."""
    from improv_cli.api import apply
    from improv_cli.engine.realise import realise_logged
    from improv_cli.model.loader import load_framework
    from improv_cli.render.midi import midi_bytes

    if not 1 <= count <= MAX_COUNT:
        raise OptionError(f"--count: {count} is out of range", f"use 1 to {MAX_COUNT}")
    if amount is not None and not 0 < amount <= 1:
        raise OptionError(f"--amount: {amount:g} is out of range", "use more than 0, up to 1")
    if folder == "-":
        raise OptionError("-o: vary writes files into a folder", "give a folder, e.g. -o versions")
    framework = apply(load_framework(framework_ref), overrides)
    name = Path(framework.name).name
    target = Path(folder or f"{name}-variations")
    if target.exists() and not target.is_dir():
        raise RenderError(f"{target}: is a file, not a folder", "give a folder for -o")
    if not target.parent.is_dir():
        raise RenderError(f"{target}: the folder {target.parent} does not exist", "create it first")
    level = amount if amount is not None else framework.variation or DEFAULT_AMOUNT
    width = len(str(count))
    rendered: list[tuple[bytes, Path]] = []
    variants = []
    for k in range(1, count + 1):
        seed = framework.seed + k
        result = realise_logged(replace(framework, seed=seed, variation=level))
        timeline = result.timeline
        path = target / f"{name}-{k:0{width}d}.mid"
        rendered.append((midi_bytes(timeline), path))
        variants.append(
            Variant(
                str(path),
                seed,
                timeline.bars,
                timeline.seconds(),
                len(timeline.notes),
                summarise(result.changes),
            )
        )
    _write_all(rendered, target)
    return VaryResult(str(target), framework.name, level, tuple(variants))


def _write_all(files: list[tuple[bytes, Path]], folder: Path) -> None:
    """Write every file or none: all to temporary files first, then rename them."""
    from improv_cli.api import staged

    made = not folder.exists()
    temps: list[tuple[str, Path]] = []
    try:
        folder.mkdir(exist_ok=True)
        for data, path in files:
            temps.append((staged(data, path), path))
    except OSError as exc:
        for temp, _ in temps:
            os.unlink(temp)
        if made and folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        raise RenderError(f"{folder}: cannot write ({exc.strerror})") from None
    for temp, path in temps:
        os.replace(temp, path)
