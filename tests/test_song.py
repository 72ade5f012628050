"""Reading pre-composed songs (improv_cli.engine.song) from music21's corpus and from files."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest

from improv_cli.engine.song import Song, SongBar, SongChord, SongNote, read_song
from improv_cli.errors import RenderError
from improv_cli.model.tables import TPQ
from tests.conftest import ROOT

CHORALE = "corpus:bach/bwv66.6"  # 4/4, F# minor, a one-beat pickup, no repeats
WALTZ = "corpus:schubert/Lindenbaum"  # 3/4, voice and piano, 82 bars
LEAD_SHEET = "corpus:leadSheet/fosterBrownHair"  # chord symbols, |: :| with two endings
REEL = "corpus:nottingham-dataset/reelsa-c"  # ABC opus: "Cuckoo's Nest" first, chords, :|
HUMDRUM = "corpus:bach/bwv366.krn"  # 3/4 chorale in Humdrum

SMALL_ABC = """X:1
T:Little Repeat
M:3/4
L:1/4
Q:1/4=100
K:G
D|:"G"GAB|"D7"d3:|"Em"e2 "Am"A|"C"c3|]

X:2
T:Second Tune
K:C
CDEF|
"""


@pytest.fixture(scope="module")
def songs() -> dict[str, Song]:
    return {ref: read_song(ref) for ref in (CHORALE, WALTZ, LEAD_SHEET, REEL, HUMDRUM)}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Song:
    path = tmp_path_factory.mktemp("abc") / "small.abc"
    path.write_text(SMALL_ABC, encoding="utf-8")
    return read_song(str(path))


@pytest.fixture(scope="module")
def midi_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Song, Song]:
    from music21 import corpus

    path = tmp_path_factory.mktemp("midi") / "chorale.mid"
    corpus.parse("bach/bwv66.6").write("midi", fp=str(path))
    return read_song(CHORALE), read_song(str(path))


def full_bar(bar: SongBar) -> int:
    return bar.numerator * TPQ * 4 // bar.denominator


# --- the shape every song must have -------------------------------------------------------


def check_shape(song: Song) -> None:
    assert song.notes and song.bars
    starts = [n.start for n in song.notes]
    assert starts == sorted(starts)
    for a, b in zip(song.notes, song.notes[1:], strict=False):
        assert a.start + a.duration <= b.start, (a, b)  # monophonic
    assert all(n.duration > 0 for n in song.notes)
    assert all(n.step in "CDEFGAB" and -2 <= n.alter <= 2 for n in song.notes)
    natural = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
    assert all((natural[n.step] + n.alter - n.pitch) % 12 == 0 for n in song.notes)
    assert song.bars[0].start == 0
    for a, b in zip(song.bars, song.bars[1:], strict=False):
        assert b.start == a.start + a.ticks
    end = song.bars[-1].start + song.bars[-1].ticks
    assert sum(bar.ticks for bar in song.bars) == end
    assert all(n.start >= 0 and n.start + n.duration <= end for n in song.notes)
    assert [c.start for c in song.chords] == sorted(c.start for c in song.chords)
    assert all(0 <= c.start < end for c in song.chords)
    assert song.mode in ("major", "minor")
    assert song.tonic[0] in "CDEFGAB" and song.tonic[1:] in ("", "b", "#")
    assert song.melody_part in song.parts
    assert song.pickup == (song.bars[0].ticks if song.bars[0].ticks < full_bar(song.bars[0]) else 0)


PLAIN = (int, float, str, bool, type(None))


def check_plain(value: object) -> None:
    """Only our dataclasses, tuples and plain scalars: no music21 object."""
    if dataclasses.is_dataclass(value):
        assert type(value) in (Song, SongNote, SongChord, SongBar), type(value)
        for field in dataclasses.fields(value):
            check_plain(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            check_plain(item)
    else:
        assert type(value) in PLAIN, type(value)


@pytest.mark.parametrize("ref", [CHORALE, WALTZ, LEAD_SHEET, REEL, HUMDRUM])
def test_every_song_has_the_shape(songs, ref):
    check_shape(songs[ref])
    check_plain(songs[ref])
    assert songs[ref].source == ref


def test_the_shape_checks_can_fail(songs):
    song = songs[CHORALE]
    overlapping = (*song.notes[:2], dataclasses.replace(song.notes[2], start=song.notes[1].start))
    with pytest.raises(AssertionError):
        check_shape(dataclasses.replace(song, notes=overlapping))
    with pytest.raises(AssertionError):
        check_plain(dataclasses.replace(song, title=object()))


def test_reading_the_module_does_not_import_music21():
    probe = "import sys, improv_cli.engine.song; print('music21' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "False"


# --- (1) a chorale with a pickup -----------------------------------------------------------


def test_chorale_pickup(songs):
    song = songs[CHORALE]
    assert song.pickup == TPQ
    assert song.bars[0].ticks == TPQ < full_bar(song.bars[0]) == 4 * TPQ
    assert song.bars[0].number == 0 and song.bars[1].number == 1
    assert song.bars[1].start == song.pickup
    assert len(song.bars) == 10
    assert song.chords == ()
    assert (song.tonic, song.mode, song.tempo) == ("F#", "minor", 96.0)


def test_chorale_melody_is_the_soprano(songs):
    from music21 import corpus

    song = songs[CHORALE]
    assert song.parts == ("Soprano", "Alto", "Tenor", "Bass")
    assert song.melody_part == "Soprano"
    soprano = corpus.parse("bach/bwv66.6").parts[0].stripTies().flatten().notes
    expected = [
        (round(n.offset * TPQ), round(n.quarterLength * TPQ), n.pitch.midi) for n in soprano
    ]
    assert [(n.start, n.duration, n.pitch) for n in song.notes] == expected
    assert (song.notes[0].step, song.notes[0].alter) == ("C", 1)  # C#5


@pytest.mark.parametrize("wanted", [2, "alto", "ALTO", "2"])
def test_melody_part_by_number_or_name(songs, wanted):
    alto = read_song(CHORALE, melody_part=wanted)
    assert alto.melody_part == "Alto"
    soprano = songs[CHORALE]
    mean = sum(n.pitch for n in alto.notes) / len(alto.notes)
    assert mean < sum(n.pitch for n in soprano.notes) / len(soprano.notes)


# --- (2) a piece in 3/4 --------------------------------------------------------------------


def test_waltz_is_in_three(songs):
    song = songs[WALTZ]
    assert len(song.bars) == 82
    assert all((bar.numerator, bar.denominator) == (3, 4) for bar in song.bars)
    assert all(bar.ticks == 3 * TPQ for bar in song.bars[1:-1])
    assert song.pickup == 0
    assert song.parts == ("Voice", "Piano", "Piano")
    assert song.melody_part == "Voice"  # the tune, above the piano's right hand on average
    assert (song.tonic, song.mode) == ("E", "major")
    assert song.notes[0].start > 4 * song.bars[0].ticks  # the voice enters after the prelude


def test_humdrum_chorale_in_three(songs):
    song = songs[HUMDRUM]
    assert {(bar.numerator, bar.denominator) for bar in song.bars} == {(3, 4)}
    assert song.parts == ("part 1", "part 2", "part 3", "part 4")  # no names in the file
    assert song.melody_part == "part 1"


# --- (3) chord symbols ---------------------------------------------------------------------


def test_lead_sheet_chords(songs):
    song = songs[LEAD_SHEET]
    assert len(song.chords) == 74  # 40 written, the repeat plays most of them twice
    figures = {c.figure for c in song.chords}
    assert figures == {"F", "B-", "C", "Dm", "G7"}
    by_figure = {c.figure: c for c in song.chords}
    assert (by_figure["G7"].quality, by_figure["G7"].seventh) == ("dominant", True)
    assert (by_figure["B-"].root_step, by_figure["B-"].root_alter) == ("B", -1)
    assert (by_figure["Dm"].quality, by_figure["Dm"].seventh) == ("minor", False)
    assert song.chords[0] == SongChord(2 * 960, "F", "F", 0, "major", False)
    assert all(c.start % (TPQ // 2) == 0 for c in song.chords)


def test_abc_opus_takes_the_first_tune_with_its_chords(songs):
    song = songs[REEL]
    assert song.title == "Cuckoo's Nest"
    assert {c.figure for c in song.chords} == {"D", "Em", "A", "A7", "C"}
    assert song.chords[0] == SongChord(TPQ, "D", "D", 0, "major", False)  # after the pickup
    assert (song.tonic, song.mode, song.pickup) == ("D", "major", TPQ)


def test_small_abc_chords_and_tempo(small):
    assert small.title == "Little Repeat"
    assert small.tempo == 100.0
    assert (small.tonic, small.mode) == ("G", "major")
    bar = 3 * TPQ
    figures = [(c.start, c.figure) for c in small.chords]
    assert figures == [
        (TPQ, "G"),
        (TPQ + bar, "D7"),
        (TPQ + 2 * bar, "G"),
        (TPQ + 3 * bar, "D7"),
        (TPQ + 4 * bar, "Em"),
        (TPQ + 4 * bar + 2 * TPQ, "Am"),
        (TPQ + 5 * bar, "C"),
    ]
    assert [c.quality for c in small.chords[4:6]] == ["minor", "minor"]


# --- (4) MIDI ------------------------------------------------------------------------------


def test_midi_round_trip(midi_pair):
    written, read = midi_pair
    assert read.chords == ()
    assert read.parts == ("Soprano", "Alto", "Tenor", "Bass")  # track names
    assert read.melody_part == "Soprano"
    # music21 writes the pickup beat at time 0 with no padding, and reading MIDI re-bars
    # from there: no pickup, 9 full bars instead of 10, the same onsets in ticks.
    assert read.pickup == 0 and written.pickup == TPQ
    assert len(read.bars) == 9 and all(bar.ticks == 4 * TPQ for bar in read.bars)
    assert read.bars[-1].start + read.bars[-1].ticks == written.bars[-1].start + 3 * TPQ
    as_played = [(n.start, n.duration, n.pitch) for n in read.notes]
    assert as_played == [(n.start, n.duration, n.pitch) for n in written.notes]
    assert read.tempo == 96.0
    check_shape(read)


# --- (5) errors ----------------------------------------------------------------------------


def error_line(*args: object) -> str:
    with pytest.raises(RenderError) as caught:
        read_song(*args)  # type: ignore[arg-type]
    line = caught.value.line()
    assert "\n" not in line and "Traceback" not in line
    return line


def test_missing_file(tmp_path):
    path = tmp_path / "nothing.mid"
    assert error_line(str(path)) == f"{path}: no such file"


@pytest.mark.parametrize("suffix", [".mid", ".xml"])
def test_corrupt_file(tmp_path, suffix):
    path = tmp_path / f"noise{suffix}"
    path.write_bytes(bytes(range(256)) + os.urandom(256))
    line = error_line(str(path))
    assert line.startswith(f"{path}: not a readable song file (")
    assert "MusicXML" in line and "MIDI" in line and "ABC" in line  # the hint
    assert "\\x" not in line and len(line) < 300


def test_not_music_and_no_notes(tmp_path):
    text = tmp_path / "words.txt"
    text.write_text("hello", encoding="utf-8")
    assert error_line(str(text)).startswith(f"{text}: not a readable song file (")
    assert error_line(str(tmp_path)).startswith(f"{tmp_path}: not a readable song file (")
    empty = tmp_path / "empty.abc"
    empty.write_text("X:1\nT:Nothing\nK:C\n", encoding="utf-8")
    assert error_line(str(empty)) == f"{empty}: no notes in this song"


def test_unknown_corpus_name():
    assert error_line("corpus:xyz") == (
        "corpus:xyz: not in music21's corpus"
        " (hint: try corpus:bach/bwv66.6, or find names with music21.corpus.search)"
    )
    assert error_line("corpus:bach").startswith("corpus:bach: names ")


@pytest.mark.parametrize("wanted", ["tuba", 5, 0])
def test_melody_part_not_found(wanted):
    assert error_line(CHORALE, wanted) == (
        f"{CHORALE}: no part {wanted!r} (parts: Soprano, Alto, Tenor, Bass)"
        " (hint: give a part name or its number from 1)"
    )


@pytest.mark.parametrize("wanted", [(3, 12), (-1, 2), (20, 30)])
def test_bar_range_outside_the_song(wanted):
    first, last = wanted
    line = error_line(CHORALE, None, wanted)
    assert line == f"{CHORALE}: bars {first}-{last} are outside the song (bars 0-9)"
    assert error_line(CHORALE, None, (5, 3)).endswith("the first bar is after the last")


# --- (6) repeats, and choosing bars --------------------------------------------------------


def test_small_abc_repeat_is_expanded(small):
    assert [bar.number for bar in small.bars] == [0, 1, 2, 1, 2, 3, 4]
    assert [bar.ticks // TPQ for bar in small.bars] == [1, 3, 3, 3, 3, 3, 3]
    assert small.pickup == TPQ
    names = [n.step for n in small.notes]
    assert names == ["D", "G", "A", "B", "D", "G", "A", "B", "D", "E", "A", "C"]
    assert small.notes[4] == SongNote(TPQ + 3 * TPQ, 3 * TPQ, 74, "D", 0)
    check_shape(small)


def test_lead_sheet_gets_longer_after_expansion(songs):
    from music21 import corpus

    written = len(corpus.parse("leadSheet/fosterBrownHair").parts[0].getElementsByClass("Measure"))
    song = songs[LEAD_SHEET]
    assert written == 35 and len(song.bars) == 65
    numbers = [bar.number for bar in song.bars]
    assert numbers[:33] == list(range(1, 34))  # up to the first ending (32-33)
    assert numbers[33:] == [*range(2, 32), 34, 35]  # again from 2, then the second ending


def test_bars_keep_a_range_rebased(songs):
    whole = songs[CHORALE]
    part = read_song(CHORALE, bars=(2, 3))
    assert [(b.start, b.number) for b in part.bars] == [(0, 2), (4 * TPQ, 3)]
    assert part.pickup == 0
    offset = whole.bars[2].start
    inside = [n for n in whole.notes if offset <= n.start < offset + 8 * TPQ]
    assert [(n.start + 0, n.pitch) for n in part.notes] == [
        (n.start - offset, n.pitch) for n in inside
    ]
    check_shape(part)


def test_bars_from_the_pickup_keep_it():
    part = read_song(CHORALE, bars=(0, 1))
    assert part.pickup == TPQ and len(part.bars) == 2
    assert part.notes[-1].start + part.notes[-1].duration <= 5 * TPQ
    check_shape(part)


def test_bars_of_a_repeated_passage_are_the_first_time_through(small):
    assert small.source.endswith("small.abc")
    part = read_song(small.source, bars=(1, 2))
    assert [bar.number for bar in small.bars] == [0, 1, 2, 1, 2, 3, 4]  # expanded
    assert [bar.number for bar in part.bars] == [1, 2]
    assert [n.step for n in part.notes] == ["G", "A", "B", "D"]
    assert [c.figure for c in part.chords] == ["G", "D7"]
    assert part.pickup == 0
    check_shape(part)


# --- melody extraction from voices, chords, ties and grace notes ---------------------------


@pytest.fixture(scope="module")
def polyphonic(tmp_path_factory: pytest.TempPathFactory) -> Song:
    from music21 import chord, key, meter, note, stream, tie

    def n(name: str, quarters: float, tied: str | None = None) -> note.Note:
        made = note.Note(name, quarterLength=quarters)
        if tied:
            made.tie = tie.Tie(tied)
        return made

    first, second = stream.Measure(number=1), stream.Measure(number=2)
    first.append([meter.TimeSignature("4/4"), key.Key("C")])
    upper = stream.Voice([note.Rest(quarterLength=1), n("C5", 3, "start")])
    first.insert(0, upper)
    first.insert(0, stream.Voice([n("E4", 2), n("G4", 2)]))
    grace = note.Note("D5").getGrace()
    top = chord.Chord(["E4", "G4", "B-4"], quarterLength=1)
    second.insert(0, stream.Voice([n("C5", 1, "stop"), grace, top, n("D5", 2)]))
    second.insert(0, stream.Voice([n("A4", 2), n("G4", 2)]))
    part = stream.Part([first, second])
    part.partName = "Right Hand"
    path = tmp_path_factory.mktemp("poly") / "voices.musicxml"
    stream.Score([part]).write("musicxml", fp=str(path))
    return read_song(str(path))


def test_melody_from_voices_chords_ties_and_grace_notes(polyphonic):
    assert polyphonic.parts == ("Right Hand",)
    assert polyphonic.notes == (
        SongNote(0, TPQ, 64, "E", 0),  # cut where the higher C5 starts
        SongNote(TPQ, 4 * TPQ, 72, "C", 0),  # tied over the bar line; G4 and A4 under it drop
        SongNote(5 * TPQ, TPQ, 70, "B", -1),  # the chord's top note; the grace D5 is gone
        SongNote(6 * TPQ, 2 * TPQ, 74, "D", 0),  # above the G4 of the other voice
    )
    check_shape(polyphonic)


@pytest.mark.parametrize(
    ("pitches", "expected"),
    [("D4 F4 A4 D5 C#5 A4 E4 C#4 D4 F4 A4 D4", ("D", "minor")),
     ("F4 A4 C5 F5 E5 C5 B-4 G4 F4 A4 C5 F4", ("F", "major"))],
)  # fmt: skip
def test_key_signature_alone_is_read_as_major_or_relative_minor(tmp_path, pitches, expected):
    from music21 import key, meter, note, stream

    part = stream.Part([key.KeySignature(-1), meter.TimeSignature("4/4")])
    part.append([note.Note(p, quarterLength=1) for p in pitches.split()])
    path = tmp_path / "signature.musicxml"
    stream.Score([part]).write("musicxml", fp=str(path))
    song = read_song(str(path))
    assert (song.tonic, song.mode) == expected
    assert song.tempo is None


def test_titles(songs, midi_pair):
    assert songs[CHORALE].title == "bwv66.6"  # music21 gives the file name: no suffix
    assert songs[WALTZ].title == "Der Lindenbaum"
    assert midi_pair[1].title == "chorale"


@pytest.mark.parametrize("suffix", [".musicxml", ".mid"])
def test_default_melody_is_the_highest_pitched_part_not_the_drums(tmp_path, suffix):
    from music21 import instrument, meter, note, stream

    def part(name: str, player: instrument.Instrument, pitches: str) -> stream.Part:
        made = stream.Part([player, meter.TimeSignature("4/4")])
        made.partName = name
        made.append([note.Note(p, quarterLength=1) for p in pitches.split()])
        return made

    score = stream.Score(
        [
            part("Bass", instrument.Violoncello(), "C3 D3 E3 F3"),
            part("Tune", instrument.Flute(), "E5 D5 C5 D5"),
            part("Drums", instrument.Woodblock(), "C6 C6 C6 C6"),
        ]
    )
    path = tmp_path / f"band{suffix}"
    score.write("midi" if suffix == ".mid" else "musicxml", fp=str(path))
    song = read_song(str(path))
    assert song.parts.index(song.melody_part) == 1  # MIDI names parts by instrument
    assert [n.pitch for n in song.notes] == [76, 74, 72, 74]


def test_no_chord_marks_are_skipped(tmp_path):
    path = tmp_path / "nc.abc"
    path.write_text('X:1\nT:NC\nM:4/4\nL:1/4\nK:C\n"C"CDEF|"N.C."G4|"G7"B4|]\n', encoding="utf-8")
    chords = read_song(str(path)).chords
    assert [(c.start, c.figure) for c in chords] == [(0, "C"), (8 * TPQ, "G7")]


def test_a_note_held_over_kept_bars_stays_whole_and_is_cut_at_the_last(polyphonic):
    both = read_song(polyphonic.source, bars=(1, 2))
    assert both.notes == polyphonic.notes and both.bars == polyphonic.bars
    first = read_song(polyphonic.source, bars=(1, 1))
    assert first.notes[-1] == SongNote(TPQ, 3 * TPQ, 72, "C", 0)  # the tie into bar 2 is cut
    check_shape(first)


def test_chords_from_every_part_without_doubles_and_a_flat_tonic(tmp_path):
    from music21 import harmony, key, meter, note, stream

    def part(name: str, pitches: str, symbols: dict[float, str]) -> stream.Part:
        made = stream.Part([key.Key("B-"), meter.TimeSignature("4/4")])
        made.append([note.Note(p, quarterLength=1) for p in pitches.split()])
        measured = made.makeMeasures()
        measured.partName = name
        for offset, figure in symbols.items():
            measured.measure(1).insert(offset, harmony.ChordSymbol(figure))
        return measured

    score = stream.Score(
        [
            part("Tune", "D5 C5 B-4 F5", {0: "B-"}),
            part("Guitar", "B-2 F2 B-2 F2", {0: "B-", 2: "F7"}),
        ]
    )
    path = tmp_path / "two.musicxml"
    score.write("musicxml", fp=str(path))
    song = read_song(str(path))
    assert (song.tonic, song.mode, song.melody_part) == ("Bb", "major", "Tune")
    assert [(c.start, c.figure, c.quality) for c in song.chords] == [
        (0, "B-", "major"),
        (2 * TPQ, "F7", "dominant"),
    ]
