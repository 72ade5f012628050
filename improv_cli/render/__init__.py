"""Renderers: each reads a Timeline and writes one format."""
