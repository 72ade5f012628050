"""The bundled library: frameworks/ beside the package (checkout) or inside it (wheel)."""

from __future__ import annotations

from pathlib import Path

GROOVES = "grooves"


def library_root() -> Path:
    """The folder of bundled frameworks, in an installed wheel or in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "frameworks"
    if packaged.is_dir():
        return packaged
    return here.parent / "frameworks"


def framework_names() -> list[str]:
    """Every bundled framework as `technique/name`, sorted (grooves are not frameworks)."""
    root = library_root()
    names = [
        path.relative_to(root).with_suffix("").as_posix()
        for path in root.glob("*/*.yaml")
        if path.parent.name != GROOVES
    ]
    return sorted(names)


def groove_names() -> list[str]:
    return sorted(path.stem for path in (library_root() / GROOVES).glob("*.yaml"))


def framework_path(name: str) -> Path | None:
    """The file of a library framework, or None."""
    if name.startswith(GROOVES + "/") or ".." in name.split("/"):
        return None
    path = library_root() / f"{name}.yaml"
    return path if path.is_file() else None


def groove_path(name: str) -> Path | None:
    if "/" in name or ".." in name:
        return None
    path = library_root() / GROOVES / f"{name}.yaml"
    return path if path.is_file() else None
