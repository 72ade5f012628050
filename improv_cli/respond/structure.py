"""Techniques that put a frame around the client's music: ground, hold, contain, dialogue,
accompany.

Every part is written on the client's grid (480 ticks a beat at the client's tempo) in the
framework's mode and metre. The frame covers the client's whole span: from the start of the
bar of their first note to their last note's end rounded up to a whole bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, floor
from statistics import fmean, quantiles

from improv_cli.engine.theory import diatonic_chord
from improv_cli.model.tables import TPQ
from improv_cli.respond.client import Client, ClientNote
from improv_cli.respond.context import Context, Technique, note
from improv_cli.timeline import Note

Chord = tuple[int, tuple[int, ...]]  # root pitch class, pitch classes


def frame(client: Client, ctx: Context) -> tuple[int, int]:
    """Where the frame starts and ends: whole bars around the client's notes."""
    bar = ctx.bar_ticks
    start = client.notes[0].start // bar * bar
    return start, max(start + bar, ceil(client.end / bar) * bar)


def mean_velocity(client: Client) -> float:
    return fmean(n.velocity for n in client.notes)


def band(client: Client) -> tuple[float, float]:
    """The client's pitch band [p10, p90] (deciles, inclusive method)."""
    pitches = [n.pitch for n in client.notes]
    if len(pitches) < 2:
        return float(pitches[0]), float(pitches[0])
    deciles = quantiles(pitches, n=10, method="inclusive")
    return deciles[0], deciles[8]


def ground(client: Client, ctx: Context) -> list[Note]:
    """Grounding: an open-fifth bourdon, the tonic with the fifth above it, struck on every
    beat at the client's tempo, all below C3 (tonic in octave 2, or octave 1 when its fifth
    would reach C3), at one velocity 8 under the client's mean.

    Keeps the client's tempo and the mode's tonal centre; changes everything else: no melody,
    no rhythm but the pulse (constant inter-onset intervals), no dynamics."""
    if not client.notes:
        return []
    tonic = 36 + ctx.tonic_pc if ctx.tonic_pc + 7 < 12 else 24 + ctx.tonic_pc
    velocity = clamp(round(mean_velocity(client)) - 8, 30, 110)
    beat = ctx.beat_ticks
    start, end = frame(client, ctx)
    return [
        note(t, beat - 20, pitch, velocity)
        for t in range(start, end, beat)
        for pitch in (tonic, tonic + 7)
    ]


def hold(client: Client, ctx: Context) -> list[Note]:
    """Holding: a one- or two-chord ostinato, a bar a chord (the framework's first two
    distinct chords; i and the chord on the mode's last degree when it has no harmony), so
    the pattern repeats exactly every 1 or 2 bars. Bass on the downbeat, the chord on every
    beat, within 4 velocities of one level 10 under the client's mean. Voiced outside the
    client's [p10, p90] band: below it when a whole octave fits between MIDI 36 and p10,
    otherwise above p90.

    Keeps the client's tempo and the framework's mode; leaves their register free; changes
    nothing in response to what they play (predictable by design)."""
    if not client.notes:
        return []
    chords = hold_chords(ctx)
    low, high = band(client)
    below = ceil(low) - 12 >= 36 or floor(high) + 12 > 108
    top = ceil(low) - 1 if below else floor(high) + 12
    level = clamp(round(mean_velocity(client)) - 10, 35, 90)
    bar, beat = ctx.bar_ticks, ctx.beat_ticks
    start, end = frame(client, ctx)
    out = []
    for i, t in enumerate(range(start, end, bar)):
        root, pcs = chords[i % len(chords)]
        voicing = close_voicing(pcs, top)
        bass = min(p for p in voicing if p % 12 == root)
        if bass - 12 >= 28 and (bass - 12 < low if below else bass - 12 > high):
            bass -= 12
        out.append(note(t, bar - 30, bass, level + 4))
        for b, onset in enumerate(range(t, t + bar, beat)):
            out += [note(onset, beat - 40, p, level + (2 if b == 0 else 0)) for p in voicing]
    return out


def hold_chords(ctx: Context) -> list[Chord]:
    """The ostinato's one or two chords."""
    if not any(section.harmony for section in ctx.framework.sections):
        key = ctx.framework.key
        tonic, last = diatonic_chord(key, 0, 3), diatonic_chord(key, len(key.intervals) - 1, 3)
        return [(tonic.root, tonic.members), (last.root, last.members)]
    distinct: list[Chord] = []
    for chord in ctx.chords():
        if all(chord[1] != c[1] for c in distinct):
            distinct.append(chord)
    return distinct[:2]


