"""Printing for the commands: rich for people, JSON for scripts, errors as one line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from improv_cli.errors import ImprovError

if TYPE_CHECKING:
    from improv_cli.api import Entry, RenderResult, Validation
    from improv_cli.practice import PracticeResult
    from improv_cli.respond import Response
    from improv_cli.sheets import SheetResult
    from improv_cli.variants import Transformation, VaryResult

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn the library's errors into one line on standard error and exit code 1."""
    try:
        yield
    except ImprovError as error:
        print(f"error: {error.line()}", file=sys.stderr)
        raise typer.Exit(1) from None
    except KeyboardInterrupt as stop:  # Ctrl-C (130), or SIGTERM during playback (143)
        print("stopped" if hasattr(stop, "exit_code") else "interrupted", file=sys.stderr)
        raise typer.Exit(getattr(stop, "exit_code", 130)) from None


def _json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def rendered(result: RenderResult, *, as_json: bool, quiet: bool) -> None:
    if as_json and result.output != "-":
        _json(result.as_dict())
    elif not quiet:
        files = result.files or (result.output,)
        if len(files) == 1:
            where = files[0]
        elif result.format == "wav":
            where = f"{files[0]} and {len(files) - 1} stems ({', '.join(files[1:])})"
        else:
            where = f"{files[0]} ... {files[-1]} ({len(files)} pages)"
        stderr.print(
            f"wrote {escape(where)}: {result.bars} bars, {_clock(result.seconds)}, "
            f"{result.notes} notes ({', '.join(result.parts) or 'no parts'})"
        )


def listed_ports(listing: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        _json(listing)
        return
    for name in listing["ports"]:
        stdout.print(escape(name))
    if not listing["ports"]:
        why = listing.get("problem") or "no MIDI outputs"
        stderr.print(
            f"no MIDI outputs: {escape(why)}; without --port, improv plays through its synthesiser"
        )


def responded(result: Response, *, as_json: bool, quiet: bool) -> None:
    if as_json and result.output != "-":
        _json(result.as_dict())
    elif not quiet:
        stderr.print(
            f"wrote {escape(result.output)}: {result.technique}, {result.therapist_notes} notes "
            f"answering {result.client_notes} in {result.phrases} phrases at {result.tempo:g} bpm"
        )


def practised(result: PracticeResult, *, as_json: bool, quiet: bool) -> None:
    if as_json and result.output != "-":
        _json(result.as_dict())
    elif not quiet:
        tempos = ", ".join(f"{t:g}" for t in result.tempos)
        stderr.print(
            f"wrote {escape(result.output)}: {result.loops} loops, {_bars(result.bars)}, "
            f"{_clock(result.seconds)} (tempo {tempos})"
        )


def sheet_written(result: SheetResult, *, as_json: bool, quiet: bool) -> None:
    if as_json and result.output != "-":
        _json(result.as_dict())
    elif not quiet:
        files = ", ".join(result.files)
        stderr.print(f"wrote {escape(files)}: {result.kind} sheet, {_bars(result.bars)}")


def varied(result: VaryResult, *, as_json: bool, quiet: bool) -> None:
    """One row per file: its seed, length and the transformations it applied."""
    if as_json:
        _json(result.as_dict())
        return
    if quiet:
        return
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0), show_lines=False)
    for header in ("file", "seed", "bars", "time", "what changed"):
        table.add_column(header, no_wrap=header != "what changed")
    for variant in result.variants:
        changed = "; ".join(_transformation(t) for t in variant.changes) or "nothing"
        table.add_row(
            escape(variant.output.rsplit("/", 1)[-1]),
            str(variant.seed),
            str(variant.bars),
            _clock(variant.seconds),
            escape(changed),
        )
    stdout.print(table)
    stderr.print(
        f"wrote {len(result.variants)} variations of {result.framework} to {result.folder}/ "
        f"(variation {result.amount:g})"
    )


def _transformation(t: Transformation) -> str:
    """`drum fill ×2`, or for a change to whole passes `inversion (pass 2)`."""
    if t.whole_pass:
        passes = ", ".join(map(str, t.passes))
        return f"{t.kind} (pass{'es' if len(t.passes) > 1 else ''} {passes})"
    return f"{t.kind} ×{t.count}"


def validated(results: list[Validation], *, as_json: bool) -> None:
    if as_json:
        _json([r.as_dict() for r in results])
        return
    for result in results:
        if result.error is None:
            print(f"{result.file}: ok")
        else:
            print(result.error.line(), file=sys.stderr)


def _columns(headers: list[str], rows: list[list[str]], right: tuple[str, ...] = ()) -> None:
    """A borderless table; the last column (a title or description) is the one that wraps."""
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
    for header in headers:
        table.add_column(
            header,
            no_wrap=header != headers[-1],
            justify="right" if header in right else "left",
        )
    for row in rows:
        table.add_row(*row)
    stdout.print(table)


def listed(entries: list[Entry], *, as_json: bool) -> None:
    if as_json:
        _json([e.as_dict() for e in entries])
        return
    # the technique is the first part of each name (holding/...), so it has no column here
    rows = [[e.name, e.key, e.meter, f"{e.tempo:g}", e.title] for e in entries]
    headers = ["name", "key", "meter", "bpm", "title"]
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]
    if sum(widths) + 2 * len(widths) > stdout.width:  # a narrow terminal: leave titles out
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    _columns(headers, rows, right=("bpm",))


