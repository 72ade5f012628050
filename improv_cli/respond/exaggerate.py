"""The exaggerate technique (Wigram's T6) and the features it measures: the client's playing
with its most distinctive feature enlarged.

Four features of the client's phrases, each as a deviation from neutral playing in units of
SCALE: accents (velocity spread around the phrase's trend), dynamics (the crescendo or
diminuendo), tempo (the accelerando or ritardando of the onsets) and leaps (the size of the
intervals). The largest is enlarged by `factor` within each phrase; the others are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from math import ceil, exp, log
from statistics import fmean, pstdev

from improv_cli.respond.client import Client, ClientNote
from improv_cli.respond.context import Context, Struck, groups, note, tops
from improv_cli.timeline import Note

LOW, HIGH = 21, 108  # exaggerated pitches are clipped to the piano's range
FEATURES = ("accents", "dynamics", "tempo", "leaps")
BASE = {"accents": 0.0, "dynamics": 0.0, "tempo": 0.0, "leaps": 2.0}  # neutral playing
SCALE = {"accents": 12.0, "dynamics": 20.0, "tempo": 0.4, "leaps": 3.0}  # one "z" unit


def fit(ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares slope and intercept of `ys` against 0, 1, 2, ..."""
    n = len(ys)
    if n < 2:
        return 0.0, fmean(ys) if ys else 0.0
    xm, ym = (n - 1) / 2, fmean(ys)
    slope = sum((x - xm) * (y - ym) for x, y in enumerate(ys)) / sum(
        (x - xm) ** 2 for x in range(n)
    )
    return slope, ym - slope * xm


def weighted(values: list[float], weights: list[int]) -> float:
    return (
        sum(v * w for v, w in zip(values, weights, strict=True)) / sum(weights) if values else 0.0
    )


def features(notes: Sequence[Struck], phrases: Sequence[tuple[int, int]]) -> dict[str, float]:
    """The candidate features, read within each phrase and pooled:
    accents   std of velocity around each phrase's linear trend (velocity by note order)
    dynamics  that trend's total change over a phrase (slope x (notes - 1)), mean weighted
              by notes - 1: + crescendo, - decrescendo
    tempo     total change of ln IOI between a phrase's onset groups (slope x (IOIs - 1)),
              weighted by IOIs - 1: - accelerando, + ritardando
    leaps     mean |interval| between successive groups' top notes within phrases"""
    resid: list[float] = []
    dyn, tempo, leaps = [], [], []
    dyn_w, tempo_w = [], []
    for first, last in phrases:
        part = notes[first:last]
        vs = [float(n.velocity) for n in part]
        b, a = fit(vs)
        resid += [v - a - b * x for x, v in enumerate(vs)]
        if len(vs) > 1:
            dyn.append(b * (len(vs) - 1))
            dyn_w.append(len(vs) - 1)
        starts = [part[g[0]].start for g in groups(part)]
        logs = [log(y - x) for x, y in pairwise(starts)]
        if len(logs) > 1:
            tempo.append(fit(logs)[0] * (len(logs) - 1))
            tempo_w.append(len(logs) - 1)
        leaps += [abs(y - x) for x, y in pairwise(tops(part))]
    return {
        "accents": pstdev(resid) if len(resid) > 1 else 0.0,
        "dynamics": weighted(dyn, dyn_w),
        "tempo": weighted(tempo, tempo_w),
        "leaps": fmean(leaps) if leaps else BASE["leaps"],
    }


def deviation(name: str, value: float) -> float:
    """How far from neutral, in SCALE units; only leaps wider than steps count for leaps."""
    off = value - BASE[name]
    return (max(0.0, off) if name == "leaps" else abs(off)) / SCALE[name]


def distinctive(client: Client) -> str:
    """The feature furthest from neutral (the first of FEATURES on a tie)."""
    found = features(client.notes, client.phrases)
    return max(FEATURES, key=lambda name: deviation(name, found[name]))


def exaggerate(client: Client, ctx: Context) -> list[Note]:
    """T6 exaggerating, at the same moment. Keeps everything but the distinctive feature,
    which grows by k = `factor` (params, default 1.5) within each phrase: accents (residuals
    around the velocity trend x k), dynamics (the trend's slope x k), tempo (the slope of
    ln IOI x k, each phrase's first and last onsets kept), leaps (intervals between group tops
    x m, rounded away from 0, so the mean leap's excess over 2 grows by k; the line recentred
    on its mean pitch). Velocities are clipped to 1-127, pitches to 21-108."""
    k = float(ctx.params.get("factor", 1.5))
    chosen = distinctive(client)
    found = features(client.notes, client.phrases)
    rows = [[n.start, n.duration, n.pitch, n.velocity] for n in client.notes]
    for first, last in client.phrases:
        part = rows[first:last]
        if chosen in ("accents", "dynamics"):
            loud(part, k, chosen == "accents")
        elif chosen == "tempo":
            warp(part, client.notes[first:last], k)
        else:
            leap = found["leaps"]
            widen(part, client.notes[first:last], (BASE["leaps"] + k * (leap - 2)) / leap)
    return [note(*r) for r in rows]


def loud(rows: list[list[int]], k: float, accents: bool) -> None:
    """A phrase's velocities around their linear trend (by note order) x k (accents), or the
    trend's slope x k about the phrase's middle, the residuals kept (dynamics)."""
    b, a = fit([float(r[3]) for r in rows])
    middle = (len(rows) - 1) / 2
    for x, r in enumerate(rows):
        trend = a + b * x
        grown = trend + k * (r[3] - trend) if accents else r[3] + (k - 1) * b * (x - middle)
        r[3] = max(1, min(127, round(grown)))


def warp(rows: list[list[int]], notes: Sequence[ClientNote], k: float) -> None:
    """A phrase's ln IOI slope x k, its IOIs then rescaled to their old total; each note's
    duration scaled as its group's IOI."""
    gs = groups(notes)
    starts = [notes[g[0]].start for g in gs]
    iois = [y - x for x, y in pairwise(starts)]
    if len(iois) < 2:
        return
    b, _ = fit([log(i) for i in iois])
    middle = (len(iois) - 1) / 2
    grown = [i * exp((k - 1) * b * (j - middle)) for j, i in enumerate(iois)]
    grown = [g * sum(iois) / sum(grown) for g in grown]
    at, new = float(starts[0]), starts[0]
    for j, g in enumerate(gs):
        ratio = grown[j] / iois[j] if j < len(iois) else 1.0
        for i in g:
            rows[i][0], rows[i][1] = new, max(1, round(notes[i].duration * ratio))
        if j < len(grown):
            at += grown[j]
            new = max(new + 1, round(at))


def widen(rows: list[list[int]], notes: Sequence[ClientNote], factor: float) -> None:
    """A phrase's intervals between group tops x factor, magnitudes rounded up; each group
    moved with its top; the line keeps its mean pitch (rounded), clipped to 21-108."""
    gs = groups(notes)
    line = tops(notes)
    if len(line) < 2:
        return
    new = [line[0]]
    for x, y in pairwise(line):
        new.append(new[-1] + (1 if y > x else -1) * ceil(factor * abs(y - x) - 1e-9))
    centre = round(fmean(line) - fmean(new))
    for g, old, top in zip(gs, line, new, strict=True):
        for i in g:
            rows[i][2] = max(LOW, min(HIGH, rows[i][2] + top + centre - old))
