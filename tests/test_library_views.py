"""Issue 3's views of the library: safe-note map, list filters, every groove on its grid."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from improv_cli.api import list_frameworks, list_grooves
from improv_cli.engine.describe import safe_notes
from improv_cli.engine.realise import realise
from improv_cli.model import library
from improv_cli.model.framework import Key, Length
from improv_cli.model.grooves import load_groove_file
from improv_cli.model.loader import load_framework
from improv_cli.render.midi import to_midifile
from tests.conftest import run_cli
from tests.midi_facts import decode


def test_show_on_a_pentatonic_framework_lists_five_notes_and_the_orff_bars_to_remove():
    result = run_cli("show", "practice/pentatonic-no-wrong-notes", "--json")
    info = json.loads(result.stdout)
    safe = info["safe_notes"]
    assert safe["notes"] == ["C", "D", "E", "G", "A"]
    assert [n["note"] for n in safe["chromatic"] if n["in_mode"]] == ["C", "D", "E", "G", "A"]
    assert safe["orff"]["keep"] == ["C", "D", "E", "G", "A"]
    assert safe["orff"]["remove"] == ["F", "B"]
    assert safe["orff"]["lacking"] == [] and safe["orff"]["playable_with_spares"]
    text = run_cli("show", "practice/pentatonic-no-wrong-notes").stdout
    assert "safe notes (chromatic): C · D · E · · G · A · ·" in text
    assert "Orff C-diatonic bars: keep C D E G A, take off F B" in text


def test_safe_notes_name_what_a_c_diatonic_instrument_lacks():
    d_major = safe_notes(Key("D", "major"))["orff"]
    assert d_major["remove"] == ["C", "F"] and d_major["lacking"] == ["C#", "F#"]
    assert d_major["spare_bars"] == ["F#"] and not d_major["playable_with_spares"]
    f_major = safe_notes(Key("F", "major"))["orff"]
    assert f_major["remove"] == ["B"] and f_major["lacking"] == ["Bb"]
    assert f_major["playable_with_spares"]
    assert safe_notes(Key("D", "dorian"))["orff"]["remove"] == []


def test_list_filters_by_technique_mode_meter_and_tempo_range():
    everything = list_frameworks()
    assert len(everything) >= 40
    slow_compound = list_frameworks(meter="6/8", tempo="50-70")
    assert slow_compound
    assert all(e.meter == "6/8" and 50 <= e.tempo <= 70 for e in slow_compound)
    exact = list_frameworks(tempo="66")
    assert exact and all(e.tempo == 66 for e in exact)
    holding_dorian = list_frameworks(technique="holding", mode="dorian")
    assert {e.name for e in holding_dorian} >= {"holding/dorian-vamp"}
    result = run_cli("list", "--tempo", "90-60")
    assert result.returncode == 1 and "runs backwards" in result.stderr


def test_list_modes_and_grooves():
    modes = json.loads(run_cli("list", "--modes", "--json").stdout)
    assert len(modes) >= 25 and all(m["provenance"] for m in modes)
    grooves = json.loads(run_cli("list", "--grooves", "--json").stdout)
    assert len(grooves) == len(list_grooves()) >= 24
    meters = {g["meter"] for g in grooves}
    assert {"3/4", "6/8", "5/4", "7/8", "12/8"} <= meters


@pytest.mark.parametrize("name", library.groove_names())
def test_every_groove_plays_on_its_grid_and_fills_its_bars(name, tmp_path):
    path = library.library_root() / "grooves" / f"{name}.yaml"
    groove = load_groove_file(path)
    meter = next(g["meter"] for g in list_grooves() if g["name"] == name)
    framework_path = tmp_path / "f.yaml"
    framework_path.write_text(
        f'title: T\nkey: D dorian\nmeter: {meter}\nharmony: "i7 | IV7"\ngroove: {name}\n',
        encoding="utf-8",
    )
    framework = load_framework(str(framework_path))
    bars = 2 * framework.form_bars
    timeline = realise(replace(framework, length=Length(bars=bars)))
    bar = framework.meter.bar_ticks
    step = bar // groove.steps
    delay = round(groove.swing * step)
    tracks = decode(to_midifile(timeline))
    for track in tracks:
        assert track.end == bars * bar, (name, track.name)  # every bar exactly filled
        assert track.hanging == 0
    drums = [t for t in tracks if t.name == "drums"]
    for note in drums[0].notes if drums else []:
        offset = note.start % bar
        on_grid = offset % step == 0 and (offset // step) % 2 == 0
        swung = (offset - delay) % step == 0 and ((offset - delay) // step) % 2 == 1
        assert on_grid or swung, (name, note)
    if not groove.drums and not (groove.fill and groove.fill.drums):
        assert not drums
