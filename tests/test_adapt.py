"""`improv adapt`: real songs nobody here wrote, from music21's corpus, played inside
frameworks. Every assertion is on the decoded MIDI: the song's rhythm, its scale degrees in
the target mode, the framework's groove grid, the expression."""

from __future__ import annotations

import itertools
import json

import mido
import pytest

from improv_cli.engine.song import read_song
from improv_cli.model.framework import Key
from improv_cli.model.loader import load_framework
from tests.midi_facts import by_name, decode, metas

LETTERS = "CDEFGAB"
MODES = {  # the seven-note modes used here, as semitones above the tonic
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}
CHORALE = "corpus:bach/bwv66.6"  # F# minor, 4/4, a one-beat pickup, a 3/4 closing bar
WALTZ = "corpus:schubert/Lindenbaum"  # E major, 3/4, voice and piano
LEAD_SHEET = "corpus:leadSheet/fosterBrownHair"  # C major, 4/4, chord symbols, repeats
CASES = [  # song, framework, target mode
    (CHORALE, "holding/dorian-vamp", "minor"),
    (CHORALE, "accompanying/folk-song-frame", "dorian"),
    (WALTZ, "accompanying/waltz-song-frame", "major"),
    (WALTZ, "containing/aeolian-waltz", "mixolydian"),
    (LEAD_SHEET, "holding/dorian-vamp", "mixolydian"),
    (LEAD_SHEET, "accompanying/folk-song-frame", "major"),
]
CLOSING = """\
- {bars: 1-2, dynamics: "p -> mf"}
- {bars: LAST2-LAST, tempo: "80 -> 56"}
- {bar: LAST, fermata: 2}
"""


@pytest.fixture(scope="module")
def songs():
    return {ref: read_song(ref) for ref in (CHORALE, WALTZ, LEAD_SHEET)}


@pytest.fixture(scope="module")
def adapted(songs, tmp_path_factory):
    """Every case rendered once, with a closing ritardando and fermata over its last bars."""
    from tests.conftest import run_cli

    folder = tmp_path_factory.mktemp("adapt")
    out = {}
    for song, framework, mode in CASES:
        printed = len(songs[song].bars) - (1 if songs[song].pickup else 0)
        spans = folder / f"close-{printed}.yaml"
        spans.write_text(CLOSING.replace("LAST2", str(printed - 1)).replace("LAST", str(printed)))
        target = folder / f"{song.split('/')[-1]}-{framework.split('/')[-1]}-{mode}.mid"
        result = run_cli("adapt", song, "-F", framework, "--mode", mode, "--tempo", "80",
                         "--expression", str(spans), "-o", str(target), "--json")  # fmt: skip
        assert result.returncode == 0, result.stderr
        out[(song, framework, mode)] = (target, json.loads(result.stdout))
    return out


def degree(step: str, tonic: str) -> int:
    return (LETTERS.index(step) - LETTERS.index(tonic[0])) % 7


@pytest.mark.parametrize(("song", "framework", "mode"), CASES, ids=lambda v: str(v).split("/")[-1])
def test_the_melody_keeps_the_songs_rhythm_and_degrees(songs, adapted, song, framework, mode):
    written = songs[song]
    path, info = adapted[(song, framework, mode)]
    melody = sorted(by_name(decode(path))["melody"].notes, key=lambda n: n.start)
    assert [(n.start, n.end - n.start) for n in melody] == [
        (n.start, n.duration) for n in written.notes
    ]
    song_mode, target = MODES[written.mode], MODES[mode]
    tonic = Key(written.tonic, written.mode).tonic_pc
    for note, played in zip(written.notes, melody, strict=True):
        step = degree(note.step, written.tonic)
        in_scale = (note.pitch - tonic) % 12 == song_mode[step]
        moved = target[step] - song_mode[step] if in_scale else 0  # chromatic notes stay
        assert played.pitch - note.pitch == moved, (note, played)
    assert info["key"] == f"{written.tonic} {mode}"


