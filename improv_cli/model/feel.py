"""Reading how the music is shaped: expression spans, humanise, the safety profile, `vary:`.

Each reader takes the loader's `Checker`, so every problem names file, line, column and
key path. Nothing here imports music21.
"""

from __future__ import annotations

import re
from typing import Any

from improv_cli.model.checks import Checker
from improv_cli.model.framework import ExpressionSpan, Humanise, Key, Meter, PassPlan, Safety
from improv_cli.model.syntax import SyntaxProblem, parse_key, suggest
from improv_cli.model.tables import DYNAMICS, PARTS, TPQ
from improv_cli.model.yamlsource import KeyPath

EXPRESSION_KEYS = (
    "bars",
    "bar",
    "dynamics",
    "tempo",
    "curve",
    "fermata",
    "beat",
    "accent",
    "amount",
    "rubato",
    "borrowed_time",
    "phrase",
)
CURVES = ("linear", "exponential", "final")
HUMANISE_KEYS = ("timing", "velocity")
SAFETY_KEYS = ("preset", "ceiling", "max_change", "max_accent", "tempo")
VARY_KEYS = (
    "pass",
    "density",
    "fills",
    "ornament",
    "sequence",
    "inversion",
    "retrograde",
    "register",
    "voicing",
    "substitute",
    "mode",
    "transpose",
    "mute",
)
# A gentle profile for sensory-sensitive clients: nothing above mf, slow dynamic change.
SAFETY_PRESETS: dict[str, Safety] = {"gentle": Safety(ceiling=80, max_change=6, max_accent=8)}
HUMANISE_FULL = Humanise(timing_ms=20.0, velocity=10)  # `humanise: 1`
ACCENT_UNIT = TPQ // 2  # the parts of a pattern such as 3+3+2 count eighth notes

_SPAN = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")
_ARROW = re.compile(r"\s*(?:->|→)\s*")
_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$")


def read_expression(
    check: Checker, value: Any, path: KeyPath, meter: Meter
) -> tuple[ExpressionSpan, ...]:
    """Spans of bars with dynamics, tempo, a fermata, accents and/or rubato."""
    if value is None:
        return ()
    check.typed(value, path, list)
    return tuple(_span(check, item, (*path, i), meter) for i, item in enumerate(value))


def bar_span(check: Checker, value: Any, path: KeyPath, word: str = "bar") -> tuple[int, int]:
    """`5` or `1-8`: first and last, counting from 1."""
    text = str(check.typed(value, path, str, int))
    match = _SPAN.match(text)
    first, last = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, 0)
    if not match or not 1 <= first <= last:
        check.fail(path, f"'{text}' is not a {word} span", f"{word}s count from 1: 5 or 1-8")
    return first, last


def _span(check: Checker, item: Any, path: KeyPath, meter: Meter) -> ExpressionSpan:
    check.typed(item, path, dict)
    check.keys(item, path, EXPRESSION_KEYS)
    if ("bars" in item) == ("bar" in item):
        check.fail(path, "an expression span needs 'bars' or 'bar'", "e.g. {bars: 1-8, ...}")
    key = "bars" if "bars" in item else "bar"
    first, last = bar_span(check, item[key], (*path, key))
    if not any(k in item for k in ("dynamics", "tempo", "fermata", "accent", "rubato")):
        check.fail(
            path,
            "the span says nothing",
            'add dynamics: "p -> f", tempo: "66 -> 56", fermata, accent or rubato',
        )
    dynamics = _ramp(check, item.get("dynamics"), (*path, "dynamics"), _dynamic)
    tempo = _ramp(check, item.get("tempo"), (*path, "tempo"), _tempo)
    curve = _choice(check, item, path, "curve", CURVES, "linear")
    if "curve" in item and not _is_ramp(dynamics) and not _is_ramp(tempo):
        check.fail((*path, "curve"), "a curve shapes a ramp", 'give a ramp such as "66 -> 56"')
    accent, cycle = _accent(check, item.get("accent"), (*path, "accent"), meter)
    _needs(check, item, path, "amount", "accent")
    _needs(check, item, path, "beat", "fermata")
    _needs(check, item, path, "borrowed_time", "rubato")
    _needs(check, item, path, "phrase", "rubato")
    beats = meter.bar_ticks // meter.beat_ticks
    return ExpressionSpan(
        first,
        last,
        dynamics=dynamics,
        tempo=tempo,
        curve=curve,
        fermata=_optional_number(check, item, path, "fermata", 0.25, 16),
        fermata_beat=(
            check.whole(item["beat"], (*path, "beat"), 1, beats) if "beat" in item else None
        ),
        accent=accent,
        accent_cycle=cycle,
        accent_amount=check.whole(item.get("amount", 16), (*path, "amount"), 1, 64),
        rubato=_optional_number(check, item, path, "rubato", 0.01, 0.3),
        borrowed_time=bool(
            check.typed(item.get("borrowed_time", True), (*path, "borrowed_time"), bool)
        ),
        phrase=check.whole(item.get("phrase", 4), (*path, "phrase"), 1, 64),
    )


