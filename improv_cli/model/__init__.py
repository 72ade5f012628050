"""The framework model: tables, the YAML loader and the typed `Framework` (no music21 here)."""
