"""The engine: realises a `Framework` into a `Timeline`. music21 is imported here, lazily."""