@pytest.mark.parametrize(("song", "framework", "mode"), CASES, ids=lambda v: str(v).split("/")[-1])
def test_the_band_plays_the_frameworks_groove_in_every_full_bar(
    songs, adapted, song, framework, mode
):
    groove = load_framework(framework).sections[0].groove
    path, _ = adapted[(song, framework, mode)]
    tracks = by_name(decode(path))
    starts = _bar_starts(tracks)
    full = [(a, b) for a, b in itertools.pairwise(starts) if b - a == _bar(tracks)]
    assert len(full) >= len(starts) - 3
    step = _bar(tracks) // groove.steps
    cycle = {row.note: row.steps for row in groove.drums}
    first_full = full[0][0]
    for name in ("drums", "bass", "comp"):
        onsets = [n.start for n in tracks[name].notes if any(a <= n.start < b for a, b in full)]
        assert onsets and all((t - first_full) % step == 0 for t in onsets), name
    for index, (a, b) in enumerate(full):  # the drum rows, bar for bar through the cycle
        hits = {(n.pitch, (n.start - a) // step) for n in tracks["drums"].notes if a <= n.start < b}
        bar = index % groove.bars
        want = {
            (note, i)
            for note, row in cycle.items()
            for i, c in enumerate(row[bar * groove.steps : (bar + 1) * groove.steps])
            if c in "xXo"
        }
        assert hits == want, (index, sorted(hits ^ want))


@pytest.mark.parametrize(("song", "framework", "mode"), CASES, ids=lambda v: str(v).split("/")[-1])
def test_the_closing_ritardando_and_fermata_are_there(songs, adapted, song, framework, mode):
    """80 -> 56 bpm over the last two bars, then the last beat held two beats longer."""
    path, _ = adapted[(song, framework, mode)]
    tracks = decode(path)
    tempos = [(tick, mido.tempo2bpm(m.tempo)) for tick, m in metas(tracks[0], "set_tempo")]
    starts = _bar_starts(by_name(tracks))
    end = by_name(tracks)["melody"].end  # every track ends at the end of the last bar
    in_force = [bpm for tick, bpm in tempos if tick <= starts[-2]][-1]
    assert in_force == pytest.approx(80, abs=0.01)
    falling = [bpm for tick, bpm in tempos if tick > starts[-2]]
    assert len(falling) >= 3 and all(b < a for a, b in itertools.pairwise(falling))
    held_at, held = tempos[-1]
    beat = 480 * 4 // _meter(tracks, held_at)[1]
    assert held_at == end - beat  # the last beat
    assert held * 3 == pytest.approx(56, abs=0.5)  # at the ritardando's end, two beats longer


def test_a_pickup_stays_a_pickup(adapted, songs):
    path, info = adapted[(CHORALE, "holding/dorian-vamp", "minor")]
    tracks = by_name(decode(path))
    meters = [
        (tick, m.numerator, m.denominator) for tick, m in metas(decode(path)[0], "time_signature")
    ]
    assert meters[:2] == [(0, 1, 4), (480, 4, 4)]
    assert info["pickup_beats"] == 1.0
    first_melody = min(n.start for n in tracks["melody"].notes)
    band = [n.start for name in ("drums", "bass", "comp") for n in tracks[name].notes]
    assert first_melody == 0 and min(band) == 480  # the band comes in on the downbeat


def test_a_score_keeps_the_pickup_and_the_change_of_metre(tmp_path, cli):
    from lxml import etree

    from tests.notation_facts import schema_errors

    out = tmp_path / "chorale.musicxml"
    result = cli("adapt", CHORALE, "-F", "holding/dorian-vamp", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert schema_errors(data) == []
    melody = etree.fromstring(data).find("part")
    measures = melody.findall("measure")
    assert [m.get("number") for m in measures] == [str(i) for i in range(10)]
    divisions = int(measures[0].find("attributes/divisions").text)
    first = sum(int(d.text) for d in measures[0].findall("note/duration"))
    assert first == divisions  # bar 0: one beat, the pickup
    times = [
        (m.get("number"), m.find("attributes/time/beats").text)
        for m in measures
        if m.find("attributes/time") is not None
    ]
    assert times == [("0", "4"), ("9", "3")]


def test_a_several_track_midi_file_without_chords_is_harmonised(tmp_path, cli):
    """bwv269 (3/4) written to MIDI by music21 (four tracks, no chord symbols), harmonised:
    the chord of most bars holds the bar's strongest melody note (downbeats doubled)."""
    from music21 import corpus, harmony

    source = tmp_path / "chorale.mid"
    corpus.parse("bach/bwv269").write("midi", fp=str(source))
    assert len(mido.MidiFile(str(source)).tracks) >= 4
    out = tmp_path / "out.mid"
    result = cli(
        "adapt", str(source), "-F", "accompanying/waltz-song-frame", "-o", str(out), "--json"
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["harmony"] == "harmonised"
    tracks = decode(out)
    chords = [(t, m.text) for t, m in metas(tracks[0], "text")]
    melody = by_name(tracks)["melody"].notes
    starts = [*_bar_starts(by_name(tracks)), max(n.end for n in melody)]
    held = judged = 0
    for a, b in itertools.pairwise(starts):
        weights: dict[int, float] = {}
        for n in melody:
            length = min(n.end, b) - max(n.start, a)
            if length > 0:
                weights[n.pitch % 12] = weights.get(n.pitch % 12, 0) + length * (
                    2 if n.start == a else 1
                )
        under = [text for t, text in chords if t <= a]
        if not weights or not under:
            continue
        strongest = max(weights, key=lambda pc: weights[pc])
        symbol = harmony.ChordSymbol(
            under[-1].replace("b", "-") if len(under[-1]) > 1 and under[-1][1] == "b" else under[-1]
        )
        judged += 1
        held += strongest in {p.pitchClass for p in symbol.pitches}
    share = held / judged
    print(f"bwv269 harmonised: the strongest melody note is in the chord in {held}/{judged} bars")
    assert judged >= 15 and share >= 0.75
    assert info["strongest_note_share"] >= 0.75


def test_a_framework_can_name_its_song(tmp_path, cli):
    (tmp_path / "hello.yaml").write_text(
        "title: Hello song, a soft ballad at 70, ending with a fermata\n"
        "tempo: 70\ngroove: ballad\n"
        "song: {source: corpus:bach/bwv66.6, mode: dorian}\n"
        "expression:\n  - {bars: 1-9, dynamics: 'p -> mf'}\n  - {bar: 9, fermata: 2}\n"
    )
    assert cli("validate", "hello.yaml", cwd=tmp_path).returncode == 0
    result = cli("render", "hello.yaml", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    tracks = by_name(decode(tmp_path / "hello.mid"))
    song = read_song(CHORALE)
    melody = sorted(tracks["melody"].notes, key=lambda n: n.start)
    assert [n.start for n in melody] == [n.start for n in song.notes]
    assert {n.pitch % 12 for n in melody} <= {
        (Key("F#", "dorian").tonic_pc + i) % 12 for i in MODES["dorian"]
    } | {5}  # E# leading note


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere.mid"], "nowhere.mid: no such file"),
        (["bad.mid"], "bad.mid: not a readable song file"),
        (["bad.xml"], "bad.xml: not a readable song file"),
        (["notes.txt"], "notes.txt: not a readable song file"),
        (["corpus:no/such"], "corpus:no/such: not in music21's corpus"),
        (
            [WALTZ, "-F", "holding/dorian-vamp"],
            "the song is in 3/4, the framework holding/dorian-vamp in 4/4",
        ),
        ([CHORALE, "--mode", "major-pentatonic"], "--mode: major-pentatonic has 5 notes, not 7"),
        (
            [CHORALE, "--groove", "waltz"],
            "--groove: 'waltz' is written for 3/4, the song is in 4/4",
        ),
        ([CHORALE, "--bars", "3-1"], "--bars: '3-1' is not a range of bars"),
        ([CHORALE, "--expression", "far.yaml"], "--expression: bar 40 is beyond the song's 9 bars"),
    ],
)
def test_bad_songs_and_options_get_one_line_and_nothing_is_written(tmp_path, cli, args, message):
    (tmp_path / "bad.mid").write_bytes(b"MThd this is not a MIDI file")
    (tmp_path / "bad.xml").write_text("<score-partwise><part>")
    (tmp_path / "notes.txt").write_text("do re mi")
    (tmp_path / "far.yaml").write_text("- {bar: 40, fermata: 1}\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    if "-F" not in args:
        args = [*args, "-F", "holding/dorian-vamp"]
    result = cli("adapt", *args, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_same_song_and_seed_give_the_same_bytes(tmp_path, cli):
    for name in ("a.mid", "b.mid"):
        result = cli(
            "adapt",
            LEAD_SHEET,
            "-F",
            "holding/dorian-vamp",
            "--seed",
            "4",
            "-o",
            str(tmp_path / name),
        )
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.mid").read_bytes() == (tmp_path / "b.mid").read_bytes()


def _bar_starts(tracks) -> list[int]:
    """Where each bar starts, from the conductor track's time signatures."""
    conductor = next(iter(tracks.values()))
    changes = [(t, m.numerator, m.denominator) for t, m in metas(conductor, "time_signature")]
    end = max(n.end for t in tracks.values() for n in t.notes)
    starts, tick = [], 0
    while tick < end:
        starts.append(tick)
        _, num, den = [c for c in changes if c[0] <= tick][-1]
        tick += num * 1920 // den
    return starts


def _bar(tracks) -> int:
    """The commonest bar length."""
    starts = _bar_starts(tracks)
    lengths = [b - a for a, b in itertools.pairwise(starts)]
    return max(set(lengths), key=lengths.count)


def _meter(tracks, tick: int) -> tuple[int, int]:
    changes = [(t, m.numerator, m.denominator) for t, m in metas(tracks[0], "time_signature")]
    _, num, den = [c for c in changes if c[0] <= tick][-1]
    return num, den
