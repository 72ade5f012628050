"""One session analysed: each player's features over sliding windows and for the whole file,
and what passes between the two players.

Frames follow the Music Therapy Toolbox: a window of `window` seconds (6) every `hop`
seconds (1); the frame ending at t holds the notes whose onset lies in (t - window, t].
`align="centered"` stamps each frame at its window's midpoint instead of its end. An empty
window has density 0 and every other feature undefined (NaN; null in JSON).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from improv_cli.analysis import dyad, features, indicators, pulse
from improv_cli.analysis.notes import Played

Acf = NDArray[np.float64]

# feature -> what it is, for tables, JSON, CSV and the docs (docs/analysis.md defines each)
FEATURES = {
    "density": "notes per second",
    "duration": "mean perceived duration (Parncutt accent, 0-1)",
    "pitch": "mean MIDI pitch",
    "spread": "pitch standard deviation, semitones",
    "velocity": "mean MIDI velocity",
    "articulation": "silent share of the time between onsets (0 legato, 1 staccato)",
    "pulse_clarity": "height of the onset autocorrelation peak (0-1)",
    "tempo": "the pulse's tempo, bpm",
    "tonal_clarity": "best Krumhansl-Kessler key correlation",
    "majorness": "best major-key correlation",
    "minorness": "best minor-key correlation",
    "dissonance": "mean sensory roughness of the notes",
}
WHOLE_ONLY = {"silence": "share of the session in long pauses (beyond 2 s)"}
BETWEEN = {
    "sync": "pulse synchrony: peak of the product of both onset autocorrelations",
    "syntempo": "the shared tempo at that peak, bpm",
    "overlap": "time both sound / time either sounds",
    "coincidence": "share of onsets met by the other player within 50 ms",
}
# the feature series whose lagged correlation says who leads and who follows
LEADING = ("density", "velocity", "pitch")
ALIGNS = ("trailing", "centered")


@dataclass(frozen=True)
class Player:
    role: str  # "client", "therapist" (or "player" when a file has one)
    channel: int  # 1-16, as users count
    notes: tuple[Played, ...]
    whole: dict[str, float]
    key: str  # the best Krumhansl-Kessler key of the whole part, "" when undefined
    series: dict[str, list[float]]
    variability: indicators.Variability
    tension: indicators.Tension
    tension_curve: list[float]


@dataclass(frozen=True)
class Between:
    whole: dict[str, float]
    series: dict[str, list[float]]
    lead_follow: dict[str, dyad.LeadFollow]
    autonomy: indicators.Autonomy


@dataclass(frozen=True)
class Session:
    source: str
    length: float  # seconds: the later end of the players' last notes
    window: float
    hop: float
    align: str
    times: list[float]  # each frame's stamp, seconds
    players: tuple[Player, ...]
    between: Between | None = None
    channels: dict[int, int] = field(default_factory=dict)  # every channel -> its note count


def frames(length: float, window: float, hop: float) -> list[tuple[float, float]]:
    """(start, end) of every window: ends at hop, 2 hop, ... up to the first past `length`."""
    count = max(1, math.ceil(length / hop - 1e-9))
    return [(k * hop - window, k * hop) for k in range(1, count + 1)]


def inside(
    notes: Sequence[Played], onsets: Sequence[float], start: float, end: float
) -> Sequence[Played]:
    """The notes whose onset lies in (start, end]; `onsets` are the notes' onsets, sorted."""
    return notes[bisect.bisect_right(onsets, start) : bisect.bisect_right(onsets, end)]


