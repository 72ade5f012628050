"""Session plans (`improv session`): segments of frameworks and journeys, with transitions,
one safety profile, rendered into a folder all or nothing, and replayable from its manifest.

The folder holds::

    DIR/session.mid              the whole session (a marker at every segment and transition)
    DIR/segments/01-hello.mid    each segment on its own, its transition (if any) first
    DIR/session.wav              with --wav only
    DIR/session-card.pdf         the one-page card: a row per segment and transition
    DIR/session-card.txt         the same table as plain text
    DIR/manifest.json            version, plan and inputs with sha256, seed, outputs' sha256

Everything is rendered in memory, written into a temporary folder beside DIR, and moved into
place at the end; on any error DIR is as it was. DIR must be new, empty, or hold a previous
session and nothing else (the files its manifest lists, unchanged since improv wrote them):
that session is then replaced as a whole. Anything else in DIR is refused, never lost.

`replay` re-renders from a manifest: it refuses when the plan or any input file has changed
(sha256), renders with the manifest's seed, and writes only when every output is
byte-identical to the manifest's hash. The manifest records the plan's path from the session
folder, so a replay works from any working folder while the plan stays where it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from improv_cli import __version__
from improv_cli.errors import OptionError, RenderError
from improv_cli.model.yamlsource import display_path
from improv_cli.session.plan import Plan, input_path, read_plan, sha256_of
from improv_cli.session.transition import pivot

__all__ = ["SessionResult", "pivot", "read_plan", "replay", "session"]


@dataclass(frozen=True, slots=True)
class SessionResult:
    folder: str
    files: tuple[str, ...]  # inside the folder
    bars: int
    seconds: float
    segments: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    replayed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "files": list(self.files),
            "bars": self.bars,
            "seconds": round(self.seconds, 3),
            "segments": list(self.segments),
            "warnings": list(self.warnings),
            "replayed": self.replayed,
        }


def session(
    plan_ref: str, out: str | None = None, wav: bool = False, seed: int | None = None
) -> SessionResult:
    """Render a session plan into the folder `out` (default: PLAN-session)."""
    _folder_option(out)
    plan = read_plan(plan_ref, seed)
    target = Path(out or f"{plan.path.stem}-session")
    replacing = check_folder(target)
    return _render(plan, target, wav, replacing, None)


def replay(manifest_ref: str, out: str, plan_ref: str | None = None) -> SessionResult:
    """Render again what a manifest describes; refuse unless it comes out the same."""
    _folder_option(out)
    source = Path(manifest_ref)
    manifest = read_manifest(source)
    plan_path = Path(plan_ref) if plan_ref else source.parent / manifest["plan"]["path"]
    _unchanged(plan_path, manifest, manifest_ref)
    plan = read_plan(str(plan_path), int(manifest["seed"]))
    if [i.as_dict() for i in plan.inputs] != manifest["inputs"]:
        raise RenderError(
            f"{plan.file}: the plan now reads other files than {manifest_ref} records",
            "render it afresh with improv session PLAN -o DIR",
        )
    target = Path(out)
    replacing = check_folder(target)
    return _render(plan, target, "session.wav" in manifest["outputs"], replacing, manifest)


def _folder_option(out: str | None) -> None:
    if out == "-":
        raise OptionError("-o -: a session is a folder of files", "give a folder, e.g. -o session")


def _render(
    plan: Plan,
    target: Path,
    wav: bool,
    replacing: bool,
    manifest: dict[str, Any] | None,
) -> SessionResult:
    from improv_cli.session.render import manifest as manifest_bytes
    from improv_cli.session.render import outputs, realised, summary, unsafe_pivots

    done = realised(plan)
    files = outputs(done, wav)
    if manifest is not None:
        _same_outputs(files, manifest)
    where = Path(os.path.relpath(plan.path.resolve(), target.resolve())).as_posix()
    files["manifest.json"] = manifest_bytes(done, files, where)
    write_folder(target, files, replacing)
    return SessionResult(
        str(target),
        tuple(sorted(files)),
        done.timeline.bars,
        done.timeline.seconds(),
        tuple(summary(done)),
        (*plan.warnings, *unsafe_pivots(done)),
        manifest is not None,
    )


def read_manifest(path: Path) -> dict[str, Any]:
    shown = display_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RenderError(f"{shown}: no such file", "give DIR/manifest.json") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RenderError(f"{shown}: not a session manifest ({error})") from None
    if not _is_manifest(data):
        raise RenderError(f"{shown}: not a session manifest", "improv session writes manifest.json")
    return dict(data)


def _is_manifest(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    keys = ("improv", "plan", "seed", "inputs", "outputs")
    return all(k in data for k in keys) and isinstance(data["outputs"], dict)


def _unchanged(plan_path: Path, manifest: dict[str, Any], manifest_ref: str) -> None:
    """The plan and every input as the manifest hashed them, or a one-line refusal."""
    shown = display_path(plan_path)
    if not plan_path.is_file():
        raise RenderError(
            f"{shown}: the plan of {manifest_ref} is not there",
            "name it: improv session PLAN --replay MANIFEST -o DIR",
        )
    if sha256_of(plan_path) != manifest["plan"]["sha256"]:
        raise RenderError(
            f"{shown}: the plan has changed since {manifest_ref} was written (sha256 differs)",
            "replay needs the plan as it was; render it afresh with improv session PLAN -o DIR",
        )
    for item in manifest["inputs"][1:]:
        path = input_path(item["path"], plan_path.parent)
        if not path.is_file() or sha256_of(path) != item["sha256"]:
            how = "is missing" if not path.is_file() else "has changed (sha256 differs)"
            raise RenderError(
                f"{item['path']}: {how} since {manifest_ref} was written",
                "replay needs every input as it was; render afresh with improv session PLAN",
            )


def _same_outputs(files: dict[str, bytes], manifest: dict[str, Any]) -> None:
    from improv_cli.session.render import sha256

    wanted: dict[str, str] = manifest["outputs"]
    ours = {name: sha256(data) for name, data in files.items()}
    for name in sorted(set(wanted) | set(ours)):
        if wanted.get(name) != ours.get(name):
            made = f"improv {manifest['improv']} wrote it, this is improv {__version__}"
            raise RenderError(
                f"replay: {name} differs from the manifest's sha256 ({made})",
                "nothing was written",
            )


# --- the folder, all or nothing -----------------------------------------------------------


def check_folder(target: Path) -> bool:
    """Whether `target` holds a previous session to replace; refuse anything else in it."""
    if target.exists() and not target.is_dir():
        raise RenderError(f"{target}: is a file, not a folder", "give a folder for -o")
    if not target.parent.is_dir():
        raise RenderError(f"{target}: the folder {target.parent} does not exist", "create it first")
    if not target.exists() or not any(target.iterdir()):
        return False
    listed = _previous(target)
    for path in sorted(target.rglob("*")):
        name = path.relative_to(target).as_posix()
        if path.is_dir() and name == "segments":
            continue
        if name not in listed or listed[name] != sha256_of(path):
            why = "was changed since improv wrote it" if name in listed else "is not a session's"
            raise RenderError(
                f"{target}: {name} {why}; improv replaces a folder only when it holds a "
                "previous session and nothing else",
                "choose a new or empty folder for -o",
            )
    return True


def _previous(target: Path) -> dict[str, str]:
    """The files of the session in `target` (its manifest's outputs, and the manifest)."""
    path = target / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise RenderError(
            f"{target}: is not empty and holds no improv session",
            "choose a new or empty folder for -o",
        ) from None
    if not _is_manifest(data):
        raise RenderError(f"{target}: is not empty and holds no improv session")
    listed = {str(k): str(v) for k, v in data["outputs"].items()}
    listed["manifest.json"] = sha256_of(path)
    return listed


def write_folder(target: Path, files: dict[str, bytes], replacing: bool) -> None:
    """Stage every file in a temporary folder beside `target`, then move it into place."""
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.staging-"))
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(staging, _folder_mode())
        if replacing:
            _swap(staging, target)
        else:
            os.replace(staging, target)  # a new folder, or over an empty one
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise RenderError(f"{target}: cannot write ({error.strerror})") from None


def _swap(staging: Path, target: Path) -> None:
    """Replace a previous session: set it aside, move the new one in, then delete the old."""
    aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.previous-"))
    os.rmdir(aside)
    os.rename(target, aside)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _folder_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask
