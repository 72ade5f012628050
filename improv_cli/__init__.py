"""improv: clinical improvisation frameworks for music therapy.

A framework (YAML) is loaded into a typed `Framework`, realised by the engine into a
`Timeline`, and rendered (MIDI, ...). The CLI in `improv_cli.cli` is a thin layer over it.
"""

__version__ = "0.1.0"
