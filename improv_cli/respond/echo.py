"""Techniques that answer with the client's own music (Wigram's T1, T2, T3, T5, T6).

    mirror      at the same moment: onsets, durations, velocities and contour kept, pitches
                moved to the nearest note of the mode (octaves away if asked)
    copy        after each phrase: the phrase exactly, from the first beat after it ends
    imitate     as copy, its pitches mapped into the mode as mirror maps them
    match       new notes in the mode with the client's density, dynamics, register, grid
                and articulation, few of them the client's own
    reflect     the framework's chords and bass carrying the client's energy, bar by bar
    exaggerate  the client's playing with its most distinctive feature enlarged (its own
                module, respond/exaggerate.py)

Onset groups and contour: notes struck on one tick form an onset group, represented by its
top note; the contour is the sign of each step from one group's top note to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from math import ceil
from statistics import fmean, median

from improv_cli.respond.client import Client, ClientNote
from improv_cli.respond.context import Context, Struck, Technique, groups, note, tops
from improv_cli.respond.exaggerate import BASE, FEATURES, distinctive, exaggerate, features
from improv_cli.timeline import Note

LOW, HIGH = 21, 108  # exaggerated pitches are clipped to the piano's range
PAUSE = 2.0  # seconds: a longer inter-onset interval is a pause, not articulation


def step(ctx: Context, pitch: int, steps: int) -> int:
    """`pitch` moved `steps` notes of the mode up (down when negative)."""
    direction = 1 if steps > 0 else -1
    for _ in range(abs(steps)):
        pitch += direction
        while not ctx.in_mode(pitch):
            pitch += direction
    return pitch


def contour_map(line: Sequence[int], ctx: Context, shift: int = 0) -> list[int]:
    """Each pitch moved `shift` semitones, then to the nearest note of the mode (ties in the
    line's direction); where that would repeat or turn back, the next note of the mode in
    the line's direction instead, so every step keeps its sign (a repeat stays a repeat)."""
    out: list[int] = []
    for i, pitch in enumerate(line):
        sign = 0 if i == 0 else (pitch > line[i - 1]) - (pitch < line[i - 1])
        if i and sign == 0:
            out.append(out[-1])
            continue
        mapped = ctx.nearest(pitch + shift, prefer_up=sign > 0)
        if i and (mapped - out[-1]) * sign <= 0:
            mapped = step(ctx, out[-1], sign)
        out.append(mapped)
    return out


def mode_mapped(notes: Sequence[Struck], ctx: Context, shift: int, steps: int = 0) -> list[int]:
    """New pitches for `notes`: each group's top by contour_map, its other notes to their
    nearest note of the mode below the new top; then all moved `steps` notes of the mode."""
    pitches = [0] * len(notes)
    for group, top in zip(groups(notes), contour_map(tops(notes), ctx, shift), strict=True):
        high = max(notes[i].pitch for i in group)
        for i in group:
            mapped = min(ctx.nearest(notes[i].pitch + shift), step(ctx, top, -1))
            pitches[i] = top if notes[i].pitch == high else mapped
    return [step(ctx, p, steps) if steps else p for p in pitches]


def mirror(client: Client, ctx: Context) -> list[Note]:
    """T1 mirroring, at the same moment. Keeps every onset, duration and velocity, and the
    contour; changes the pitches: moved `octave` octaves (params, default 0), then into the
    mode by mode_mapped."""
    shift = 12 * int(ctx.params.get("octave", 0))
    pitches = mode_mapped(client.notes, ctx, shift)
    return [
        note(n.start, n.duration, p, n.velocity) for n, p in zip(client.notes, pitches, strict=True)
    ]


def echo(
    client: Client, ctx: Context, pitches: Callable[[Sequence[ClientNote]], list[int]]
) -> list[Note]:
    """Each phrase again from the first beat at or after its end, with `pitches`. It never
    sounds with the client: a note that would start at or after the next phrase's start is
    left out and one that would sound into it is cut there."""
    out: list[Note] = []
    for i in range(len(client.phrases)):
        phrase = client.phrase_notes(i)
        first, last = client.span(i)
        shift = ceil(last / client.beat) * client.beat - first
        stop = client.span(i + 1)[0] if i + 1 < len(client.phrases) else None
        for n, pitch in zip(phrase, pitches(phrase), strict=True):
            start, end = n.start + shift, n.end + shift
            if stop is not None and start >= stop:
                break
            out.append(note(start, min(end, stop or end) - start, pitch, n.velocity))
    return out


def copy(client: Client, ctx: Context) -> list[Note]:
    """T2 copying. Keeps each phrase's pitches, durations, velocities and rhythm; changes when
    it sounds: after the phrase, from the first beat at or after its end (see echo)."""
    return echo(client, ctx, lambda phrase: [n.pitch for n in phrase])


def imitate(client: Client, ctx: Context) -> list[Note]:
    """T2 imitating. Keeps each phrase's rhythm (inter-onset intervals, durations), velocities
    and contour; changes when (as copy) and the pitches: `octave` octaves away and `steps`
    notes of the mode up or down (params, both default 0), mapped into the mode as mirror."""
    shift = 12 * int(ctx.params.get("octave", 0))
    steps = int(ctx.params.get("steps", 0))
    return echo(client, ctx, lambda phrase: mode_mapped(phrase, ctx, shift, steps))


def seconds(ticks: float, tempo: float, beat: int) -> float:
    return ticks / beat * 60 / tempo


def articulation(notes: Sequence[Struck], tempo: float, beat: int) -> float | None:
    """Mean of min(1, duration / IOI) from each onset group (its longest note) to the next,
    over IOIs of at most 2 s (longer ones are pauses); None when there are none."""
    gs = groups(notes)
    ratios = []
    for g, h in pairwise(gs):
        ioi = notes[h[0]].start - notes[g[0]].start
        if seconds(ioi, tempo, beat) <= PAUSE:
            ratios.append(min(1.0, max(notes[i].duration for i in g) / ioi))
    return fmean(ratios) if ratios else None


def register_band(client: Client, ctx: Context) -> list[int]:
    """The mode's pitches from the client's 10th to 90th percentile pitch (nearest rank),
    widened a semitone each way until it holds at least 2 x (the largest chord) + 1 notes of
    the mode (3 for a single line), so a new chord can always avoid the client's."""
    ps = sorted(n.pitch for n in client.notes)
    lo, hi = ps[int(0.1 * (len(ps) - 1) + 0.5)], ps[int(0.9 * (len(ps) - 1) + 0.5)]
    least = 2 * max(len(g) for g in groups(client.notes)) + 1
    while sum(ctx.in_mode(p) for p in range(lo, hi + 1)) < least:
        lo, hi = lo - 1, hi + 1
    return [p for p in range(lo, hi + 1) if ctx.in_mode(p)]


def level(velocities: list[int], target: float) -> list[int]:
    """Velocities shifted (clipped to 1-127, a few rounds) until their mean is near `target`."""
    for _ in range(8):
        gap = round(target - fmean(velocities))
        if not gap:
            break
        velocities = [max(1, min(127, v + gap)) for v in velocities]
    return velocities


def match_onsets(client: Client, ctx: Context, grid: int) -> dict[int, int]:
    """Onset tick -> how many notes: the client's inter-onset intervals (on the grid) and
    chord sizes reshuffled over the client's span, then repaired to the client's note count."""
    gs = groups(client.notes)
    starts = [client.notes[g[0]].start for g in gs]
    iois = [max(grid, round((b - a) / grid) * grid) for a, b in pairwise(starts)] or [grid]
    sizes = [len(g) for g in gs]
    first, end = ceil(starts[0] / grid) * grid, client.end
    onsets: dict[int, int] = {}
    t, pool = first, list[int]()
    while t < end or not onsets:
        if not pool:
            pool = list(iois)
            ctx.rng.shuffle(pool)
        onsets[t] = ctx.rng.choice(sizes)
        t += pool.pop()
    total = len(client.notes)
    free = [s for s in range(first, max(end, first + grid), grid) if s not in onsets]
    while sum(onsets.values()) != total:
        if sum(onsets.values()) > total:
            t = ctx.rng.choice(sorted(onsets))
            if onsets[t] > 1:
                onsets[t] -= 1
            else:
                del onsets[t]
        elif free:
            onsets[free.pop(ctx.rng.randrange(len(free)))] = 1
        else:
            onsets[ctx.rng.choice(sorted(onsets))] += 1
    return dict(sorted(onsets.items()))


def closest(options: Sequence[int], pitch: int) -> int:
    """The option nearest `pitch` (the lower on a tie)."""
    return min(options, key=lambda p: (abs(p - pitch), p))


def match(client: Client, ctx: Context) -> list[Note]:
    """T3 matching. Keeps the client's note count over their span (density), mean velocity
    (within 1), register band (register_band), grid (a quarter beat) and articulation; changes
    the notes: reshuffled inter-onset intervals (match_onsets), pitches a walk through the
    band by the client's intervals reshuffled, a (onset, pitch) of the client's moved."""
    if not client.notes:
        return []
    grid, rng = client.beat // 4, ctx.rng
    onsets = match_onsets(client, ctx, grid)
    band = register_band(client, ctx)
    moves = [b - a for a, b in pairwise(tops(client.notes))] or [0]
    taken = {(n.start, n.pitch) for n in client.notes}
    a = articulation(client.notes, client.tempo, client.beat)
    typical = round(median(n.duration for n in client.notes))
    times = [*onsets, client.end]
    rows: list[tuple[int, int, int]] = []
    here = rng.choice(band)
    for t, after in pairwise(times):
        fresh = [p for p in band if (t, p) not in taken] or band
        here = closest(fresh, here + rng.choice(moves))
        short = a is not None and seconds(after - t, client.tempo, client.beat) <= PAUSE
        length = max(1, round(a * (after - t))) if short and a is not None else typical
        others = [p for p in fresh if p != here]
        for pitch in [here, *rng.sample(others, min(len(others), onsets[t] - 1))]:
            rows.append((t, min(length, max(1, client.end - t)), pitch))
    velocities = level(
        [rng.choice([n.velocity for n in client.notes]) for _ in rows],
        fmean(n.velocity for n in client.notes),
    )
    return [note(t, d, p, v) for (t, d, p), v in zip(rows, velocities, strict=True)]


def spread(begin: int, length: int, count: int, grid: int) -> list[int]:
    """`count` onsets evenly through [begin, begin + length), on `grid` when they fit it."""
    if length / count >= grid:
        return [begin + round(j * length / count / grid) * grid for j in range(count)]
    return [begin + j * length // count for j in range(count)]


def voiced(ctx: Context, members: Sequence[int], low: int, turn: int) -> list[int]:
    """Pitch classes as the mode's nearest pitches from `low` up, the lowest `turn` an octave up."""
    pitches = sorted(ctx.nearest(low + (pc - low) % 12) for pc in members)
    return sorted(p + 12 if i < turn else p for i, p in enumerate(pitches))


def reflect(client: Client, ctx: Context) -> list[Note]:
    """T5 reflecting. Keeps the client's energy bar by bar: as many onsets in each bar as the
    client struck there (density) at the mean velocity of their notes there (dynamics, the
    whole levelled to the client's mean); its brightness is the framework's mode. Changes the
    notes: the framework's chord for the bar (voiced from G3, a seeded inversion) on onsets
    spread evenly through the bar, its root from C2 on the first; a (onset, pitch) the client
    played goes an octave down, or is left out."""
    if not client.notes:
        return []
    bar, chords = ctx.bar_ticks, ctx.chords()
    taken = {(n.start, n.pitch) for n in client.notes}
    by_bar: dict[int, list[ClientNote]] = {}
    for n in client.notes:
        by_bar.setdefault(n.start // bar, []).append(n)
    rows: list[tuple[int, int, int, int]] = []
    for b, struck in sorted(by_bar.items()):
        root, members = chords[b % len(chords)]
        velocity = round(fmean(n.velocity for n in struck))
        onsets = spread(b * bar, bar, len({n.start for n in struck}), client.beat // 8)
        chord = voiced(ctx, members, 55, ctx.rng.randrange(len(members)))
        for t, after in pairwise([*onsets, (b + 1) * bar]):
            pitches = [*voiced(ctx, [root], 36, 0)[:1]] if t == onsets[0] else []
            for pitch in [*pitches, *chord]:
                length = (b + 1) * bar - t if pitch < 48 else after - t
                free = next((p for p in (pitch, pitch - 12) if (t, p) not in taken), None)
                if free is not None:
                    rows.append((t, length, free, velocity))
    target = fmean(n.velocity for n in client.notes)
    velocities = level([r[3] for r in rows], target)
    return [note(t, d, p, v) for (t, d, p, _), v in zip(rows, velocities, strict=True)]


__all__ = ["BASE", "FEATURES", "TECHNIQUES", "distinctive", "exaggerate", "features"]

TECHNIQUES: dict[str, Technique] = {
    "mirror": mirror,
    "imitate": imitate,
    "copy": copy,
    "match": match,
    "reflect": reflect,
    "exaggerate": exaggerate,
}
