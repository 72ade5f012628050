"""Session plan YAML -> a typed, checked `Plan` (frameworks loaded, journeys checked).

A plan lists segments, each a framework or an iso-principle journey with a length, an
optional transition into it, and one safety profile for the whole session::

    title: A calming arc                 # required
    purpose: Meet the client's energy, then settle towards rest.
    seed: 7                              # default 0; segment n (from 0) plays seed + n
    safety: {ceiling: 100}               # as a framework's safety (gentle, or a mapping)
    segments:                            # required, at least one
      - name: hello                      # required, unique
        framework: accompanying/folk-song-frame   # library name, or path from the plan's folder
        bars: 8                          # or minutes: 2; neither: the framework's own length
        purpose: A greeting song frame   # optional
      - name: slowing
        journey: {framework: holding/dorian-vamp, from: 96, to: 66, minutes: 3}
        transition: {bars: 4}            # N bars into this segment from the one before

Every problem raises `FrameworkError` with the plan's file, line, column and key path, before
anything is realised. Nothing here imports music21.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from improv_cli.errors import FrameworkError, OptionError, Pos
from improv_cli.journey import SHAPES, JourneySpec, check, parse_also, plan
from improv_cli.model import library
from improv_cli.model.checks import Checker
from improv_cli.model.feel import read_safety
from improv_cli.model.framework import Framework, Length, Safety
from improv_cli.model.loader import load_framework
from improv_cli.model.syntax import suggest
from improv_cli.model.yamlsource import Document, KeyPath, display_path, load_document

TOP_KEYS = ("title", "purpose", "seed", "safety", "segments")
SEGMENT_KEYS = ("name", "framework", "journey", "bars", "minutes", "purpose", "transition")
JOURNEY_KEYS = (
    "framework",
    "from",
    "to",
    "minutes",
    "shape",
    "max_step",
    "hold_start",
    "hold_end",
    "phrase",
    "also",
)
TRANSITION_KEYS = ("bars",)
MAX_TRANSITION_BARS = 64
LIBRARY = "library:"
# journey.check speaks of command-line options; a plan names its keys
_OPTION_KEYS = {
    "--from": "from",
    "--to": "to",
    "--shape": "shape",
    "--minutes": "minutes",
    "--max-step": "max_step",
    "--also": "also",
    "--hold-start": "hold_start",
}


@dataclass(frozen=True, slots=True)
class Input:
    """A file the session read: its path as the manifest shows it, and its sha256."""

    path: str  # from the plan's folder, or library:technique/name.yaml
    sha256: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class Segment:
    index: int  # from 0
    name: str
    ref: str  # the framework as the plan names it
    framework: Framework  # loaded, with the segment's seed
    length: Length  # a framework segment's length (Length(): the framework's own)
    journey: JourneySpec | None = None
    purpose: str | None = None
    transition: int | None = None  # bars into this segment from the one before
    transition_pos: Pos | None = None  # where the plan gives it (its chords point there)

    @property
    def label(self) -> str:
        return f"segment '{self.name}'"


@dataclass(frozen=True, slots=True)
class Plan:
    file: str  # as messages show it
    path: Path
    title: str
    purpose: str | None
    seed: int
    safety: Safety | None
    segments: tuple[Segment, ...]
    inputs: tuple[Input, ...] = field(default=())  # the plan first, then what it read
    warnings: tuple[str, ...] = ()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_plan(ref: str, seed: int | None = None) -> Plan:
    """Read and check a plan file; `seed` replaces the plan's own."""
    path = Path(ref)
    doc = load_document(path, display_path(path))
    if not isinstance(doc.data, dict):
        raise FrameworkError(
            "a session plan must be a mapping of keys (title: ..., segments: ...)",
            pos=Pos(doc.file, 1, 1),
            hint="start with 'title: My session'",
        )
    return _Reader(doc, path).plan(seed)


def input_path(shown: str, plan_folder: Path) -> Path:
    """Where an input the manifest names is now: the library, or beside the plan."""
    if shown.startswith(LIBRARY):
        return library.library_root() / shown.removeprefix(LIBRARY)
    return plan_folder / shown


def shown_path(path: Path, plan_folder: Path) -> str:
    """An input's path for the manifest: in the library, or from the plan's folder."""
    root = library.library_root().resolve()
    real = path.resolve()
    if real.is_relative_to(root):
        return LIBRARY + real.relative_to(root).as_posix()
    return Path(os.path.relpath(real, plan_folder.resolve())).as_posix()