def measure(
    notes: Sequence[Played], start: float, end: float, roughness: dict[int, float]
) -> tuple[dict[str, float], Acf, str]:
    """Every per-player feature of `notes` (those of the span start-end), their onset
    autocorrelation (all zeros without notes) and their best key ("" when undefined)."""
    acf = pulse.onset_acf(notes, start, end + pulse.DT)  # an onset at the very end counts
    beat = pulse.pulse(acf)
    tone = features.tonality(notes)
    values = {
        "density": features.density(notes, end - start),
        "duration": features.mean_duration(notes),
        "pitch": features.mean_pitch(notes),
        "spread": features.pitch_spread(notes),
        "velocity": features.mean_velocity(notes),
        "articulation": features.articulation(notes),
        "pulse_clarity": beat.clarity,
        "tempo": beat.tempo,
        "tonal_clarity": tone.clarity,
        "majorness": tone.majorness,
        "minorness": tone.minorness,
        "dissonance": features.mean_roughness([roughness[id(n)] for n in notes]),
    }
    return values, acf, tone.key


def player(
    role: str,
    channel: int,
    notes: Sequence[Played],
    length: float,
    spans: list[tuple[float, float]],
    hop: float,
) -> tuple[Player, list[Acf]]:
    """A player's analysis (frames `hop` seconds apart), and each frame's onset
    autocorrelation (for synchrony)."""
    rough = dict(zip(map(id, notes), features.note_roughness(notes), strict=True))
    series: dict[str, list[float]] = {name: [] for name in FEATURES}
    acfs: list[Acf] = []
    onsets = [n.onset for n in notes]
    for start, end in spans:
        window = inside(notes, onsets, start, end)
        values, acf, _ = measure(window, max(start, 0.0), end, rough)
        # density counts over the whole window, as the MTTB does, even before the file starts
        values["density"] = features.density(window, end - start)
        for name, value in values.items():
            series[name].append(value)
        acfs.append(acf)
    whole, whole_acf, key = measure(notes, 0.0, length, rough)
    whole["density"] = features.whole_density(notes)
    whole["silence"] = features.silence(notes, length)
    curve = indicators.scaled_tension_curve(
        series["velocity"],
        series["density"],
        series["pitch"],
        series["dissonance"],
        series["tonal_clarity"],
    )
    analysed = Player(
        role,
        channel,
        tuple(notes),
        whole,
        key,
        series,
        indicators.variability(notes),
        indicators.tension(curve, hop),
        curve,
    )
    return analysed, [*acfs, whole_acf]


def between(
    client: Player,
    therapist: Player,
    acfs: tuple[list[Acf], list[Acf]],
    hop: float,
) -> Between:
    """What passes between the two players, frame by frame and over the whole session
    (each player's autocorrelations: one a frame, then the whole session's)."""
    pairs = [dyad.sync(a, b) for a, b in zip(*acfs, strict=True)]
    whole_sync = pairs.pop()
    series = {"sync": [s for s, _ in pairs], "syntempo": [t for _, t in pairs]}
    whole = {
        "sync": whole_sync[0],
        "syntempo": whole_sync[1],
        "overlap": dyad.overlap(client.notes, therapist.notes),
        "coincidence": dyad.coincidence(client.notes, therapist.notes),
    }
    leads = {
        name: dyad.lead_follow(client.series[name], therapist.series[name], hop) for name in LEADING
    }
    return Between(whole, series, leads, indicators.autonomy(list(leads.values())))


def analyse(
    source: str,
    parts: Sequence[tuple[str, int, Sequence[Played]]],
    window: float = 6.0,
    hop: float = 1.0,
    align: str = "trailing",
    channels: dict[int, int] | None = None,
) -> Session:
    """The analysis of one session: `parts` are (role, channel, notes), one or two of them."""
    length = max((n.end for _, _, notes in parts for n in notes), default=0.0)
    spans = frames(length, window, hop)
    analysed = [
        player(role, ch, sorted(notes, key=_order), length, spans, hop) for role, ch, notes in parts
    ]
    shift: Callable[[float], float] = (lambda t: t - window / 2) if align == "centered" else float
    times = [round(shift(end), 6) for _, end in spans]
    dyadic = None
    if len(analysed) == 2:
        (first, a), (second, b) = analysed
        dyadic = between(first, second, (a, b), hop)
    players = tuple(p for p, _ in analysed)
    return Session(source, length, window, hop, align, times, players, dyadic, channels or {})


def _order(note: Played) -> tuple[float, int]:
    return note.onset, note.pitch
