"""Variation: what each bar plays, chosen by seeded transformations, and a log of them.

Each bar of the form becomes a `BarContext` (key, chords, melody, grid cells, registers,
voicings, muted parts) that the part writer realises exactly. With `variation: 0` and no
`vary:` plan the context is the bar as written. Otherwise transformations come from two
places: the plan names them pass by pass (`vary:`), and the `variation` amount draws them
at random from private generators seeded per pass and per bar, so a longer rendering keeps
the bars of a shorter one. Random variation never leaves the mode: modal shifts,
transposition and muting happen only where the plan asks for them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from improv_cli.engine.moves import (
    drum_fill,
    melodic_fill,
    ornament,
    phrase_bars,
    reshape_phrase,
    thin_or_fill,
)
from improv_cli.engine.theory import ChordTones, chord_tones, restack, substitute, tonic_chord
from improv_cli.engine.transform import move_chord, transposed
from improv_cli.model.framework import Chord, Framework, Key, MelodyEvent, PassPlan, Section

Slots = list[tuple[int, int, ChordTones]]
TONIC_PARTS = ("bass", "melody", "drone")  # parts that move by octaves with a transposition


@dataclass(frozen=True, slots=True)
class BarPlan:
    index: int  # 0-based bar of the rendering
    section: Section
    local: int  # bar within this occurrence of the section, counting through its repeats
    occurrence_start: bool


@dataclass(frozen=True, slots=True)
class Change:
    """One transformation, for the log: pass and bar count from 1."""

    pass_number: int
    bar: int
    kind: str
    detail: str = ""
    whole_pass: bool = False  # a change to the whole pass (a sequence), not to one bar


@dataclass(frozen=True, slots=True)
class BarContext:
    plan: BarPlan
    start: int  # tick
    pass_number: int  # 1-based
    key: Key
    slots: Slots
    melody: tuple[MelodyEvent, ...]
    drums: tuple[tuple[int, str], ...]  # (GM note, one bar of cells)
    bass: str | None
    comp: str | None
    octaves: dict[str, int]
    muted: frozenset[str] = frozenset()
    voicing: dict[int, int] = field(default_factory=dict)  # comp step -> voicing index


@dataclass(frozen=True, slots=True)
class PassChoice:
    """The transformations of one pass: the plan's, with random ones where it is silent."""

    number: int
    plan: PassPlan
    fill_chance: float
    voicing: float
    substitute: float
    micro: float  # the `variation` amount, for small changes in every bar


def rng(seed: int, *what: object) -> random.Random:
    """A private generator for one decision, so decisions do not disturb one another."""
    return random.Random(":".join(["improv", str(seed), *map(str, what)]))


