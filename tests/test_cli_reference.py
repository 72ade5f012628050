from pathlib import Path

from improv_cli.cli.reference import reference

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def test_cli_reference_is_current():
    assert DOC.read_text(encoding="utf-8") == reference(), (
        "docs/cli.md is stale: run python -m improv_cli.cli.reference > docs/cli.md"
    )


def test_reference_names_every_command_and_option():
    text = reference()
    for command in ("render", "vary", "validate", "list", "show"):
        assert f"## `improv {command}`" in text
    for option in ("--seed", "--key", "--tempo", "--bars", "--minutes", "--json", "-o", "--safe"):
        assert option in text
