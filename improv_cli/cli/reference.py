"""Generate docs/cli.md from the Typer app, so the reference cannot drift from the code.

    python -m improv_cli.cli.reference > docs/cli.md

It uses Typer's own Markdown generator (the one behind `typer ... utils docs`).
"""

from __future__ import annotations

import html

import typer
from typer.cli import get_docs_for_click

from improv_cli.cli import app

NOTE = """
Generated from the app by `python -m improv_cli.cli.reference > docs/cli.md`; a test fails
when this file is stale. Errors caused by the input print one line on standard error and
exit with code 1; usage errors (an unknown option, a missing argument) exit with code 2.
"""


def reference() -> str:
    command = typer.main.get_command(app)
    ctx = typer.Context(command)
    docs = get_docs_for_click(obj=command, ctx=ctx, name="improv", title="Command-line reference")
    title, _, body = html.unescape(docs).strip().partition("\n")
    return f"{title}\n{NOTE}{body}\n"


if __name__ == "__main__":
    print(reference(), end="")
