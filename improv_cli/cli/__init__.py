"""The `improv` command: thin Typer commands over `improv_cli.api`.

Each command parses its options, calls one library function and prints the result. Errors
caused by the input (`ImprovError`) become one line on standard error and exit code 1.
The library is imported inside the commands, so `improv --help` stays fast.
"""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from improv_cli import __version__
from improv_cli.cli import output
from improv_cli.cli.output import reporting_errors

app = typer.Typer(
    name="improv",
    help="Clinical improvisation frameworks for music therapy: YAML in, music out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(enum.StrEnum):
    midi = "midi"
    musicxml = "musicxml"
    svg = "svg"
    pdf = "pdf"
    png = "png"
    wav = "wav"


FrameworkArg = Annotated[
    str, typer.Argument(help="A framework file, or a library name such as holding/dorian-vamp.")
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", help="Seed for variation (default: the framework's).")
]
KeyOpt = Annotated[str | None, typer.Option("--key", help='Replace the key, e.g. "E dorian".')]
TempoOpt = Annotated[
    float | None, typer.Option("--tempo", help="Replace the tempo (quarter notes per minute).")
]
BarsOpt = Annotated[int | None, typer.Option("--bars", help="Render exactly this many bars.")]
MinutesOpt = Annotated[
    float | None,
    typer.Option("--minutes", help="Render the fewest whole passes lasting this long."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
VariationOpt = Annotated[
    float | None,
    typer.Option("--variation", help="Replace the variation amount: 0 strict ... 1 loose."),
]
SafeOpt = Annotated[
    bool,
    typer.Option("--safe", help="The gentle safety profile: ceiling mf, slow dynamic change."),
]
CeilingOpt = Annotated[
    str | None, typer.Option("--ceiling", help="No note louder than this level or velocity.")
]
MaxChangeOpt = Annotated[
    int | None,
    typer.Option("--max-change", help="Per part, a bar's mean velocity moves at most this much."),
]
MaxAccentOpt = Annotated[
    int | None, typer.Option("--max-accent", help="Accents add at most this much velocity.")
]
TempoRangeOpt = Annotated[
    str | None, typer.Option("--tempo-range", help="Keep the pulse within LOW-HIGH bpm.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"improv {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Clinical improvisation frameworks for music therapy: YAML in, music out."""


@app.command()
def render(
    framework: FrameworkArg,
    out: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file; '-' for standard output. Several SVG or PNG pages are "
            "written NAME-1.svg, NAME-2.svg ...",
            show_default="./NAME.mid",
        ),
    ] = None,
    fmt: Annotated[
        Format | None, typer.Option("--format", "-f", help="Output format (default: from -o).")
    ] = None,
    seed: SeedOpt = None,
    key: KeyOpt = None,
    tempo: TempoOpt = None,
    bars: BarsOpt = None,
    minutes: MinutesOpt = None,
    variation: VariationOpt = None,
    safe: SafeOpt = False,
    ceiling: CeilingOpt = None,
    max_change: MaxChangeOpt = None,
    max_accent: MaxAccentOpt = None,
    tempo_range: TempoRangeOpt = None,
    stems: Annotated[
        bool, typer.Option("--stems", help="With WAV: also one file per part, NAME-PART.wav.")
    ] = False,
    json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Render a framework to MIDI, audio (WAV) or a score (MusicXML, SVG, PDF, PNG)."""
    from improv_cli import api

    safety = api.SafetyOptions(safe, ceiling, max_change, max_accent, tempo_range)
    with reporting_errors():
        result = api.render(
            framework,
            out,
            fmt.value if fmt else None,
            api.Overrides(seed, key, tempo, bars, minutes, variation, safety),
            stems,
        )
    output.rendered(result, as_json=json, quiet=quiet)


@app.command()
def vary(
    framework: FrameworkArg,
    count: Annotated[int, typer.Option("--count", "-n", help="How many variations to write.")] = 4,
    out: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="The folder to write them to.", show_default="./NAME-variations"
        ),
    ] = None,
    amount: Annotated[
        float | None,
        typer.Option(
            "--amount",
            help="How freely to vary, above 0 up to 1.",
            show_default="the framework's variation, else 0.5",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Base seed: variation k gets seed + k (default: the file's)."),
    ] = None,
    key: KeyOpt = None,
    tempo: TempoOpt = None,
    bars: BarsOpt = None,
    minutes: MinutesOpt = None,
    safe: SafeOpt = False,
    ceiling: CeilingOpt = None,
    max_change: MaxChangeOpt = None,
    max_accent: MaxAccentOpt = None,
    tempo_range: TempoRangeOpt = None,
    json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write N seeded variations of a framework and a table of what each one changed."""
    from improv_cli import api

    safety = api.SafetyOptions(safe, ceiling, max_change, max_accent, tempo_range)
    with reporting_errors():
        result = api.vary(
            framework,
            count,
            out,
            amount,
            api.Overrides(seed, key, tempo, bars, minutes, safety=safety),
        )
    output.varied(result, as_json=json, quiet=quiet)


class PracticeFormat(enum.StrEnum):
    midi = "midi"
    wav = "wav"


@app.command()
def practice(
    framework: FrameworkArg,
    loops: Annotated[
        int | None,
        typer.Option("--loops", "-n", help="How many loops (default 4; endless with --play)."),
    ] = None,
    count_in: Annotated[
        int, typer.Option("--count-in", help="Bars of sticks before the first loop.")
    ] = 1,
    ramp: Annotated[
        str | None,
        typer.Option("--ramp", help="START:END bpm: the tempo of each loop along a line."),
    ] = None,
    ramp_step: Annotated[
        float | None, typer.Option("--ramp-step", help="Each loop this many percent faster.")
    ] = None,
    transpose_each: Annotated[
        int,
        typer.Option(
            "--transpose-each", help="Each loop this many semitones on (5: round the fourths)."
        ),
    ] = 0,
    mute: Annotated[
        list[str] | None, typer.Option("--mute", help="Leave this part out (repeatable).")
    ] = None,
    solo: Annotated[
        list[str] | None, typer.Option("--solo", help="Play only these parts (repeatable).")
    ] = None,
    trade: Annotated[
        int,
        typer.Option("--trade", help="Call and response: the band plays N bars, then rests N."),
    ] = 0,
    call: Annotated[
        bool, typer.Option("--call", help="With --trade: the melody plays a call in band bars.")
    ] = False,
    gap: Annotated[int, typer.Option("--gap", help="Bars of rest between loops.")] = 0,
    out: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="Output file (.mid or .wav).", show_default="./NAME-practice.mid"
        ),
    ] = None,
    fmt: Annotated[
        PracticeFormat | None,
        typer.Option("--format", "-f", help="Output format (default: from -o, else MIDI)."),
    ] = None,
    play: Annotated[
        bool, typer.Option("--play", help="Play it now instead of writing a file.")
    ] = False,
    port: Annotated[
        str | None,
        typer.Option("--port", help="With --play: a MIDI output (improv ports lists them)."),
    ] = None,
    seed: SeedOpt = None,
    key: KeyOpt = None,
    tempo: TempoOpt = None,
    json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Practice loops: a count-in, N loops, a tempo ramp, transposition, muted or traded bars."""
    from improv_cli import api

    with reporting_errors():
        options = api.PracticeOptions(
            loops=loops if loops is not None else (api.ENDLESS if play else 4),
            count_in=count_in,
            ramp=ramp,
            ramp_step=ramp_step,
            transpose_each=transpose_each,
            mute=tuple(mute or ()),
            solo=tuple(solo or ()),
            trade=trade,
            call=call,
            gap=gap,
        )
        overrides = api.Overrides(seed=seed, key=key, tempo=tempo)
        if play:
            api.play_practice(framework, options, port, overrides, view=not quiet)
            return
        result = api.practice(framework, options, out, fmt.value if fmt else None, overrides)
    output.practised(result, as_json=json, quiet=quiet)


@app.command("play")
def play_command(
    source: Annotated[
        str, typer.Argument(help="A MIDI file (.mid), a framework file or a library name.")
    ],
    port: Annotated[
        str | None,
        typer.Option(
            "--port",
            help="A MIDI output (improv ports lists them).",
            show_default="the built-in synthesiser",
        ),
    ] = None,
    seed: SeedOpt = None,
    key: KeyOpt = None,
    tempo: TempoOpt = None,
    bars: BarsOpt = None,
    minutes: MinutesOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Play a MIDI file or a framework now; Ctrl-C stops it with every note released."""
    from improv_cli import api

    with reporting_errors():
        api.play(source, port, api.Overrides(seed, key, tempo, bars, minutes), view=not quiet)


@app.command()
def ports(json: JsonOpt = False) -> None:
    """List the MIDI outputs that --port can name."""
    from improv_cli import api

    with reporting_errors():
        listing = api.ports()
    output.listed_ports(listing, as_json=json)


@app.command()
def respond(
    client: Annotated[str, typer.Argument(help="The client's recording, a MIDI file.")],
    framework: Annotated[
        str, typer.Option("--framework", "-F", help="The framework whose mode and metre to use.")
    ],
    technique: Annotated[
        str,
        typer.Option(
            "--technique",
            "-t",
            help="mirror, imitate, copy, match, reflect, exaggerate, ground, hold, contain, "
            "dialogue or accompany.",
        ),
    ],
    out: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="Output MIDI file.", show_default="./CLIENT-TECHNIQUE.mid"
        ),
    ] = None,
    seed: SeedOpt = None,
    alone: Annotated[
        bool,
        typer.Option("--alone", help="Write the therapist's part alone, without the client's."),
    ] = False,
    channel: Annotated[
        int | None,
        typer.Option("--channel", help="The client's channel, 1-16.", show_default="the busiest"),
    ] = None,
    track: Annotated[
        int | None,
        typer.Option("--track", help="Read the client from this track only (1 = first)."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="A setting of the technique, NAME=VALUE (repeatable): mirror octave; imitate "
            "octave, steps; exaggerate factor; contain step_down.",
        ),
    ] = None,
    json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Answer a client's recorded phrase with a clinical technique, as MIDI."""
    from improv_cli import api

    with reporting_errors():
        result = api.respond(
            client, framework, technique, out, seed, alone, channel, track, param or ()
        )
    output.responded(result, as_json=json, quiet=quiet)


class Align(enum.StrEnum):
    trailing = "trailing"
    centered = "centered"


@app.command()
def analyze(
    sessions: Annotated[
        list[str], typer.Argument(help="The session recordings, MIDI files (several: compared).")
    ],
    client: Annotated[
        int | None,
        typer.Option(
            "--client", help="The client's channel, 1-16.", show_default="1, or the first"
        ),
    ] = None,
    therapist: Annotated[
        int | None,
        typer.Option(
            "--therapist", help="The therapist's channel, 1-16.", show_default="2, or the next"
        ),
    ] = None,
    window: Annotated[float, typer.Option("--window", help="Window length, seconds.")] = 6.0,
    hop: Annotated[float, typer.Option("--hop", help="Seconds between windows.")] = 1.0,
    align: Annotated[
        Align, typer.Option("--align", help="Stamp each window at its end or its middle.")
    ] = Align.trailing,
    plot: Annotated[
        str | None,
        typer.Option(
            "--plot", help="Write a PNG: piano roll and feature curves (or sessions compared)."
        ),
    ] = None,
    json: JsonOpt = False,
    csv: Annotated[bool, typer.Option("--csv", help="Print the window series as CSV.")] = False,
) -> None:
    """Measure what happened in the music of a session: features, not ratings."""
    from improv_cli import api
    from improv_cli.cli.analysis_output import analysed

    with reporting_errors():
        if json and csv:
            from improv_cli.errors import OptionError

            raise OptionError("--json and --csv: choose one")
        result = api.analyze(sessions, client, therapist, window, hop, align.value, plot)
    analysed(result, as_json=json, as_csv=csv)


class SheetKind(enum.StrEnum):
    lead = "lead"
    practice = "practice"


class SheetFormat(enum.StrEnum):
    pdf = "pdf"
    png = "png"
    svg = "svg"
    musicxml = "musicxml"


@app.command()
def sheet(
    framework: FrameworkArg,
    kind: Annotated[
        SheetKind,
        typer.Option(
            "--kind",
            "-k",
            help="lead: melody (or slashes), chords, form, tempo, groove, purpose. "
            "practice: the scale with degrees, chord tones and targets, the safe notes.",
        ),
    ] = SheetKind.lead,
    out: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file; '-' for standard output.",
            show_default="./NAME-KIND.pdf",
        ),
    ] = None,
    fmt: Annotated[
        SheetFormat | None,
        typer.Option("--format", "-f", help="Output format (default: from -o, else PDF)."),
    ] = None,
    key: KeyOpt = None,
    tempo: TempoOpt = None,
    bars: BarsOpt = None,
    json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write a one-page lead sheet or practice sheet of a framework."""
    from improv_cli import api

    with reporting_errors():
        result = api.sheet(
            framework,
            kind.value,
            out,
            fmt.value if fmt else None,
            api.Overrides(key=key, tempo=tempo, bars=bars),
        )
    output.sheet_written(result, as_json=json, quiet=quiet)


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Framework files or library names.")],
    json: JsonOpt = False,
) -> None:
    """Check framework files; one 'file:line:col: message' line per problem."""
    from improv_cli import api

    results = api.validate(files)
    output.validated(results, as_json=json)
    if any(r.error for r in results):
        raise typer.Exit(1)


@app.command("list")
def list_(
    technique: Annotated[
        str | None, typer.Option("--technique", help="Only this technique, e.g. holding.")
    ] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="Only this mode, e.g. dorian.")] = None,
    meter: Annotated[str | None, typer.Option("--meter", help="Only this meter, e.g. 6/8.")] = None,
    tempo: Annotated[
        str | None, typer.Option("--tempo", help="Only tempos in this range, e.g. 60-80.")
    ] = None,
    modes: Annotated[bool, typer.Option("--modes", help="List the modes and scales.")] = False,
    grooves: Annotated[bool, typer.Option("--grooves", help="List the grooves.")] = False,
    json: JsonOpt = False,
) -> None:
    """List the bundled library: frameworks (filtered), or its modes or grooves."""
    from improv_cli import api

    with reporting_errors():
        if modes:
            output.modes(api.list_modes(), as_json=json)
        elif grooves:
            output.grooves(api.list_grooves(), as_json=json)
        else:
            output.listed(api.list_frameworks(technique, mode, meter, tempo), as_json=json)


@app.command()
def show(
    framework: FrameworkArg,
    seed: SeedOpt = None,
    key: KeyOpt = None,
    tempo: TempoOpt = None,
    bars: BarsOpt = None,
    minutes: MinutesOpt = None,
    json: JsonOpt = False,
) -> None:
    """Show a framework: scale, chords per bar, groove grid, length in bars and time."""
    from improv_cli import api

    with reporting_errors():
        info = api.show(framework, api.Overrides(seed, key, tempo, bars, minutes))
    output.shown(info, as_json=json)


from improv_cli.cli import sessions as _sessions  # noqa: E402, F401  (registers `improv session`)
from improv_cli.cli import songs  # noqa: E402, F401  (registers `improv adapt`, `improv journey`)


def main() -> None:
    app()