def _needs(check: Checker, item: dict[str, Any], path: KeyPath, key: str, base: str) -> None:
    if key in item and base not in item:
        check.fail((*path, key), f"'{key}' belongs to '{base}'", f"add '{base}' to the span")


def _is_ramp(values: tuple[Any, Any] | None) -> bool:
    return values is not None and values[0] != values[1]


def _choice(
    check: Checker, item: dict[str, Any], path: KeyPath, key: str, allowed: tuple[str, ...], d: str
) -> str:
    value = str(check.typed(item.get(key, d), (*path, key), str))
    if value not in allowed:
        hint = suggest(value, allowed) or "one of: " + ", ".join(allowed)
        check.fail((*path, key), f"unknown {key} '{value}'", hint)
    return value


def _optional_number(
    check: Checker, item: dict[str, Any], path: KeyPath, key: str, low: float, high: float
) -> float | None:
    return check.number(item[key], (*path, key), low, high) if key in item else None


def _accent(check: Checker, value: Any, path: KeyPath, meter: Meter) -> tuple[tuple[int, ...], int]:
    """Beats of the bar (`[1, 3]`) or a grouping in eighth notes (`"3+3+2"`)."""
    if value is None:
        return (), 0
    check.typed(value, path, int, list, str)
    if isinstance(value, str) and "+" in value:
        groups = value.replace(" ", "").split("+")
        if not all(g.isdigit() and 0 < int(g) <= 16 for g in groups):
            check.fail(path, f"'{value}' is not an accent grouping", "eighth notes, e.g. 3+3+2")
        offsets, at = [], 0
        for group in groups:
            offsets.append(at * ACCENT_UNIT)
            at += int(group)
        return tuple(offsets), at * ACCENT_UNIT
    beats = meter.bar_ticks // meter.beat_ticks
    items = value if isinstance(value, list) else re.split(r"[\s,]+", str(value).strip())
    numbers = []
    for i, beat in enumerate(items):
        where = (*path, i) if isinstance(value, list) else path
        if isinstance(beat, str) and beat.isdigit():
            beat = int(beat)
        numbers.append(check.whole(beat, where, 1, beats))
    if not numbers:
        check.fail(path, "no beat to accent", "e.g. accent: [1, 3] or accent: 3+3+2")
    offsets = sorted({(n - 1) * meter.beat_ticks for n in numbers})
    return tuple(offsets), meter.bar_ticks


def _dynamic(word: str) -> float:
    if word not in DYNAMICS:
        hint = suggest(word, DYNAMICS.keys()) or "levels: " + " ".join(DYNAMICS)
        raise SyntaxProblem(f"unknown dynamic '{word}'", hint=hint)
    return DYNAMICS[word]


def _tempo(word: str) -> float:
    try:
        bpm = float(word)
    except ValueError:
        raise SyntaxProblem(f"'{word}' is not a tempo", hint="beats per minute, e.g. 66") from None
    if not 20 <= bpm <= 400:
        raise SyntaxProblem(f"tempo {bpm:g} is out of range", hint="use 20 to 400 bpm")
    return bpm


def _at(unit: Any, word: str, offset: int) -> Any:
    """Parse one word of a longer text, reporting problems at the word's offset."""

    def parse(_: str) -> Any:
        try:
            return unit(word)
        except SyntaxProblem as problem:
            raise SyntaxProblem(problem.message, offset, problem.hint) from None

    return parse


