"""Every bundled framework validates and renders; every groove file validates."""

from __future__ import annotations

import itertools

import pytest

from improv_cli.api import validate
from improv_cli.engine.realise import realise
from improv_cli.model import library
from improv_cli.model.loader import load_framework
from improv_cli.render.midi import midi_bytes
from tests.midi_facts import decode

NAMES = library.framework_names()


def test_library_has_the_named_frameworks():
    assert {"holding/dorian-vamp", "grounding/tonic-drone"} <= set(NAMES)
    assert len(NAMES) >= 8


@pytest.mark.parametrize("name", NAMES)
def test_bundled_framework_validates_and_renders(name, tmp_path):
    assert validate([name])[0].error is None
    framework = load_framework(name)
    assert framework.title and framework.technique and framework.purpose
    assert any(section.groove for section in framework.sections), name
    timeline = realise(framework)
    assert timeline.bars >= 1 and timeline.notes
    out = tmp_path / "x.mid"
    out.write_bytes(midi_bytes(timeline))
    for track in decode(out):
        assert track.end == timeline.length, (name, track.name)
        assert track.hanging == 0 and track.unmatched_offs == 0
        assert all(0 < n.velocity <= 127 and 0 <= n.pitch <= 127 for n in track.notes)


@pytest.mark.parametrize("name", library.groove_names())
def test_bundled_groove_validates(name):
    path = library.library_root() / "grooves" / f"{name}.yaml"
    assert validate([str(path)])[0].error is None


def test_tonic_drone_holds_tonic_and_fifth_over_a_low_pulse():
    timeline = realise(load_framework("grounding/tonic-drone"))
    drone = timeline.part_notes("drone")
    assert {n.pitch % 12 for n in drone} == {2, 9}  # D and A
    assert all(n.start == 0 and n.end == timeline.length for n in drone)
    pulse = timeline.part_notes("drums")
    gaps = {b.start - a.start for a, b in itertools.pairwise(pulse)}
    assert len(gaps) == 1  # steady
    assert all(n.pitch < 48 for n in timeline.part_notes("bass"))


def test_docs_library_is_generated_and_current():
    from improv_cli.cli.library_doc import library_doc

    path = library.library_root().parent / "docs" / "library.md"
    assert path.read_text(encoding="utf-8") == library_doc(), (
        "docs/library.md is stale: run python -m improv_cli.cli.library_doc > docs/library.md"
    )
    for name in [*NAMES, *library.groove_names()]:
        assert f"| `{name}` |" in library_doc(), name


def test_library_counts():
    assert len(NAMES) >= 40
    assert len(library.groove_names()) >= 24
