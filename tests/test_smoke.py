from tests.conftest import read_midi, run_cli


def test_render_writes_a_type_1_file(tmp_path):
    out = tmp_path / "vamp.mid"
    result = run_cli("render", "holding/dorian-vamp", "-o", str(out), "--bars", "4")
    assert result.returncode == 0, result.stderr
    midi = read_midi(out)
    assert midi.type == 1
    assert midi.ticks_per_beat == 480
    assert [t.name for t in midi.tracks[1:]] == ["drums", "bass", "comp", "melody"]