class Varier:
    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.amount = framework.variation
        self.seed = framework.seed
        self.log: list[Change] = []
        self._passes: dict[int, tuple[PassChoice, PassPlan]] = {}
        self._logged: set[int] = set()
        self._phrases: dict[tuple[int, str, int], tuple[tuple[MelodyEvent, ...], ...]] = {}
        self.active = bool(self.amount or framework.vary)

    def context(self, bar: BarPlan, following: BarPlan) -> BarContext:
        framework = self.framework
        meter = framework.meter
        start = bar.index * meter.bar_ticks
        number = bar.index // framework.form_bars + 1
        octaves = {p.name: p.octave for p in framework.parts}
        if not self.active:
            return BarContext(
                bar,
                start,
                number,
                framework.key,
                bar_chords(framework.key, bar, framework.meter.bar_ticks),
                _melody_bar(bar),
                *_cells(bar),
                octaves,
            )
        choice = self._pass(number, bar)
        plan = choice.plan
        moved, octave_shift = transposed(framework.key, plan.transpose)
        key = Key(moved.tonic, plan.mode) if plan.mode else moved
        for part, shift in plan.register:
            octaves[part] += shift
        for part in TONIC_PARTS:
            octaves[part] += octave_shift
        octaves = {part: max(0, min(8, octave)) for part, octave in octaves.items()}
        slots = self._chords(bar, moved, key, choice, number)
        melody = self._melody(bar, following, plan, choice, number)
        drums, bass, comp = self._grid(bar, plan, choice, number)
        voicing = self._voicing(bar, comp, choice)
        return BarContext(
            bar,
            start,
            number,
            key,
            slots,
            melody,
            drums,
            bass,
            comp,
            octaves,
            frozenset(plan.mute),
            voicing,
        )

    def note(
        self, number: int, bar: BarPlan, kind: str, detail: str = "", whole_pass: bool = False
    ) -> None:
        self.log.append(Change(number, bar.index + 1, kind, detail, whole_pass))

    def _pass(self, number: int, bar: BarPlan) -> PassChoice:
        """The pass's choice, logged when the pass first sounds."""
        choice, planned = self._choose(number)
        if number not in self._logged:
            self._logged.add(number)
            for kind, detail in _described(choice.plan, planned):
                self.note(number, bar, kind, detail, whole_pass=True)
        return choice

    def _choose(self, number: int) -> tuple[PassChoice, PassPlan]:
        """The plan's transformations for a pass, with random ones where it is silent."""
        found = self._passes.get(number)
        if found is not None:
            return found
        plan = PassPlan(number, number)
        for entry in self.framework.vary:
            if entry.covers(number):
                plan = _merge(plan, entry)
        planned = plan
        amount = self.amount
        if amount:
            plan = self._random_plan(number, plan)
        choice = PassChoice(
            number,
            plan,
            1.0 if plan.fills else 0.6 * amount,
            plan.voicing or 0.5 * amount,
            plan.substitute or 0.2 * amount,
            amount,
        )
        self._passes[number] = (choice, planned)
        return choice, planned

    def _random_plan(self, number: int, plan: PassPlan) -> PassPlan:
        """Macro changes for a pass drawn from the amount, where the plan says nothing."""
        r = rng(self.seed, "pass", number)
        amount = self.amount
        has_melody = "melody" not in plan.mute and any(s.melody for s in self.framework.sections)
        changes: dict[str, object] = {}
        if not plan.density and r.random() < 0.5 * amount:
            changes["density"] = round(r.uniform(-0.6, 0.6) * amount, 2) or 0.1
        reshaped = plan.sequence or plan.inversion or plan.retrograde
        if has_melody and not reshaped and r.random() < 0.4 * amount:
            how = r.choice(("sequence", "inversion", "retrograde"))
            changes[how] = r.choice((-2, -1, 1, 2)) if how == "sequence" else True
        if has_melody and not plan.ornament and r.random() < amount:
            changes["ornament"] = round(0.3 * amount, 2)
        if not plan.register and r.random() < 0.15 * amount:
            part = "melody" if has_melody else "comp"
            changes["register"] = ((part, r.choice((-1, 1))),)
        return replace(plan, **changes) if changes else plan  # type: ignore[arg-type]

    def _chords(self, bar: BarPlan, moved: Key, key: Key, choice: PassChoice, number: int) -> Slots:
        """The bar's chords in the transposed key (`moved`), restacked in a shifted mode."""
        framework = self.framework
        harmony = bar.section.harmony
        if not harmony:
            return [(0, framework.meter.bar_ticks, tonic_chord(key))]
        chords = harmony[bar.local % len(harmony)]
        if moved != framework.key:
            chords = tuple(move_chord(c, framework.key, moved) for c in chords)
        slots = _slots(chords, moved, framework.meter.bar_ticks)
        if key != moved:
            slots = [(tick, dur, restack(chord, moved, key)) for tick, dur, chord in slots]
        if not choice.substitute:
            return slots
        r = rng(self.seed, "harmony", bar.index)
        out: Slots = []
        for tick, dur, chord in slots:
            if r.random() < choice.substitute:
                other = substitute(chord, key, r)
                if other is not None:
                    self.note(number, bar, "substitution", f"{chord.symbol} → {other.symbol}")
                    chord = other
            out.append((tick, dur, chord))
        return out

    def _melody(
        self, bar: BarPlan, following: BarPlan, plan: PassPlan, choice: PassChoice, number: int
    ) -> tuple[MelodyEvent, ...]:
        section = bar.section
        if not section.melody:
            return ()
        key = self.framework.key
        events = self._phrase_bar(section, bar.local, plan, len(key.intervals))
        if plan.ornament:
            r = rng(self.seed, "ornament", bar.index)
            events, count = ornament(events, plan.ornament, len(key.intervals), r)
            if count:
                self.note(number, bar, "ornament notes", f"{count} passing or neighbour notes")
        if self._fill_here(bar, choice):
            target = self._melody_ahead(following)
            filled = melodic_fill(events, target, len(key.intervals))
            if filled is not None:
                events = filled
                self.note(number, bar, "melodic fill", "a lead-in to the next phrase")
        return events

    def _melody_ahead(self, following: BarPlan) -> tuple[MelodyEvent, ...]:
        """The next bar's melody as it will sound (its pass's phrase transformations)."""
        if not following.section.melody:
            return ()
        number = following.index // self.framework.form_bars + 1
        plan = self._choose(number)[0].plan
        size = len(self.framework.key.intervals)
        return self._phrase_bar(following.section, following.local, plan, size)

    def _phrase_bar(
        self, section: Section, local: int, plan: PassPlan, size: int
    ) -> tuple[MelodyEvent, ...]:
        """Bar `local` of the section's melody, with the pass's phrase transformations."""
        bars = section.melody_bars
        index = local % len(bars)
        how = f"{plan.sequence}:{plan.inversion}:{plan.retrograde}"
        if how == "0:False:False":
            return bars[index]
        phrase_index, bar_in_phrase = 0, index
        for phrase_index, phrase in enumerate(section.melody):  # noqa: B007
            if bar_in_phrase < len(phrase):
                break
            bar_in_phrase -= len(phrase)
        cache = (id(section), how, phrase_index)
        shaped = self._phrases.get(cache)
        if shaped is None:
            shaped = reshape_phrase(section.melody[phrase_index], plan, size)
            self._phrases[cache] = shaped
        return shaped[bar_in_phrase]

    def _fill_here(self, bar: BarPlan, choice: PassChoice) -> bool:
        section = bar.section
        if (bar.local + 1) % phrase_bars(section) or not choice.fill_chance:
            return False
        return rng(self.seed, "fill", bar.index).random() < choice.fill_chance

    def _grid(
        self, bar: BarPlan, plan: PassPlan, choice: PassChoice, number: int
    ) -> tuple[tuple[tuple[int, str], ...], str | None, str | None]:
        drums, bass, comp = _cells(bar)
        groove = bar.section.groove
        if groove is None:
            return drums, bass, comp
        meter = self.framework.meter
        on_beat = [
            step * meter.bar_ticks // groove.steps % meter.beat_ticks == 0
            for step in range(groove.steps)
        ]
        density = plan.density
        r = rng(self.seed, "grid", bar.index)
        if density or choice.micro:
            before = (drums, bass, comp)
            drums, bass, comp = thin_or_fill(drums, bass, comp, on_beat, density, choice.micro, r)
            if (drums, bass, comp) != before:
                what = f"density {density:+.2f}" if density else "small changes"
                self.note(number, bar, "groove changes", what)
        own_fill = groove.fill is not None and (bar.local + 1) % groove.fill.every == 0
        if drums and not own_fill and self._fill_here(bar, choice):
            drums = drum_fill(drums, on_beat)
            self.note(number, bar, "drum fill")
        return drums, bass, comp

    def _voicing(self, bar: BarPlan, comp: str | None, choice: PassChoice) -> dict[int, int]:
        if comp is None or not choice.voicing:
            return {}
        r = rng(self.seed, "voicing", bar.index)
        picks = {}
        for step, cell in enumerate(comp):
            if cell in "xX" and r.random() < choice.voicing:
                picks[step] = r.choice((1, 2))
        if picks:
            self.note(choice.number, bar, "voicing", f"{len(picks)} other voicings")
        return picks