def slug(name: str) -> str:
    """A segment's name as part of a file name: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "segment"


class _Reader(Checker):
    def __init__(self, doc: Document, path: Path) -> None:
        super().__init__(doc)
        self.path = path
        self.folder = path.parent
        self.files: dict[str, Input] = {}
        self.warnings: list[str] = []

    def plan(self, seed: int | None) -> Plan:
        data: dict[str, Any] = self.doc.data
        self.keys(data, (), TOP_KEYS)
        for key in ("title", "segments"):
            if key not in data:
                self.fail((key,), f"missing required key '{key}'", _MISSING[key])
        title = self._text(data, (), "title")
        if not title:
            self.fail(("title",), "the title is empty", "give the session a name")
        own_seed = self.whole(data.get("seed", 0), ("seed",), 0, 2**31 - 1)
        seed = own_seed if seed is None else seed
        safety = read_safety(self, data.get("safety"), ("safety",))
        self._add(self.path)
        segments = self._segments(data["segments"], seed, safety)
        return Plan(
            self.doc.file,
            self.path,
            title,
            self._text(data, (), "purpose") or None,
            seed,
            safety,
            segments,
            tuple(self.files.values()),
            tuple(self.warnings),
        )

    def _text(self, data: dict[str, Any], path: KeyPath, key: str) -> str:
        value = data.get(key)
        return "" if value is None else str(self.typed(value, (*path, key), str)).strip()

    def _segments(self, value: Any, seed: int, safety: Safety | None) -> tuple[Segment, ...]:
        self.typed(value, ("segments",), list)
        if not value:
            self.fail(("segments",), "the plan has no segments", "add at least one segment")
        segments: list[Segment] = []
        for index, item in enumerate(value):
            segment = self._segment(item, ("segments", index), index, seed, safety)
            if any(s.name == segment.name for s in segments):
                self.fail(
                    ("segments", index, "name"),
                    f"two segments are called '{segment.name}'",
                    "give each segment its own name",
                )
            segments.append(segment)
        return tuple(segments)

    def _segment(
        self, item: Any, path: KeyPath, index: int, seed: int, safety: Safety | None
    ) -> Segment:
        self.typed(item, path, dict)
        self.keys(item, path, SEGMENT_KEYS)
        if "name" not in item:
            self.fail(path, "a segment needs a name", "add 'name: hello'")
        name = self._text(item, path, "name")
        if not name:
            self.fail((*path, "name"), "the name is empty", "give the segment a name")
        has_journey = "journey" in item
        if has_journey == ("framework" in item):
            self._neither_or_both(item, path, name)
        segment_seed = (seed + index) % 2**31
        if has_journey:
            self._no_length(item, path)
            ref, framework, spec = self._journey(item["journey"], (*path, "journey"))
            length = Length()
        else:
            ref, framework = self._framework(item["framework"], (*path, "framework"))
            spec, length = None, self._length(item, path)
        return Segment(
            index,
            name,
            ref,
            _shaped(framework, segment_seed, safety),
            length,
            spec,
            self._text(item, path, "purpose") or None,
            self._transition(item, path, index),
            self.doc.pos((*path, "transition")) if "transition" in item else None,
        )

    def _neither_or_both(self, item: dict[str, Any], path: KeyPath, name: str) -> None:
        if "journey" in item:
            self.fail(
                (*path, "journey"),
                f"segment '{name}' names both a framework and a journey",
                "keep one: a journey names its own framework",
                at_key=True,
            )
        self.fail(
            path,
            f"segment '{name}' names neither a framework nor a journey",
            "add 'framework: holding/dorian-vamp' or 'journey: {framework: ..., from: ..., ...}'",
        )

    def _no_length(self, item: dict[str, Any], path: KeyPath) -> None:
        for key in ("bars", "minutes"):
            if key in item:
                self.fail(
                    (*path, key),
                    "a journey's length is its own 'minutes'",
                    "give journey: {minutes: M} instead",
                    at_key=True,
                )

    def _length(self, item: dict[str, Any], path: KeyPath) -> Length:
        if "bars" in item and "minutes" in item:
            self.fail(
                (*path, "minutes"),
                "a segment lasts either bars or minutes",
                "keep one of them",
                at_key=True,
            )
        if "bars" in item:
            return Length(bars=self.whole(item["bars"], (*path, "bars"), 1, 100_000))
        if "minutes" in item:
            return Length(minutes=self.number(item["minutes"], (*path, "minutes"), 0.01, 600))
        return Length()

    def _transition(self, item: dict[str, Any], path: KeyPath, index: int) -> int | None:
        value = item.get("transition")
        if value is None:
            return None
        where: KeyPath = (*path, "transition")
        if index == 0:
            self.fail(
                where,
                "the first segment has no segment before it to come from",
                "move the transition to a later segment",
                at_key=True,
            )
        self.typed(value, where, dict)
        self.keys(value, where, TRANSITION_KEYS)
        if "bars" not in value:
            self.fail(where, "a transition needs its length in bars", "e.g. transition: {bars: 2}")
        return self.whole(value["bars"], (*where, "bars"), 1, MAX_TRANSITION_BARS)

    def _framework(self, value: Any, path: KeyPath) -> tuple[str, Framework]:
        """A path from the plan's folder first, then a library name."""
        ref = str(self.typed(value, path, str)).strip()
        local = self.folder / ref
        found = next((p for p in (local, Path(f"{local}.yaml")) if p.is_file()), None)
        found = found or library.framework_path(ref.removesuffix(".yaml"))
        if found is None:
            hint = suggest(ref, library.framework_names()) or (
                "a library name (see 'improv list') or a path from the plan's folder"
            )
            self.fail(path, f"no framework '{ref}' in the library or beside the plan", hint)
        framework = load_framework(str(found))
        if framework.song is not None:
            self.fail(
                path,
                f"'{ref}' plays a song; a session plays frameworks and journeys",
                "render the song with 'improv adapt', or name a framework without song:",
            )
        self._read_files(found, framework)
        return ref, framework

    def _read_files(self, path: Path, framework: Framework) -> None:
        """Record the framework's file, the files it extends and its library grooves."""
        seen: set[Path] = set()
        current: Path | None = path
        while current is not None and current.resolve() not in seen:
            seen.add(current.resolve())
            self._add(current)
            current = _extended(current)
        for section in framework.sections:
            groove = section.groove
            found = library.groove_path(groove.name) if groove else None
            if found is not None:
                self._add(found)

    def _add(self, path: Path) -> None:
        shown = shown_path(path, self.folder)
        if shown not in self.files:
            self.files[shown] = Input(shown, sha256_of(path))

    def _journey(self, value: Any, path: KeyPath) -> tuple[str, Framework, JourneySpec]:
        self.typed(value, path, dict)
        self.keys(value, path, JOURNEY_KEYS)
        for key in ("framework", "from", "to", "minutes"):
            if key not in value:
                self.fail(path, f"a journey needs '{key}'", _JOURNEY_HINT)
        ref, framework = self._framework(value["framework"], (*path, "framework"))
        shape = str(self.typed(value.get("shape", "linear"), (*path, "shape"), str))
        if shape not in SHAPES:
            hint = suggest(shape, SHAPES) or "shapes: " + ", ".join(SHAPES)
            self.fail((*path, "shape"), f"unknown shape '{shape}'", hint)
        spec = JourneySpec(
            start=self.number(value["from"], (*path, "from"), 20, 400),
            target=self.number(value["to"], (*path, "to"), 20, 400),
            minutes=self.number(value["minutes"], (*path, "minutes"), 0.01, 600),
            shape=shape,
            max_step=self.number(value.get("max_step", 8), (*path, "max_step"), 0, 100),
            hold_start=self.whole(value.get("hold_start", 4), (*path, "hold_start"), 0, 1000),
            hold_end=self.whole(value.get("hold_end", 4), (*path, "hold_end"), 0, 1000),
            phrase=self.whole(value.get("phrase", 4), (*path, "phrase"), 1, 1000),
            also=self._also(value.get("also"), (*path, "also")),
        )
        self._possible(spec, framework, path)
        return ref, framework, spec

    def _also(self, value: Any, path: KeyPath) -> Any:
        if value is None:
            return ()
        text = str(self.typed(value, path, str))
        try:
            return parse_also(text)
        except OptionError as error:
            self.fail(path, f"cannot read '{text}' ({_unprefixed(error.message)})", error.hint)

    def _possible(self, spec: JourneySpec, framework: Framework, path: KeyPath) -> None:
        """Refuse an impossible journey now; remember why a possible one runs longer."""
        try:
            check(spec)
            extended = plan(spec, framework.meter)[2]
        except OptionError as error:
            option = error.message.split(":", 1)[0].split()[0]
            key = _OPTION_KEYS.get(option, "max_step")
            self.fail((*path, key), _unprefixed(error.message), error.hint)
        if extended:
            self.warnings.append(f"{self.doc.pos(path)}: journey: {extended}")