def modes(rows: list[dict[str, Any]], *, as_json: bool) -> None:
    if as_json:
        _json(rows)
        return
    _columns(
        ["mode", "intervals", "character"],
        [[r["name"], " ".join(map(str, r["intervals"])), r["description"]] for r in rows],
    )


def grooves(rows: list[dict[str, Any]], *, as_json: bool) -> None:
    if as_json:
        _json(rows)
        return
    _columns(
        ["groove", "meter", "steps", "swing", "fill", "title"],
        [
            [r["name"], r["meter"], str(r["steps"]), f"{r['swing']:g}",
             f"/{r['fill_every']}" if r["fill_every"] else "", r["title"]]
            for r in rows
        ],
    )  # fmt: skip


def shown(info: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        _json(info)
        return
    stdout.print(f"[bold]{escape(info['title'])}[/bold]  ({escape(info['name'])})")
    if info["technique"]:
        stdout.print(f"technique {info['technique']}")
    if info["purpose"]:
        stdout.print(escape(info["purpose"]))
    stdout.print(f"key {info['key']}: {' '.join(info['scale'])}")
    safe = info["safe_notes"]
    stdout.print(
        "safe notes (chromatic): "
        + " ".join(n["note"] if n["in_mode"] else "·" for n in safe["chromatic"])
    )
    orff = safe["orff"]
    line = f"Orff C-diatonic bars: keep {' '.join(orff['keep']) or '-'}"
    line += f", take off {' '.join(orff['remove']) or 'none'}"
    if orff["lacking"]:
        spares = f" (spare bars: {' '.join(orff['spare_bars'])})" if orff["spare_bars"] else ""
        line += f"; lacks {' '.join(orff['lacking'])}{spares}"
    stdout.print(line)
    stdout.print(f"meter {info['meter']}, tempo {info['tempo']:g}, seed {info['seed']}")
    _shaping(info["shaping"])
    form = " ".join(
        f"{s['section']}x{s['repeat']}" if s["repeat"] > 1 else s["section"] for s in info["form"]
    )
    stdout.print(f"form {form}: {_bars(info['form_bars'])} a pass")
    chords = Table("bar", "section", "chords", "notes")
    for bar in info["chords"]:
        chords.add_row(
            str(bar["bar"]),
            bar["section"],
            "  ".join(
                c["symbol"] if c["symbol"] == c["written"] else f"{c['written']} ({c['symbol']})"
                for c in bar["chords"]
            ),
            "  |  ".join(" ".join(c["notes"]) for c in bar["chords"]),
        )
    stdout.print(chords)
    for name, groove in info["grooves"].items():
        grid = Table(f"groove: {name}", f"{groove['steps']} steps a bar, swing {groove['swing']:g}")
        group = groove["steps_per_beat"]
        for row_name, row in groove["rows"].items():
            grid.add_row(row_name, _grid(row, groove["steps"], group))
        if groove["fill"]:
            for row_name, row in groove["fill"]["rows"].items():
                grid.add_row(
                    f"fill/{groove['fill']['every']}: {row_name}",
                    _grid(row, groove["steps"], group),
                )
        if groove["drone"]:
            grid.add_row("drone", " ".join(groove["drone"]))
        stdout.print(grid)
    length = info["length"]
    stdout.print(f"length {_bars(length['bars'])}, {_clock(length['seconds'])}")


def _shaping(shaping: dict[str, Any]) -> None:
    """Expression, feel, safety and the variation plan, a line each (where there is one)."""
    feel = shaping["humanise"]
    human = f"humanise {feel['timing_ms']:g} ms, velocity {feel['velocity']}" if feel else ""
    stdout.print(
        f"variation {shaping['variation']:g}" + (f", {human}" if human else ", humanise off")
    )
    safety = shaping["safety"]
    if safety:
        limits = [f"ceiling {safety['ceiling']}"]
        if safety["max_change"] is not None:
            limits.append(f"bar-to-bar change at most {safety['max_change']}")
        if safety["max_accent"] is not None:
            limits.append(f"accents at most +{safety['max_accent']}")
        if safety["tempo"]:
            low, high = safety["tempo"]
            limits.append(f"tempo {low or 20:g}-{high or 400:g}")
        stdout.print("safety: " + ", ".join(limits))
    for text in shaping["expression"]:
        stdout.print(f"expression {escape(text)}")
    for section, texts in shaping["sections"].items():
        for text in texts:
            stdout.print(f"expression in {escape(section)}, {escape(text)}")
    for text in shaping["vary"]:
        stdout.print(f"vary {escape(text)}")


def _bars(count: int) -> str:
    return f"{count} bar" if count == 1 else f"{count} bars"


def _grid(row: str, steps: int, group: int) -> str:
    """A grid row with a space between beats and a bar line between bars."""
    bars = [row[i : i + steps] for i in range(0, len(row), steps)]
    return " | ".join(" ".join(b[i : i + group] for i in range(0, steps, group)) for b in bars)
