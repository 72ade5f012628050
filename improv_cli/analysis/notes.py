"""A player's notes in seconds, as the analysis reads them from a MIDI file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Played:
    """One note as it sounded: onset and duration in seconds, MIDI pitch and velocity."""

    onset: float
    duration: float
    pitch: int
    velocity: int

    @property
    def end(self) -> float:
        return self.onset + self.duration
