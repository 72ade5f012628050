"""Command-line settings over a framework's own: key, tempo, length, seed, variation, safety."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from improv_cli.errors import OptionError
from improv_cli.model.feel import SAFETY_PRESETS, SHIFT_HINT, shift_problem, tempo_bounds
from improv_cli.model.framework import Framework, Key, Length, Safety
from improv_cli.model.syntax import SyntaxProblem, parse_key
from improv_cli.model.tables import DYNAMICS


@dataclass(frozen=True, slots=True)
class SafetyOptions:
    """Safety limits from the command line, over the framework's own `safety:`."""

    safe: bool = False  # the gentle preset, merged with the file's limits (the stricter wins)
    ceiling: str | None = None  # a level name or a velocity
    max_change: int | None = None
    max_accent: int | None = None
    tempo_range: str | None = None  # "50-80"

    @property
    def given(self) -> bool:
        return (
            self.safe
            or any(v is not None for v in (self.ceiling, self.max_change, self.max_accent))
            or self.tempo_range is not None
        )


@dataclass(frozen=True, slots=True)
class Overrides:
    """Command-line settings that replace the framework's own."""

    seed: int | None = None
    key: str | None = None
    tempo: float | None = None
    bars: int | None = None
    minutes: float | None = None
    variation: float | None = None
    safety: SafetyOptions = SafetyOptions()


def apply(framework: Framework, overrides: Overrides) -> Framework:
    """The framework with the command line's key, tempo, length, seed, variation, safety."""
    changes: dict[str, Any] = {}
    if overrides.key is not None:
        try:
            tonic, mode = parse_key(overrides.key)
        except SyntaxProblem as problem:
            hint = f" (hint: {problem.hint})" if problem.hint else ""
            raise OptionError(f"--key: {problem.message}{hint}") from None
        from improv_cli.engine.transform import transpose_symbols

        new_key = Key(tonic, mode)
        for entry in framework.vary:
            unfit = shift_problem(new_key, entry.mode) if entry.mode else ""
            if unfit:
                message = f"--key: the vary plan shifts to {entry.mode}: {unfit}"
                raise OptionError(message, SHIFT_HINT)
        framework = transpose_symbols(framework, new_key)
        changes["key"] = new_key
    if overrides.tempo is not None:
        if not 20 <= overrides.tempo <= 400:
            raise OptionError(f"--tempo: {overrides.tempo:g} is out of range", "use 20 to 400 bpm")
        changes["tempo"] = overrides.tempo
    if overrides.bars is not None and overrides.minutes is not None:
        raise OptionError("--bars and --minutes cannot be used together", "choose one")
    if overrides.bars is not None:
        if overrides.bars < 1:
            raise OptionError(f"--bars: {overrides.bars} is not a number of bars", "use 1 or more")
        changes["length"] = Length(bars=overrides.bars)
    if overrides.minutes is not None:
        if not 0 < overrides.minutes <= 600:
            raise OptionError(f"--minutes: {overrides.minutes:g} is out of range", "use 0 to 600")
        changes["length"] = Length(minutes=overrides.minutes)
    if overrides.seed is not None:
        if overrides.seed < 0:
            raise OptionError(f"--seed: {overrides.seed} is negative", "use 0 or more")
        changes["seed"] = overrides.seed
    if overrides.variation is not None:
        if not 0 <= overrides.variation <= 1:
            raise OptionError(
                f"--variation: {overrides.variation:g} is out of range", "use 0 (strict) to 1"
            )
        changes["variation"] = overrides.variation
    if overrides.safety.given:
        changes["safety"] = safety_limits(framework.safety, overrides.safety)
    return replace(framework, **changes) if changes else framework


def safety_limits(current: Safety | None, options: SafetyOptions) -> Safety:
    """The file's limits, made stricter by --safe, then set one by one by the other options."""
    limits = current or Safety()
    if options.safe:
        limits = stricter(limits, SAFETY_PRESETS["gentle"])
    changes: dict[str, Any] = {}
    if options.ceiling is not None:
        changes["ceiling"] = _ceiling(options.ceiling)
    if options.max_change is not None:
        if not 1 <= options.max_change <= 127:
            raise OptionError(f"--max-change: {options.max_change} is out of range", "use 1 to 127")
        changes["max_change"] = options.max_change
    if options.max_accent is not None:
        if not 0 <= options.max_accent <= 64:
            raise OptionError(f"--max-accent: {options.max_accent} is out of range", "use 0 to 64")
        changes["max_accent"] = options.max_accent
    if options.tempo_range is not None:
        try:
            changes["tempo_low"], changes["tempo_high"] = tempo_bounds(options.tempo_range)
        except SyntaxProblem as problem:
            raise OptionError(f"--tempo-range: {problem.message}", problem.hint) from None
    return replace(limits, **changes)


def stricter(a: Safety, b: Safety) -> Safety:
    """Each limit at the stricter of the two."""

    def low(x: int | None, y: int | None) -> int | None:
        return y if x is None else x if y is None else min(x, y)

    lows = [v for v in (a.tempo_low, b.tempo_low) if v is not None]
    highs = [v for v in (a.tempo_high, b.tempo_high) if v is not None]
    return Safety(
        ceiling=min(a.ceiling, b.ceiling),
        max_change=low(a.max_change, b.max_change),
        max_accent=low(a.max_accent, b.max_accent),
        tempo_low=max(lows) if lows else None,
        tempo_high=min(highs) if highs else None,
    )


def _ceiling(text: str) -> int:
    if text.isdigit() and 1 <= int(text) <= 127:
        return int(text)
    if text in DYNAMICS:
        return DYNAMICS[text]
    raise OptionError(
        f"--ceiling: '{text}' is not a level or a velocity", "e.g. mf, or a velocity 1-127"
    )
