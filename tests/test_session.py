"""`improv session`: session plans rendered into a folder, checked as a musician would."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from improv_cli.errors import FrameworkError
from improv_cli.model.framework import Key
from improv_cli.session import pivot, read_plan
from improv_cli.session.render import realised
from improv_cli.session.transition import choose, scale_pcs, triads
from tests.conftest import ROOT, run_cli
from tests.midi_facts import DecodedTrack, by_name, decode, metas

ARC = """\
title: Test arc
purpose: Four segments, two transitions.
seed: 5
safety: {ceiling: 110}
segments:
  - name: hello
    framework: accompanying/folk-song-frame
    bars: 4
    purpose: A greeting
  - name: holding
    framework: holding/dorian-vamp
    bars: 4
    transition: {bars: 3}
  - name: slowing
    journey: {framework: holding/dorian-vamp, from: 66, to: 58, minutes: 0.3, max_step: 8,
              hold_start: 1, hold_end: 1, also: "velocity:56->44"}
  - name: closing
    framework: frameworking/closing-hymn
    bars: 4
    transition: {bars: 2}
"""
NAMES = ["hello", "transition to holding", "holding", "slowing", "transition to closing",
         "closing"]  # fmt: skip
QUIET = """\
title: Quiet drone
key: D dorian
groove:
  drone: "1 5"
expression:
  - {bar: 1, dynamics: pp}