def _merge(plan: PassPlan, entry: PassPlan) -> PassPlan:
    """The entry's settings over the plan's, where the entry sets them."""
    return replace(plan, **entry.settings())  # type: ignore[arg-type]


def _described(plan: PassPlan, planned: PassPlan) -> list[tuple[str, str]]:
    """The pass-wide changes, named for the log ("planned" where the plan asked for them)."""
    out = []
    settings = plan.settings()
    words: dict[str, Callable[[Any], str]] = {
        "density": lambda v: f"density {v:+.2f}",
        "fills": lambda v: "at every phrase end",
        "ornament": lambda v: f"{v:.0%} of melody notes",
        "sequence": lambda v: f"melody moved {v:+d} steps",
        "inversion": lambda v: "melody inverted",
        "retrograde": lambda v: "melody pitches reversed",
        "register": lambda v: ", ".join(f"{p} {o:+d} octave" for p, o in v),
        "mode": lambda v: f"the same degrees in {v}",
        "transpose": lambda v: f"{v:+d} semitones",
        "mute": lambda v: ", ".join(v) + " resting",
    }
    kinds = {"mode": "modal shift", "transpose": "transposition"}
    for name, word in words.items():
        if name not in settings:
            continue
        value = settings[name]
        source = "planned" if getattr(planned, name) == value else "random"
        out.append((kinds.get(name, name), f"{word(value)} ({source})"))
    return out


def bar_chords(key: Key, bar: BarPlan, bar_ticks: int) -> Slots:
    """The chords of one bar as (offset, duration, chord); no harmony rests on the tonic."""
    harmony = bar.section.harmony
    if not harmony:
        return [(0, bar_ticks, tonic_chord(key))]
    return _slots(harmony[bar.local % len(harmony)], key, bar_ticks)


def _slots(chords: tuple[Chord, ...], key: Key, bar_ticks: int) -> Slots:
    edges = [i * bar_ticks // len(chords) for i in range(len(chords) + 1)]
    return [
        (edges[i], edges[i + 1] - edges[i], chord_tones(chord, key))
        for i, chord in enumerate(chords)
    ]


def _melody_bar(bar: BarPlan) -> tuple[MelodyEvent, ...]:
    bars = bar.section.melody_bars
    return bars[bar.local % len(bars)] if bars else ()


def _cells(bar: BarPlan) -> tuple[tuple[tuple[int, str], ...], str | None, str | None]:
    """One bar of each grid row, the groove's fill bar where it falls."""
    groove = bar.section.groove
    if groove is None:
        return (), None, None
    steps = groove.steps
    local = bar.local

    def cells(row: str) -> str:
        index = local % (len(row) // steps)
        return row[index * steps : (index + 1) * steps]

    drums, bass, comp = groove.drums, groove.bass, groove.comp
    fill = groove.fill
    if fill and (local + 1) % fill.every == 0:
        drums = fill.drums or drums
        bass = fill.bass or bass
        comp = fill.comp or comp
    return (
        tuple((d.note, cells(d.steps)) for d in drums),
        cells(bass) if bass else None,
        cells(comp) if comp else None,
    )
