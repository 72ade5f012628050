"""Techniques: mirror, imitate, copy, match, reflect, exaggerate."""

from __future__ import annotations

from improv_cli.respond.context import Technique

TECHNIQUES: dict[str, Technique] = {}