"""
LOUD = """\
title: Loud band
tempo: 100
groove: rock-8
harmony: "I | IV"
expression:
  - {bar: 1, dynamics: ff}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def arc(tmp_path_factory):
    """The four-segment plan rendered once by the real command, and its realised pieces."""
    folder = tmp_path_factory.mktemp("arc")
    plan = write(folder, "arc.yaml", ARC)
    result = run_cli("session", "arc.yaml", "-o", "out", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder, folder / "out", json.loads(result.stdout), realised(read_plan(str(plan)))


def markers(track: DecodedTrack) -> list[tuple[int, str]]:
    return [(tick, m.text) for tick, m in metas(track, "marker")]


def test_session_writes_every_output(arc):
    _, out, info, _ = arc
    assert sorted(files_of(out)) == [
        "manifest.json",
        "segments/01-hello.mid",
        "segments/02-holding.mid",
        "segments/03-slowing.mid",
        "segments/04-closing.mid",
        "session-card.pdf",
        "session-card.txt",
        "session.mid",
    ]
    assert [s["name"] for s in info["segments"]] == NAMES


def test_markers_stand_at_every_segment_and_transition(arc):
    _, out, _, _ = arc
    session = decode(out / "session.mid")
    ours = [(t, m) for t, m in markers(session[0]) if m in NAMES]
    expected, offset = [], 0
    for name in ("01-hello", "02-holding", "03-slowing", "04-closing"):
        segment = decode(out / "segments" / f"{name}.mid")
        expected += [(offset + t, m) for t, m in markers(segment[0]) if m in NAMES]
        offset += segment[0].end
    assert ours == expected
    assert [m for _, m in ours] == NAMES
    starts = dict((m, t) for t, m in ours)
    assert starts["transition to holding"] == 4 * 1920  # hello: 4 bars of 4/4
    assert starts["holding"] == 7 * 1920  # then a 3-bar transition
    assert offset == session[0].end


def test_each_segment_file_holds_the_sessions_notes_of_its_span(arc):
    _, out, _, _ = arc
    session = by_name(decode(out / "session.mid"))
    start = 0
    for path in sorted((out / "segments").glob("*.mid")):
        tracks = decode(path)
        end = start + tracks[0].end
        for track in tracks[1:]:
            ours = [(n.start, n.end, n.pitch, n.velocity) for n in track.notes]
            theirs = [
                (n.start - start, n.end - start, n.pitch, n.velocity)
                for n in session[track.name].notes
                if start <= n.start < end
            ]
            assert sorted(ours) == sorted(theirs), (path.name, track.name)
            assert ours
        start = end


def test_the_card_is_one_pdf_page_and_the_text_lists_every_segment(arc):
    _, out, info, _ = arc
    reader = PdfReader(out / "session-card.pdf")
    assert len(reader.pages) == 1
    page = reader.pages[0].extract_text()
    text = (out / "session-card.txt").read_text(encoding="utf-8")
    assert text.startswith("Test arc\nFour segments, two transitions.\n")
    for item in info["segments"]:
        minutes, seconds = divmod(round(item["start_seconds"]), 60)
        name = item["name"] if item["kind"] != "transition" else "→ " + item["name"][14:]
        assert re.search(rf"^{minutes}:{seconds:02d} .* {re.escape(name)} ", text, re.M), name
        assert name in page
    assert "Test arc" in page and "A greeting" in page


def test_a_pivot_shares_notes_with_both_chords_and_with_as_scale(arc):
    _, out, info, session = arc
    conductor = decode(out / "session.mid")[0]
    texts = {tick: m.text for tick, m in metas(conductor, "text")}
    pieces = session.pieces
    for index, piece in enumerate(pieces):
        if piece.transition is None:
            continue
        before, after = pieces[index - 1], pieces[index + 1]
        last_a = set(before.timeline.chords[-1].pitch_classes)
        first_b = set(after.timeline.chords[0].pitch_classes)
        played = set(piece.timeline.chords[0].pitch_classes)
        assert played & last_a and played & first_b, piece.label
        assert played & scale_pcs(before.framework.key)
        assert played <= set(scale_pcs(after.framework.key))  # diatonic to B
        start = info["segments"][index]["start_tick"]
        assert texts[start] == info["segments"][index]["pivot"]


def test_a_transitions_tempo_moves_monotonically_from_a_to_b(arc):
    _, out, info, _ = arc
    tempos = [(t, 60e6 / m.tempo) for t, m in metas(decode(out / "session.mid")[0], "set_tempo")]

    def bpm_at(tick: int) -> float:
        return [b for t, b in tempos if t <= tick][-1]

    segments = info["segments"]
    for index, item in enumerate(segments):
        if item["kind"] != "transition":
            continue
        start, end = item["start_tick"], segments[index + 1]["start_tick"]
        a, b = bpm_at(start - 1), bpm_at(end)
        inside = [bpm_at(start)] + [bpm for t, bpm in tempos if start < t < end]
        steps = [y - x for x, y in zip([a, *inside], [*inside, b], strict=False)]
        assert a != b and inside[0] == pytest.approx(a, abs=0.01)
        assert all(s * (b - a) >= -1e-6 for s in steps), (item["name"], inside)
        assert inside[-1] == pytest.approx(b, abs=0.01)


def test_instruments_change_where_the_segment_changes_them(arc):
    _, out, info, _ = arc
    comp = by_name(decode(out / "session.mid"))["comp"]
    closing = next(
        s["start_tick"] for s in info["segments"] if s["name"] == "transition to closing"
    )
    programs = [(tick, program) for tick, _, program in comp.programs]
    assert programs[0] == (0, 25)  # the folk frame's steel guitar
    assert (closing, 19) in programs  # the hymn's church organ, from its transition on


def test_the_pivot_rule():
    g_major, d_dorian = Key("G", "major"), Key("D", "dorian")
    assert pivot(g_major, d_dorian, (2, 6, 9), (2, 5, 9, 0)) == ("G", (7, 11, 2))  # IV
    c_major = Key("C", "major")
    assert pivot(c_major, c_major, (0, 4, 7), (0, 4, 7)) == ("F", (5, 9, 0))  # IV before vi, I
    assert [t.symbol for t in triads(Key("E", "major"))] == [
        "E", "F#m", "G#m", "A", "B", "C#m", "D#dim"
    ]  # fmt: skip
    far = choose(c_major, Key("F#", "major"), (0, 4, 7), (6, 10, 1))
    assert not far.exact and far.triad.symbol == "B"  # nothing shares C E G: the best left


def test_replay_writes_byte_identical_files(arc, tmp_path):
    folder, out, _, _ = arc
    again = folder / "again"
    result = run_cli("session", "--replay", "out/manifest.json", "-o", "again", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "every output matches the manifest's sha256" in result.stderr
    assert files_of(again) == files_of(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert str(folder) not in (out / "manifest.json").read_text(encoding="utf-8")
    assert manifest["plan"] == {
        "file": "arc.yaml",
        "path": "../arc.yaml",
        "sha256": manifest["inputs"][0]["sha256"],
    }
    assert manifest["seed"] == 5
    assert "library:holding/dorian-vamp.yaml" in [i["path"] for i in manifest["inputs"]]


def test_replay_refuses_a_changed_plan_or_input(tmp_path):
    write(tmp_path, "quiet.yaml", QUIET)
    plan = write(
        tmp_path,
        "plan.yaml",
        "title: T\nsegments:\n  - {name: a, framework: quiet.yaml, bars: 2}\n",
    )
    assert run_cli("session", "plan.yaml", "-o", "first", cwd=tmp_path).returncode == 0
    write(tmp_path, "quiet.yaml", QUIET.replace("pp", "p"))
    result = run_cli("session", "--replay", "first/manifest.json", "-o", "b", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "error: quiet.yaml: has changed (sha256 differs) since first/manifest.json was written "
        "(hint: replay needs every input as it was; render afresh with improv session PLAN)\n"
    )
    plan.write_text(plan.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    result = run_cli("session", "--replay", "first/manifest.json", "-o", "b", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: plan.yaml: the plan has changed since first/manifest")
    assert len(result.stderr.splitlines()) == 1 and not (tmp_path / "b").exists()


def test_a_missing_framework_is_one_line_with_a_hint(tmp_path):
    text = ARC.replace("holding/dorian-vamp\n    bars: 4", "holding/dorain-vamp\n    bars: 4")
    write(tmp_path, "plan.yaml", text)
    result = run_cli("session", "plan.yaml", "-o", "out", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        1,
        "error: plan.yaml:11:16: segments[1].framework: no framework 'holding/dorain-vamp' in "
        "the library or beside the plan (hint: did you mean 'holding/dorian-vamp'?)\n",
    )
    assert not (tmp_path / "out").exists()


def test_an_impossible_journey_is_one_line(tmp_path):
    write(tmp_path, "plan.yaml", ARC.replace("max_step: 8", "max_step: 0"))
    result = run_cli("session", "plan.yaml", "-o", "out", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        1,
        "error: plan.yaml:15:89: segments[2].journey.max_step: 0 % can never take 66 to 58 bpm "
        "(hint: a step limit above 0 and under 100 per cent, e.g. 8)\n",
    )
    assert not (tmp_path / "out").exists()


def test_an_unsafe_segment_leaves_the_previous_session_as_it_was(tmp_path):
    write(tmp_path, "quiet.yaml", QUIET)
    write(tmp_path, "loud.yaml", LOUD)
    head = (
        "title: Unsafe\nsafety: {ceiling: 40}\nsegments:\n"
        "  - {name: quiet, framework: quiet.yaml, bars: 2}\n"
    )
    write(tmp_path, "safe.yaml", head)
    assert run_cli("session", "safe.yaml", "-o", "out", cwd=tmp_path).returncode == 0
    before = files_of(tmp_path / "out")
    write(tmp_path, "plan.yaml", head + "  - {name: loud, framework: loud.yaml, bars: 2}\n")
    result = run_cli("session", "plan.yaml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1
    line = re.fullmatch(
        r"error: plan.yaml: segment 'loud': velocity (\d+) in bar 1 is above the session's "
        r"ceiling 40 \(hint: soften the framework or give it safety: \{ceiling: 40\}\)\n",
        result.stderr,
    )
    assert line and int(line[1]) > 40
    assert files_of(tmp_path / "out") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["quiet.yaml", "loud.yaml", "safe.yaml", "plan.yaml", "out"]
    )  # no staging folder left behind


def test_a_folder_with_other_files_is_refused_and_kept(tmp_path):
    write(tmp_path, "quiet.yaml", QUIET)
    write(tmp_path, "plan.yaml", "title: T\nsegments:\n  - {name: a, framework: quiet.yaml}\n")
    (tmp_path / "out").mkdir()
    notes = write(tmp_path / "out", "notes.txt", "session notes")
    result = run_cli("session", "plan.yaml", "-o", "out", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        1,
        "error: out: is not empty and holds no improv session "
        "(hint: choose a new or empty folder for -o)\n",
    )
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["notes.txt"]
    assert run_cli("session", "plan.yaml", "-o", "old", cwd=tmp_path).returncode == 0
    write(tmp_path / "old", "notes.txt", "session notes")  # beside a previous session
    before = files_of(tmp_path / "old")
    result = run_cli("session", "plan.yaml", "-o", "old", cwd=tmp_path)
    assert result.returncode == 1 and "old: notes.txt is not a session's" in result.stderr
    assert files_of(tmp_path / "old") == before
    assert notes.read_text(encoding="utf-8") == "session notes"


def test_a_previous_session_is_replaced_as_a_whole(tmp_path):
    write(tmp_path, "quiet.yaml", QUIET)
    plan = write(
        tmp_path, "plan.yaml", "title: T\nsegments:\n  - {name: a, framework: quiet.yaml}\n"
    )
    assert run_cli("session", "plan.yaml", "-o", "out", cwd=tmp_path).returncode == 0
    plan.write_text(plan.read_text(encoding="utf-8").replace("name: a", "name: b"), "utf-8")
    assert run_cli("session", "plan.yaml", "-o", "out", cwd=tmp_path).returncode == 0
    assert sorted((tmp_path / "out" / "segments").iterdir()) == [tmp_path / "out/segments/01-b.mid"]


@pytest.mark.parametrize(
    ("segment", "message"),
    [
        (
            "{name: a, framework: holding/dorian-vamp, bras: 4}",
            "plan.yaml:5:47: segments[1].bras: unknown key 'bras' (hint: did you mean 'bars'?)",
        ),
        (
            "{name: a, framework: holding/dorian-vamp, "
            "journey: {framework: holding/dorian-vamp, from: 60, to: 70, minutes: 1}}",
            "plan.yaml:5:47: segments[1].journey: segment 'a' names both a framework and a "
            "journey (hint: keep one: a journey names its own framework)",
        ),
        (
            "{name: a, bars: 4}",
            "plan.yaml:5:5: segments[1]: segment 'a' names neither a framework nor a journey "
            "(hint: add 'framework: holding/dorian-vamp' or "
            "'journey: {framework: ..., from: ..., ...}')",
        ),
        (
            "{name: a, framework: holding/dorian-vamp, transition: {bars: 0}}",
            "plan.yaml:5:66: segments[1].transition.bars: 0 is out of range "
            "(hint: use a whole number from 1 to 64)",
        ),
        (
            "{name: a, framework: holding/dorian-vamp, transition: {bars: two}}",
            "plan.yaml:5:66: segments[1].transition.bars: expected a whole number, got 'two' "
            "(hint: write a whole number, e.g. 4)",
        ),
    ],
)
def test_a_plan_error_names_file_line_column_and_key(tmp_path, segment, message):
    first = "  - {name: first, framework: holding/dorian-vamp}"
    text = f"title: T\nsegments:\n{first}\n\n  - {segment}\n"
    plan = write(tmp_path, "plan.yaml", text)
    with pytest.raises(FrameworkError) as caught:
        read_plan(str(plan))
    assert caught.value.line() == message.replace("plan.yaml", str(plan), 1)


def test_a_transition_needs_a_segment_before_it(tmp_path):
    segment = "{name: a, framework: holding/dorian-vamp, transition: {bars: 2}}"
    text = f"title: T\nsegments:\n  - {segment}\n"
    with pytest.raises(FrameworkError, match="the first segment has no segment before it"):
        read_plan(str(write(tmp_path, "plan.yaml", text)))


@pytest.mark.parametrize("name", ["calming-arc", "activating-arc"])
def test_the_example_plans_render(tmp_path, name):
    from improv_cli.session import session

    result = session(str(ROOT / "docs" / "plans" / f"{name}.yaml"), str(tmp_path / name))
    assert not result.warnings, result.warnings
    tracks = decode(tmp_path / name / "session.mid")
    texts = [m for _, m in markers(tracks[0])]
    assert all(s["name"] in texts for s in result.segments)
    assert 60 < result.seconds < 300


def test_the_activating_arc_lifts_tempo_in_small_steps_and_grows_louder(tmp_path):
    from improv_cli.session import session

    result = session(str(ROOT / "docs" / "plans" / "activating-arc.yaml"), str(tmp_path / "a"))
    lifting = next(s for s in result.segments if s["name"] == "lifting")
    tracks = decode(tmp_path / "a" / "segments" / "02-lifting.mid")
    start = next(t for t, m in markers(tracks[0]) if m == "lifting")
    tempos = [(t, 60e6 / m.tempo) for t, m in metas(tracks[0], "set_tempo")]
    bpms = [[b for t, b in tempos if t <= start][-1]] + [b for t, b in tempos if t > start]
    assert bpms[0] == pytest.approx(96) and bpms[-1] == pytest.approx(110)
    assert all(b >= a for a, b in itertools.pairwise(bpms))
    assert all(b / a <= 1.08 + 1e-6 for a, b in itertools.pairwise(bpms))
    bass = by_name(tracks)["bass"].notes
    bar = 1920
    first = [n.velocity for n in bass if start <= n.start < start + 4 * bar]
    last = [n.velocity for n in bass if n.start >= tracks[0].end - 4 * bar]
    assert sum(last) / len(last) > sum(first) / len(first) + 10
    assert lifting["bars"] > 8


@pytest.mark.parametrize(
    ("safety", "message"),
    [
        (
            "{ceiling: 100, tempo: 70-100}",
            r"calming\.yaml: segment 'slowing': tempo 69\.8 in bar 23 is outside the "
            r"session's tempo range 70-100",
        ),
        (
            "{ceiling: 100, max_change: 6}",
            r"calming\.yaml: the transition to 'slowing': the drums part's mean velocity moves "
            r"from 26 to 49 in bar 1, more than the session's max_change 6",
        ),
    ],
)
def test_the_sessions_tempo_range_and_max_change_are_checked_not_clamped(tmp_path, safety, message):
    from improv_cli.errors import RenderError

    text = (ROOT / "docs" / "plans" / "calming-arc.yaml").read_text(encoding="utf-8")
    plan = write(tmp_path, "calming.yaml", text.replace("{ceiling: 100, tempo: 50-100}", safety))
    with pytest.raises(RenderError) as caught:
        realised(read_plan(str(plan)))
    assert re.fullmatch(re.escape(str(tmp_path)) + "/" + message, caught.value.message)
