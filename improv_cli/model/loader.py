"""YAML framework files -> validated `Framework` values.

`load_framework` accepts a path or a library name, follows `extends:` (detecting cycles) and
checks every key; the first problem raises `FrameworkError` naming file, line, column, key
path and a hint. Nothing here imports music21, so validating is fast.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from improv_cli.errors import FrameworkError, Pos
from improv_cli.model import library
from improv_cli.model.checks import Checker
from improv_cli.model.feel import (
    read_expression,
    read_humanise,
    read_level,
    read_safety,
    read_tempo_level,
    read_vary,
)
from improv_cli.model.framework import (
    Chord,
    Degree,
    Framework,
    Groove,
    Harmony,
    Humanise,
    Key,
    Length,
    MelodyEvent,
    Meter,
    Phrase,
    Section,
)
from improv_cli.model.grooves import read_groove, read_parts
from improv_cli.model.song import read_song_spec
from improv_cli.model.syntax import (
    ROMAN,
    parse_harmony,
    parse_key,
    parse_melody,
    parse_meter,
    plain_numeral,
    suggest,
    tokens,
)
from improv_cli.model.yamlsource import Document, KeyPath, display_path, load_document

TECHNIQUES = (
    "holding",
    "grounding",
    "mirroring",
    "reflecting",
    "matching",
    "dialoguing",
    "containing",
    "accompanying",
    "frameworking",
    "transitions",
    "practice",
)
TOP_KEYS = (
    "title",
    "technique",
    "purpose",
    "key",
    "tempo",
    "meter",
    "groove",
    "harmony",
    "melody",
    "length",
    "seed",
    "variation",
    "vary",
    "humanise",
    "humanize",
    "safety",
    "expression",
    "parts",
    "sections",
    "form",
    "extends",
    "song",
)
SECTION_KEYS = ("harmony", "melody", "groove", "expression", "repeat", "tempo", "dynamics")
LENGTH_KEYS = ("bars", "minutes")


def resolve(ref: str) -> tuple[Path, str]:
    """A framework reference (a path or a library name) -> its file and its short name."""
    path = Path(ref)
    if path.is_file():
        return path, path.stem
    found = library.framework_path(ref.removesuffix(".yaml"))
    if found:
        return found, ref.removesuffix(".yaml")
    if path.suffix in (".yaml", ".yml") or path.parent != Path("."):
        if path.exists():
            raise FrameworkError(f"{ref}: is not a file")
        hint = suggest(ref, library.framework_names()) or "check the path"
        raise FrameworkError(f"{ref}: no such file or library framework", hint=hint)
    hint = suggest(ref, library.framework_names()) or "see 'improv list' for library names"
    raise FrameworkError(f"no framework file or library framework named '{ref}'", hint=hint)


def load_framework(ref: str) -> Framework:
    """Load and validate a framework by path or library name (a song's path, from `song:`,
    read from the framework file's folder)."""
    path, name = resolve(ref)
    framework = build_framework(read_merged(path), name)
    song = framework.song
    if song and not song.source.startswith("corpus:") and not Path(song.source).is_absolute():
        located = replace(song, source=str(path.parent / song.source))
        framework = replace(framework, song=located)
    return framework


def _shown(path: Path) -> str:
    root = library.library_root()
    try:
        return "library:" + path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return display_path(path)


def read_merged(path: Path, seen: tuple[Path, ...] = ()) -> Document:
    """Read a file and, through `extends:`, the files it starts from (child keys win)."""
    real = path.resolve()
    doc = load_document(path, _shown(path))
    _require_mapping(doc)
    base_ref = doc.data.get("extends")
    if base_ref is None:
        return doc
    check = Checker(doc)
    check.typed(base_ref, ("extends",), str)
    base_path = _extends_path(base_ref, path)
    if base_path is None:
        hint = suggest(base_ref, library.framework_names()) or "a library name or a relative path"
        check.fail(("extends",), f"cannot find '{base_ref}' to extend", hint)
    if base_path.resolve() in (*seen, real):
        chain = " -> ".join(p.name for p in (*seen, real, base_path.resolve()))
        raise _Cycle(chain)
    try:
        base = read_merged(base_path, (*seen, real))
    except _Cycle as cycle:
        if seen:
            raise
        check.fail(("extends",), f"extends forms a cycle: {cycle}", "remove one 'extends'")
    return _merge(base, doc)


def _check_degrees(key: Key, sections: tuple[Section, ...]) -> None:
    """A plain numeral in a scale of fewer than seven notes must name one of its degrees."""
    size = len(key.intervals)
    if size >= 7:
        return
    for section in sections:
        for bar in section.harmony:
            for chord in bar:
                numeral = plain_numeral(chord.text) if chord.is_roman else None
                if numeral and numeral[0] > size:
                    raise FrameworkError(
                        f"'{chord.text}' names degree {numeral[0]}, but {key} has {size} notes",
                        pos=chord.pos,
                        key="harmony",
                        hint=f"use numerals I to {ROMAN[size - 1]}, or chord symbols",
                    )


class _Cycle(Exception):
    """A chain of `extends` that comes back to a file; reported at the file first named."""


def _require_mapping(doc: Document) -> None:
    if not isinstance(doc.data, dict):
        raise FrameworkError(
            "a framework must be a mapping of keys (title: ..., key: ...)",
            pos=Pos(doc.file, 1, 1),
            hint="start with 'title: My framework'",
        )


def _extends_path(ref: str, child: Path) -> Path | None:
    candidates = [child.parent / ref, child.parent / f"{ref}.yaml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return library.framework_path(ref.removesuffix(".yaml"))


def _merge(base: Document, child: Document) -> Document:
    """Top-level keys of the child replace the base's; positions follow their key's file."""
    override = set(child.data) - {"extends"}
    data = {k: v for k, v in base.data.items() if k not in override}
    data.update({k: v for k, v in child.data.items() if k != "extends"})

    def keep(table: dict[KeyPath, Pos], ours: dict[KeyPath, Pos]) -> dict[KeyPath, Pos]:
        merged = {p: v for p, v in table.items() if not p or p[0] not in override}
        merged.update({p: v for p, v in ours.items() if p and p[0] in override})
        return merged

    return Document(
        data,
        keep(base.positions, child.positions),
        keep(base.key_positions, child.key_positions),
        child.file,
    )


def build_framework(doc: Document, name: str) -> Framework:
    """Validate a merged document into a `Framework`."""
    _require_mapping(doc)
    return _Builder(doc).framework(name)


class _Builder(Checker):
    def framework(self, name: str) -> Framework:
        data: dict[str, Any] = self.doc.data
        self.keys(data, (), TOP_KEYS)
        if "title" not in data:
            self.fail(
                ("title",), "missing required key 'title'", "add 'title: A name for the framework'"
            )
        title = self.typed(data["title"], ("title",), str).strip()
        if not title:
            self.fail(("title",), "the title is empty", "give the framework a name")
        meter = self._meter(data)
        key = self._key(data)
        top_groove = self._groove(data, (), meter)
        top_harmony = self._harmony(data, ())
        top_melody = self._melody(data, (), meter)
        top_expression = read_expression(self, data.get("expression"), ("expression",), meter)
        sections, has_sections = self._sections(
            data, meter, Section("main", top_harmony, top_melody, top_groove, ())
        )
        _check_degrees(key, sections)
        groove_name = top_groove.name if top_groove else None
        return Framework(
            name=name,
            source=self.doc.file,
            title=title,
            key=key,
            tempo=self.number(data.get("tempo", 90), ("tempo",), 20, 400),
            meter=meter,
            sections=sections,
            technique=self._technique(data),
            purpose=self._optional_text(data, "purpose"),
            length=self._length(data),
            seed=self.whole(data.get("seed", 0), ("seed",), 0, 2**31 - 1),
            variation=self.number(data.get("variation", 0), ("variation",), 0, 1),
            expression=top_expression,
            parts=read_parts(self, data.get("parts"), ("parts",)),
            has_sections=has_sections,
            groove_name=groove_name,
            humanise=self._humanise(data),
            safety=read_safety(self, data.get("safety"), ("safety",)),
            vary=read_vary(self, data.get("vary"), ("vary",), key),
            song=read_song_spec(self, data.get("song"), ("song",)),
        )

    def _humanise(self, data: dict[str, Any]) -> Humanise | None:
        """`humanise`, or the American `humanize`; not both."""
        if "humanise" in data and "humanize" in data:
            self.fail(("humanize",), "humanise is given twice", "keep one spelling", at_key=True)
        name = "humanize" if "humanize" in data else "humanise"
        return read_humanise(self, data.get(name), (name,))

    def _optional_text(self, data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(self.typed(value, (key,), str))

    def _technique(self, data: dict[str, Any]) -> str | None:
        value = self._optional_text(data, "technique")
        if value is not None and value not in TECHNIQUES:
            hint = suggest(value, TECHNIQUES) or "one of: " + ", ".join(TECHNIQUES)
            self.fail(("technique",), f"unknown technique '{value}'", hint)
        return value

    def _meter(self, data: dict[str, Any]) -> Meter:
        text = str(self.typed(data.get("meter", "4/4"), ("meter",), str))
        return Meter(*self.parse(text, ("meter",), parse_meter))

    def _key(self, data: dict[str, Any]) -> Key:
        text = str(self.typed(data.get("key", "C major"), ("key",), str))
        return Key(*self.parse(text, ("key",), parse_key))

    def _length(self, data: dict[str, Any]) -> Length:
        value = data.get("length")
        if value is None:
            return Length()
        path: KeyPath = ("length",)
        self.typed(value, path, dict)
        self.keys(value, path, LENGTH_KEYS)
        if len(value) != 1:
            self.fail(
                path, "length takes either bars or minutes", "e.g. {bars: 32} or {minutes: 5}"
            )
        if "bars" in value:
            return Length(bars=self.whole(value["bars"], (*path, "bars"), 1, 100_000))
        return Length(minutes=self.number(value["minutes"], (*path, "minutes"), 0.01, 600))

    def _lines(self, data: dict[str, Any], path: KeyPath, key: str) -> list[tuple[str, KeyPath]]:
        """A string, or a list of strings read one after another, with their key paths."""
        value = data.get(key)
        path = (*path, key)
        if value is None:
            return []
        if isinstance(value, str):
            return [(value, path)]
        self.typed(value, path, str, list)
        return [(self.typed(v, (*path, i), str), (*path, i)) for i, v in enumerate(value)]

    def _harmony(self, data: dict[str, Any], path: KeyPath) -> Harmony:
        bars: list[tuple[Chord, ...]] = []
        for text, where in self._lines(data, path, "harmony"):
            for bar in self.parse(text, where, parse_harmony):
                bars.append(
                    tuple(
                        Chord(chord, roman, self.token_pos(where, text, offset))
                        for chord, roman, offset in bar
                    )
                )
        return tuple(bars)

    def _melody(self, data: dict[str, Any], path: KeyPath, meter: Meter) -> tuple[Phrase, ...]:
        phrases: list[Phrase] = []
        for text, where in self._lines(data, path, "melody"):
            bars = self.parse(text, where, lambda t: parse_melody(t, meter.bar_ticks, str(meter)))
            phrases.append(
                tuple(
                    tuple(
                        MelodyEvent(
                            Degree(t.degree.degree, t.degree.alter, t.degree.octave)
                            if t.degree
                            else None,
                            t.ticks,
                            self.token_pos(where, text, t.offset),
                        )
                        for t in bar
                    )
                    for bar in bars
                )
            )
        return tuple(phrases)

    def _groove(self, data: dict[str, Any], path: KeyPath, meter: Meter) -> Groove | None:
        value = data.get("groove")
        if value is None:
            return None
        return read_groove(self, value, (*path, "groove"), meter)

    def _sections(
        self, data: dict[str, Any], meter: Meter, top: Section
    ) -> tuple[tuple[Section, ...], bool]:
        sections = data.get("sections")
        form = data.get("form")
        if sections is None:
            if form is not None:
                self.fail(("form",), "a form needs sections", "add 'sections: {A: {...}}'")
            return (top,), False
        self.typed(sections, ("sections",), dict)
        if not sections:
            self.fail(("sections",), "no sections given", "add at least one section")
        defined = {
            name: self._section(str(name), body, meter, top) for name, body in sections.items()
        }
        if form is None:
            order = list(defined)
        else:
            self.typed(form, ("form",), str, list)
            named: list[tuple[str, KeyPath, int]]
            if isinstance(form, str):
                named = [(name, ("form",), offset) for name, offset in tokens(form, "")]
            else:
                named = [(str(f), ("form", i), 0) for i, f in enumerate(form)]
            if not named:
                self.fail(("form",), "the form is empty", 'e.g. form: "A A B A"')
            for name, where, offset in named:
                if name not in defined:
                    hint = suggest(name, list(defined)) or "sections: " + ", ".join(defined)
                    raise FrameworkError(
                        f"the form names an unknown section '{name}'",
                        pos=self.token_pos(where, form if isinstance(form, str) else name, offset),
                        key="form",
                        hint=hint,
                    )
            order = [name for name, _, _ in named]
        return tuple(defined[name] for name in order), True

    def _section(self, name: str, body: Any, meter: Meter, top: Section) -> Section:
        path: KeyPath = ("sections", name)
        if body is None:
            body = {}
        self.typed(body, path, dict)
        self.keys(body, path, SECTION_KEYS)
        return Section(
            name=name,
            harmony=self._harmony(body, path) if "harmony" in body else top.harmony,
            melody=self._melody(body, path, meter) if "melody" in body else top.melody,
            groove=self._groove(body, path, meter) if "groove" in body else top.groove,
            expression=read_expression(self, body.get("expression"), (*path, "expression"), meter),
            repeat=self.whole(body.get("repeat", 1), (*path, "repeat"), 1, 1000),
            tempo=read_tempo_level(self, body.get("tempo"), (*path, "tempo")),
            dynamics=read_level(self, body.get("dynamics"), (*path, "dynamics")),
        )