def close_voicing(pcs: tuple[int, ...], top: int) -> list[int]:
    """Each pitch class once, at its highest pitch not above `top` (within an octave)."""
    return sorted(top - (top - pc) % 12 for pc in dict.fromkeys(pcs))


def contain(client: Client, ctx: Context) -> list[Note]:
    """Containing: octaves (the bar's chord root in octave 2 and an octave above) on every
    beat and on k even subdivisions of it, k the client's onsets a beat (1-4); downbeats
    accented by 10, subdivisions 3 under the beat. It starts 4 above the client's mean
    velocity. With `step_down` (default on), after the first phrase (2 bars when there is
    one phrase) each bar is 4 softer (to 30 under the start, and no softer than 40), and
    every second bar of the descent one subdivision sparser, down to the beat alone; a bar
    never sounds louder on average than the one before.

    Keeps the client's loudness and density at first; changes their time into a strong
    metre and, with `step_down`, their intensity into a bounded descent."""
    if not client.notes:
        return []
    step_down = bool(ctx.params.get("step_down", True))
    bar, beat = ctx.bar_ticks, ctx.beat_ticks
    start, end = frame(client, ctx)
    level0 = clamp(ceil(mean_velocity(client)) + 4, 1, 117)
    density = onsets_per_beat(client)
    first_end = client.span(0)[1] if len(client.phrases) > 1 else start + 2 * bar
    held = max(1, ceil((first_end - start) / bar))
    chords = ctx.chords()
    out: list[Note] = []
    previous = 128.0
    for i, t in enumerate(range(start, end, bar)):
        descent = max(0, i - held + 1) if step_down else 0
        level = max(min(level0, 40), level0 - 30, level0 - 4 * descent)
        subdivisions = max(1, density - descent // 2)
        bass = 36 + chords[(t // bar) % len(chords)][0]
        strikes = []
        for b, onset in enumerate(range(t, t + bar, beat)):
            for s in range(subdivisions):
                accent = 10 if b == 0 and s == 0 else (0 if s == 0 else -3)
                strikes.append((onset + s * beat // subdivisions, clamp(level + accent, 1, 127)))
        bar_mean = fmean(v for _, v in strikes)
        shift = ceil(bar_mean - previous) if bar_mean > previous else 0
        previous = bar_mean - shift
        length = beat // subdivisions - 20
        for onset, velocity in strikes:
            out += [note(onset, length, p, velocity - shift) for p in (bass, bass + 12)]
    return out


def onsets_per_beat(client: Client) -> int:
    """The client's density: distinct onsets a beat over their span, rounded into 1-4."""
    onsets = sorted({n.start for n in client.notes})
    beats = max(1.0, (client.end - onsets[0]) / TPQ)
    return clamp(round(len(onsets) / beats), 1, 4)


def dialogue(client: Client, ctx: Context) -> list[Note]:
    """Dialoguing in turns: each phrase of the client's (the call) is answered in the silence
    after it. The answer keeps the call's rhythm, register and velocities, its pitches moved
    to the nearest note of the mode and varied (seeded): the last three notes inverted about
    the first of them, or the whole call sequenced a scale step up or down. It starts on the
    next half beat after the call's last note ends.

    Before the next phrase the answer must end by that phrase's first onset: when the call is
    longer than the gap, its rhythm is compressed to fit, if that keeps at least half its
    length; otherwise the turn is skipped (the client has taken it back). The last answer has
    the open gap: it is the call's full length and ends on the tonic (a cadence)."""
    out: list[Note] = []
    count = len(client.phrases)
    for i in range(count):
        call_start, call_end = client.span(i)
        begin = ceil(call_end / (TPQ // 2)) * (TPQ // 2)
        length = call_end - call_start
        room = client.span(i + 1)[0] - begin if i + 1 < count else length
        if room < length / 2 or room <= 0:
            continue
        scale = min(1.0, room / length)
        pitches = vary([n.pitch for n in client.phrase_notes(i)], ctx)
        if i + 1 == count:
            pitches[-1] = nearest_pc(pitches[-1], ctx.tonic_pc)
        limit = begin + min(room, length)
        for n, pitch in zip(client.phrase_notes(i), pitches, strict=True):
            onset = begin + round((n.start - call_start) * scale)
            finish = min(limit, begin + round((n.end - call_start) * scale))
            if finish > onset:
                out.append(note(onset, finish - onset, pitch, n.velocity))
    return out


def vary(pitches: list[int], ctx: Context) -> list[int]:
    """The call's pitches in the mode, with a seeded variation."""
    moded = [ctx.nearest(p) for p in pitches]
    kind = ctx.rng.choice(("invert", "up", "down")) if len(moded) > 1 else "up"
    if kind == "invert":
        tail = max(0, len(moded) - 3)
        pivot = moded[tail]
        return moded[:tail] + [ctx.nearest(2 * pivot - p) for p in moded[tail:]]
    return [step(p, 1 if kind == "up" else -1, ctx) for p in moded]


def step(pitch: int, direction: int, ctx: Context) -> int:
    """The next note of the mode above (1) or below (-1) `pitch`."""
    candidate = pitch + direction
    while not ctx.in_mode(candidate):
        candidate += direction
    return candidate


def nearest_pc(pitch: int, pc: int) -> int:
    down = pitch - (pitch - pc) % 12
    return down if pitch - down <= 6 else down + 12


@dataclass(frozen=True, slots=True)
class Harmony:
    """A chord under the client's melody, sounding over [start, end)."""

    start: int
    end: int
    root: int
    pcs: tuple[int, ...]


def harmony(client: Client, ctx: Context) -> list[Harmony]:
    """The chords that accompany the client, a bar each, or a half bar each when one chord
    cannot hold all of the bar's long notes (at least a beat) and two can hold more."""
    if not client.notes:
        return []
    bar = ctx.bar_ticks
    half = max(1, bar // ctx.beat_ticks // 2) * ctx.beat_ticks
    start, end = frame(client, ctx)
    written = ctx.chords()
    out: list[Harmony] = []
    for t in range(start, end, bar):
        prefer = written[(t // bar) % len(written)]
        whole = best_chord(client, t, t + bar, prefer, ctx)
        parts = [best_chord(client, t, t + half, prefer, ctx)]
        parts.append(best_chord(client, t + half, t + bar, parts[0], ctx))
        if half < bar and held(parts, client, t, half, bar) > held([whole], client, t, bar, bar):
            out += [Harmony(t, t + half, *parts[0]), Harmony(t + half, t + bar, *parts[1])]
        else:
            out.append(Harmony(t, t + bar, *whole))
    return out


def held(chords: list[Chord], client: Client, t: int, half: int, bar: int) -> int:
    """How many long notes starting in the bar at `t` the chords hold (the first chord
    until `half`, the last after it)."""
    return sum(
        1
        for n in client.notes
        if n.duration >= TPQ
        and t <= n.start < t + bar
        and n.pitch % 12 in chords[min(len(chords) - 1, (n.start - t) // half)][1]
    )


def best_chord(client: Client, start: int, end: int, prefer: Chord, ctx: Context) -> Chord:
    """The chord that holds most of the long notes' time starting in [start, end): `prefer`
    (the framework's chord, or the one before) when it holds as much as any, else a diatonic
    triad, or a seventh when no triad holds as much; then most of all its notes' time, then
    the lowest degree."""
    notes = [n for n in client.notes if start <= n.start < end]
    if not notes:
        return prefer
    key = ctx.framework.key
    candidates = [prefer] + [
        (c.root, c.members)
        for size in (3, 4)
        for c in (diatonic_chord(key, i, size) for i in range(len(key.intervals)))
    ]

    def score(chord: Chord) -> tuple[int, bool, int, int]:
        return (
            covered(notes, chord, TPQ),
            chord == prefer,
            -len(chord[1]),
            covered(notes, chord, 0),
        )

    return max(candidates, key=score)  # the first of equals: the lowest degree


def covered(notes: list[ClientNote], chord: Chord, shortest: int) -> int:
    return sum(n.duration for n in notes if n.duration >= shortest and n.pitch % 12 in chord[1])


def accompany(client: Client, ctx: Context) -> list[Note]:
    """Accompanying: the client's melody harmonised in the mode (see `harmony`): the root in
    the bass held through each chord, the chord in close position struck on every beat, all
    below the client's mean pitch (the chord's top note 3 under it, the bass an octave
    under the chord) and 12-16 velocities softer than the client's mean.

    Keeps the client's tempo and makes their long notes chord tones; changes nothing in
    their melody: the part follows, under and behind it."""
    if not client.notes:
        return []
    top = min(floor(fmean(n.pitch for n in client.notes)) - 3, 67)
    velocity = max(1, round(mean_velocity(client)) - 16)
    beat = ctx.beat_ticks
    out: list[Note] = []
    for chord in harmony(client, ctx):
        voicing = close_voicing(chord.pcs, top)
        bass = min(p for p in voicing if p % 12 == chord.root) - 12
        out.append(note(chord.start, chord.end - chord.start - 20, bass, velocity + 4))
        for onset in range(chord.start, chord.end, beat):
            out += [note(onset, beat - 60, p, velocity) for p in voicing]
    return out


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


TECHNIQUES: dict[str, Technique] = {
    "ground": ground,
    "hold": hold,
    "contain": contain,
    "dialogue": dialogue,
    "accompany": accompany,
}
