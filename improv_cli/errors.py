"""One error family: the library raises these, the CLI turns them into one line and exit 1."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Pos:
    """Where something stands in a source file (1-based line and column)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class ImprovError(Exception):
    """Base of every error caused by the user's input."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def line(self) -> str:
        """The one line shown on standard error."""
        text = self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class FrameworkError(ImprovError):
    """A framework file that cannot be read or is not valid."""

    def __init__(self, message: str, *, pos: Pos | None = None, key: str = "", hint: str = ""):
        super().__init__(message, hint)
        self.pos = pos
        self.key = key

    def line(self) -> str:
        where = f"{self.pos}: " if self.pos else ""
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{super().line()}"


class RenderError(ImprovError):
    """A render that cannot be carried out (bad output path, unknown format, ...)."""


class OptionError(ImprovError):
    """A command-line option value that is not valid."""