def _ramp(check: Checker, value: Any, path: KeyPath, unit: Any) -> Any:
    if value is None:
        return None
    text = str(check.typed(value, path, str, float))
    words = [(m.group(0), m.start()) for m in re.finditer(r"[^\s\->→]+", text)]
    arrows = len(_ARROW.findall(text))
    if arrows > 1 or len(words) != arrows + 1:
        check.fail(path, f"'{text}' is not a level or a ramp", "a level 'mf' or a ramp 'p -> f'")
    values = [check.parse(text, path, _at(unit, w, offset)) for w, offset in words]
    start, end = values[0], values[-1]
    if unit is _dynamic:
        return (int(start), int(end))
    return (float(start), float(end))


def read_level(check: Checker, value: Any, path: KeyPath) -> int | None:
    """A dynamic level by name (`mf`) or as a velocity (1 to 127)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return check.whole(value, path, 1, 127)
    text = str(check.typed(value, path, str, int))
    return int(check.parse(text, path, _dynamic))


def read_tempo_level(check: Checker, value: Any, path: KeyPath) -> float | None:
    return None if value is None else check.number(value, path, 20, 400)


def read_humanise(check: Checker, value: Any, path: KeyPath) -> Humanise | None:
    """`humanise: 0.5` (a share of the full 20 ms and 10 velocity) or `{timing, velocity}`."""
    if value is None:
        return None
    check.typed(value, path, float, dict)
    if isinstance(value, dict):
        check.keys(value, path, HUMANISE_KEYS)
        timing = check.number(value.get("timing", 0), (*path, "timing"), 0, 50)
        velocity = check.whole(value.get("velocity", 0), (*path, "velocity"), 0, 30)
        found = Humanise(timing, velocity)
    else:
        amount = check.number(value, path, 0, 1)
        found = Humanise(HUMANISE_FULL.timing_ms * amount, round(HUMANISE_FULL.velocity * amount))
    return found if found.timing_ms or found.velocity else None


def read_safety(check: Checker, value: Any, path: KeyPath) -> Safety | None:
    """A preset name (`gentle`) or a mapping of limits, optionally on top of a preset."""
    if value is None:
        return None
    check.typed(value, path, str, dict)
    if isinstance(value, str):
        value = {"preset": value}
        preset_path: KeyPath = path
    else:
        check.keys(value, path, SAFETY_KEYS)
        preset_path = (*path, "preset")
    base = Safety()
    if "preset" in value:
        name = str(check.typed(value["preset"], preset_path, str))
        if name not in SAFETY_PRESETS:
            hint = suggest(name, SAFETY_PRESETS) or "presets: " + ", ".join(SAFETY_PRESETS)
            check.fail(preset_path, f"unknown safety preset '{name}'", hint)
        base = SAFETY_PRESETS[name]
    ceiling = read_level(check, value.get("ceiling"), (*path, "ceiling"))
    low, high = base.tempo_low, base.tempo_high
    if "tempo" in value:
        low, high = _tempo_bounds(check, value["tempo"], (*path, "tempo"))
    return Safety(
        ceiling=base.ceiling if ceiling is None else ceiling,
        max_change=_optional_whole(check, value, path, "max_change", 1, 127, base.max_change),
        max_accent=_optional_whole(check, value, path, "max_accent", 0, 64, base.max_accent),
        tempo_low=low,
        tempo_high=high,
    )


def _optional_whole(
    check: Checker, item: dict[str, Any], path: KeyPath, key: str, lo: int, hi: int, d: int | None
) -> int | None:
    return check.whole(item[key], (*path, key), lo, hi) if key in item else d


def tempo_bounds(text: str) -> tuple[float, float]:
    """`50-80` as (50.0, 80.0); raises SyntaxProblem."""
    match = _RANGE.match(text)
    if not match:
        raise SyntaxProblem(f"'{text}' is not a tempo range", hint="lowest-highest bpm, e.g. 50-80")
    low, high = float(match.group(1)), float(match.group(2))
    if not 20 <= low <= high <= 400:
        raise SyntaxProblem(
            f"'{text}' is not a tempo range from 20 to 400 bpm", hint="write the lower tempo first"
        )
    return low, high


def _tempo_bounds(check: Checker, value: Any, path: KeyPath) -> tuple[float, float]:
    text = str(check.typed(value, path, str))
    return check.parse(text, path, tempo_bounds)


def read_vary(check: Checker, value: Any, path: KeyPath, key: Key) -> tuple[PassPlan, ...]:
    """The per-pass plan: a list of `{pass: 2-3, ...transformations}`."""
    if value is None:
        return ()
    check.typed(value, path, list)
    return tuple(_pass_plan(check, item, (*path, i), key) for i, item in enumerate(value))


def _pass_plan(check: Checker, item: Any, path: KeyPath, key: Key) -> PassPlan:
    check.typed(item, path, dict)
    check.keys(item, path, VARY_KEYS)
    if "pass" not in item:
        check.fail(path, "a vary entry needs 'pass'", "e.g. {pass: 2, density: 0.5}")
    first, last = bar_span(check, item["pass"], (*path, "pass"), "pass")
    if len(item) == 1:
        check.fail(path, "the entry changes nothing", "add e.g. density: -0.5 or fills: true")

    def flag(name: str) -> bool:
        return bool(check.typed(item.get(name, False), (*path, name), bool))

    def share(name: str, low: float = 0.0) -> float:
        return check.number(item.get(name, 0), (*path, name), low, 1)

    return PassPlan(
        first,
        last,
        density=share("density", -1.0),
        fills=flag("fills"),
        ornament=share("ornament"),
        sequence=check.whole(item.get("sequence", 0), (*path, "sequence"), -7, 7),
        inversion=flag("inversion"),
        retrograde=flag("retrograde"),
        register=_register(check, item.get("register"), (*path, "register")),
        voicing=share("voicing"),
        substitute=share("substitute"),
        mode=_mode(check, item.get("mode"), (*path, "mode"), key),
        transpose=check.whole(item.get("transpose", 0), (*path, "transpose"), -12, 12),
        mute=_parts(check, item.get("mute"), (*path, "mute")),
    )


def _register(check: Checker, value: Any, path: KeyPath) -> tuple[tuple[str, int], ...]:
    if value is None:
        return ()
    check.typed(value, path, dict)
    pitched = tuple(p for p in PARTS if p != "drums")
    shifts = []
    for part, octaves in value.items():
        if part not in pitched:
            hint = suggest(str(part), pitched) or "parts: " + ", ".join(pitched)
            check.fail((*path, part), f"'{part}' has no register to shift", hint, at_key=True)
        shifts.append((str(part), check.whole(octaves, (*path, part), -3, 3)))
    return tuple(shifts)


def _parts(check: Checker, value: Any, path: KeyPath) -> tuple[str, ...]:
    if value is None:
        return ()
    check.typed(value, path, str, list)
    names = [value] if isinstance(value, str) else value
    for i, name in enumerate(names):
        where = path if isinstance(value, str) else (*path, i)
        if name not in PARTS:
            hint = suggest(str(name), PARTS) or "parts: " + ", ".join(PARTS)
            check.fail(where, f"unknown part '{name}'", hint)
    return tuple(str(n) for n in names)


def _mode(check: Checker, value: Any, path: KeyPath, key: Key) -> str | None:
    if value is None:
        return None
    text = str(check.typed(value, path, str))
    _, mode = check.parse(f"C {text}", path, _offset_back(2, parse_key))
    problem = shift_problem(key, mode)
    if problem:
        check.fail(path, problem, SHIFT_HINT)
    return str(mode)


SHIFT_HINT = "a modal shift keeps the degrees: choose a mode with as many notes"


def shift_problem(key: Key, mode: str) -> str:
    """Why a modal shift of `key` to `mode` cannot keep its degrees, or an empty string."""
    size, shifted = len(key.intervals), len(Key(key.tonic, mode).intervals)
    return "" if shifted == size else f"{mode} has {shifted} notes, {key} has {size}"


def _offset_back(chars: int, parser: Any) -> Any:
    """A parser whose error offsets drop the `chars` characters put in front of the text."""

    def parse(text: str) -> Any:
        try:
            return parser(text)
        except SyntaxProblem as problem:
            offset = max(0, problem.offset - chars)
            raise SyntaxProblem(problem.message, offset, problem.hint) from None

    return parse
