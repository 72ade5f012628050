"""The wheel carries the bundled library, and an installed wheel finds it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("*.whl")
    return path


def test_wheel_contains_the_library(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "improv_cli/frameworks/holding/dorian-vamp.yaml" in names
    assert "improv_cli/frameworks/grooves/ballad.yaml" in names


def test_installed_wheel_finds_and_renders_the_library(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = (
        "import improv_cli, sys\n"
        "from improv_cli.model.library import library_root, framework_names\n"
        "print(improv_cli.__file__)\nprint(library_root())\nprint(len(framework_names()))\n"
        "from improv_cli.cli import app\n"
        "app(['render', 'holding/dorian-vamp', '--bars', '4', '-o', sys.argv[1]])\n"
    )
    out = tmp_path / "x.mid"
    result = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    module, root, count = result.stdout.splitlines()[:3]
    assert module.startswith(str(site)) and root.startswith(str(site))
    assert int(count) >= 8
    assert out.read_bytes()[:4] == b"MThd"