def _unprefixed(message: str) -> str:
    """`--max-step: 0 % can never ...` -> `0 % can never ...` (the option is the key)."""
    if not message.startswith("--") or " " not in message:
        return message
    return message.split(" ", 1)[1]


def _extended(path: Path) -> Path | None:
    """The file a framework file `extends:`, found as the loader finds it."""
    data = load_document(path).data
    ref = data.get("extends") if isinstance(data, dict) else None
    if not isinstance(ref, str):
        return None
    for candidate in (path.parent / ref, path.parent / f"{ref}.yaml"):
        if candidate.is_file():
            return candidate
    return library.framework_path(ref.removesuffix(".yaml"))


def _shaped(framework: Framework, seed: int, safety: Safety | None) -> Framework:
    """The segment's seed; the session's accent limit, kept by the engine where tighter.

    An accent cannot be told from a louder note once the music is realised, so `max_accent`
    is the one limit of the session's profile handed to the frameworks; the others (ceiling,
    max_change, tempo) are checked on the realised music and never clamped."""
    framework = replace(framework, seed=seed)
    if safety is None or safety.max_accent is None:
        return framework
    own = framework.safety or Safety()
    accent = min(safety.max_accent, own.max_accent if own.max_accent is not None else 64)
    return replace(framework, safety=replace(own, max_accent=accent))


_MISSING = {
    "title": "add 'title: A name for the session'",
    "segments": "add 'segments:' with a list of '- name: ..., framework: ...'",
}
_JOURNEY_HINT = "e.g. journey: {framework: holding/dorian-vamp, from: 96, to: 66, minutes: 3}"
