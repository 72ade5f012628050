"""The loader: YAML 1.2, positions in errors, extends, sections and form, the small languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from improv_cli.errors import FrameworkError
from improv_cli.model.loader import load_framework
from improv_cli.model.tables import TPQ


def write(tmp_path: Path, text: str, name: str = "f.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def error_of(path: str) -> FrameworkError:
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    return caught.value


def test_only_title_is_required_and_defaults_apply(tmp_path):
    framework = load_framework(write(tmp_path, "title: Bare\n"))
    assert str(framework.key) == "C major"
    assert framework.tempo == 90 and str(framework.meter) == "4/4"
    assert framework.seed == 0 and framework.variation == 0
    assert framework.form_bars == 1


def test_yaml_1_2_words_stay_text(tmp_path):
    # PyYAML's YAML 1.1 would read `no` as false and 1:30 as the number 90.
    path = write(tmp_path, "title: no\npurpose: 1:30\n")
    framework = load_framework(path)
    assert framework.title == "no" and framework.purpose == "1:30"


def test_error_names_file_line_column_key_and_hint(tmp_path):
    path = write(
        tmp_path, "title: T\nkey: D dorian\ngroove:\n  steps: 8\n  drums:\n    kik: x...x...\n"
    )
    error = error_of(path)
    assert (error.pos.line, error.pos.col) == (6, 5)
    assert error.key == "groove.drums.kik"
    assert "did you mean 'kick'" in error.line()
    assert error.line().startswith(f"{error.pos.file}:6:5: groove.drums.kik: unknown drum")


def test_token_errors_point_at_the_token(tmp_path):
    path = write(tmp_path, 'title: T\nharmony: "i7 | IV7 | Xm7 | i7"\n')
    error = error_of(path)
    assert (error.pos.line, error.pos.col) == (2, 22)  # the X of Xm7
    assert "'Xm7' is not a roman numeral or chord symbol" in error.message


def test_melody_bar_that_does_not_fill_the_meter(tmp_path):
    path = write(tmp_path, 'title: T\nmeter: 3/4\nmelody: "1 2 3 | 4:h"\n')
    error = error_of(path)
    assert "bar 2 lasts 2 quarter notes but a 3/4 bar needs 3" in error.message
    assert (error.pos.line, error.pos.col) == (3, 18)  # the 4 that starts bar 2


def test_melody_durations_are_sticky_and_octave_marks_shift(tmp_path):
    framework = load_framework(write(tmp_path, 'title: T\nmelody: "1:h 2 | 5,:q 5\' r:h"\n'))
    (phrase,) = framework.sections[0].melody
    first, second = phrase
    assert [e.ticks for e in first] == [2 * TPQ, 2 * TPQ]
    assert [(e.degree.degree, e.degree.octave) if e.degree else None for e in second] == [
        (5, -1),
        (5, 1),
        None,
    ]


def test_harmony_percent_repeats_and_chords_share_a_bar(tmp_path):
    framework = load_framework(write(tmp_path, 'title: T\nharmony: "I IV | % | V7/V V"\n'))
    harmony = framework.sections[0].harmony
    assert [[c.text for c in bar] for bar in harmony] == [["I", "IV"], ["I", "IV"], ["V7/V", "V"]]
    assert (
        harmony[2][0].is_roman
        and not load_framework(write(tmp_path, 'title: T\nharmony: "Bbmaj7"\n', "g.yaml"))
        .sections[0]
        .harmony[0][0]
        .is_roman
    )


def test_sections_and_form(tmp_path):
    text = """\
title: Song
harmony: "I | V"
sections:
  A: {repeat: 2}
  B: {harmony: "IV | IV | I | V7"}
form: "A B A"
"""
    framework = load_framework(write(tmp_path, text))
    assert [s.name for s in framework.sections] == ["A", "B", "A"]
    assert [(s.bars, s.repeat) for s in framework.sections] == [(2, 2), (4, 1), (2, 2)]
    assert framework.form_bars == 12


def test_form_with_unknown_section(tmp_path):
    error = error_of(write(tmp_path, "title: S\nsections: {A: {}, B: {}}\nform: A C\n"))
    assert "unknown section 'C'" in error.message and error.key == "form"


def test_extends_overrides_top_level_keys_and_keeps_positions_per_file(tmp_path):
    write(tmp_path, 'title: Base\nkey: D dorian\ntempo: 66\nharmony: "i7 | IV7"\n', "base.yaml")
    child = write(tmp_path, "extends: base\ntitle: Slower\ntempo: 56\n", "child.yaml")
    framework = load_framework(child)
    assert framework.title == "Slower" and framework.tempo == 56
    assert str(framework.key) == "D dorian" and len(framework.sections[0].harmony) == 2
    write(tmp_path, 'title: Base\nharmony: "i7 | Q7"\n', "bad-base.yaml")
    error = error_of(write(tmp_path, "extends: bad-base.yaml\ntitle: C\n", "c2.yaml"))
    assert error.pos.file.endswith("bad-base.yaml") and error.pos.line == 2


def test_extends_a_library_framework(tmp_path):
    framework = load_framework(
        write(tmp_path, "extends: holding/dorian-vamp\ntitle: In E\nkey: E dorian\n")
    )
    assert framework.groove_name == "ballad" and str(framework.key) == "E dorian"


def test_extends_cycle_is_reported(tmp_path):
    write(tmp_path, "extends: b.yaml\ntitle: A\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\ntitle: B\n", "b.yaml")
    error = error_of(str(tmp_path / "a.yaml"))
    assert "cycle" in error.message and error.key == "extends"


def test_groove_meter_must_match(tmp_path):
    error = error_of(write(tmp_path, "title: T\nmeter: 3/4\ngroove: ballad\n"))
    assert "written for 4/4" in error.message


def test_default_steps_are_eighth_notes(tmp_path):
    for meter, steps in (("4/4", 8), ("3/4", 6), ("6/8", 6), ("7/8", 7), ("5/4", 10)):
        text = f'title: T\nmeter: {meter}\ngroove:\n  drums:\n    kick: "{"x" * steps}"\n'
        framework = load_framework(write(tmp_path, text))
        assert framework.sections[0].groove.steps == steps, meter


def test_multi_bar_groove_rows_set_the_form_length(tmp_path):
    text = 'title: T\ngroove:\n  steps: 4\n  drums:\n    clave: "x..x ..x. ..x. x..."\n'
    assert load_framework(write(tmp_path, text)).form_bars == 4


def test_library_name_suggestion(tmp_path):
    with pytest.raises(FrameworkError) as caught:
        load_framework("holding/doran-vamp")
    assert "did you mean 'holding/dorian-vamp'" in caught.value.line()


def test_a_trailing_bar_line_is_allowed_in_melody_and_harmony(tmp_path):
    text = 'title: T\nharmony: "I | V |"\nmelody: "1 2 3 4 | 5:w |"\n'
    framework = load_framework(write(tmp_path, text))
    assert len(framework.sections[0].harmony) == 2
    assert len(framework.sections[0].melody[0]) == 2


def test_a_drum_row_must_be_text(tmp_path):
    error = error_of(write(tmp_path, "title: T\ngroove:\n  drums:\n    kick:\n"))
    assert error.key == "groove.drums.kick" and "expected text" in error.message


def test_a_document_that_is_not_a_mapping(tmp_path):
    error = error_of(write(tmp_path, "- title: T\n"))
    assert "must be a mapping" in error.message
