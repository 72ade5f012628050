"""Plain data: modes, drum names, General MIDI instruments, dynamics, durations, chord kinds."""

from __future__ import annotations

from dataclasses import dataclass

TPQ = 480  # ticks per quarter note, everywhere


@dataclass(frozen=True, slots=True)
class ModeInfo:
    """A mode or scale: semitones above the tonic, and the heptatonic mode its harmony uses.

    `parent` names the church mode (major, minor, dorian, ...) that gives the key signature
    (and reads accidental roman numerals). `provenance` says where the scale and its
    description come from; descriptions are traditions, not measured effects.
    """

    intervals: tuple[int, ...]
    parent: str
    description: str
    provenance: str


_CHURCH = "Church mode (Glarean 1547); modal frameworks in Wigram 2004"
_REF = "shared/reference/clinical-improvisation.md §4.2"

# fmt: off
MODES: dict[str, ModeInfo] = {
    "major": ModeInfo((0, 2, 4, 5, 7, 9, 11), "major",
                      "Major (ionian): bright, familiar.", "Common-practice tonality"),
    "minor": ModeInfo((0, 2, 3, 5, 7, 8, 10), "minor",
                      "Natural minor (aeolian).", "Common-practice tonality"),
    "ionian": ModeInfo((0, 2, 4, 5, 7, 9, 11), "ionian",
                       "Church mode I, the major scale.", _CHURCH),
    "dorian": ModeInfo((0, 2, 3, 5, 7, 9, 10), "dorian",
                       "Minor with a raised sixth; the i-IV modal vamp.", _CHURCH),
    "phrygian": ModeInfo((0, 1, 3, 5, 7, 8, 10), "phrygian",
                         "Minor with a lowered second; Spanish colour (i-bII).",
                         f"{_CHURCH}; Wigram's Spanish framework"),
    "lydian": ModeInfo((0, 2, 4, 6, 7, 9, 11), "lydian",
                       "Major with a raised fourth; floating (I-II).", _CHURCH),
    "mixolydian": ModeInfo((0, 2, 4, 5, 7, 9, 10), "mixolydian",
                           "Major with a lowered seventh; the I-bVII vamp.", _CHURCH),
    "aeolian": ModeInfo((0, 2, 3, 5, 7, 8, 10), "aeolian",
                        "Church mode VI, the natural minor.",
                        f"{_CHURCH}; Foubert's aeolian free section ({_REF})"),
    "locrian": ModeInfo((0, 1, 3, 5, 6, 8, 10), "locrian",
                        "Diminished fifth above the tonic; unstable.", _CHURCH),
    "major-pentatonic": ModeInfo((0, 2, 4, 7, 9), "major",
                                 "No semitones, no tritone: the 'no wrong notes' scale.",
                                 f"Wigram's pentatonic framework; Orff practice ({_REF})"),
    "minor-pentatonic": ModeInfo((0, 3, 5, 7, 10), "minor",
                                 "The black keys from E flat; no semitones, no tritone.",
                                 f"Black-note improvisation ({_REF})"),
    "blues": ModeInfo((0, 3, 5, 6, 7, 10), "minor",
                      "Minor pentatonic with the blue fifth.",
                      f"Blues idiom; Houde's clinical blues resources ({_REF})"),
    "major-blues": ModeInfo((0, 2, 3, 4, 7, 9), "major",
                            "Major pentatonic with the blue third.", "Blues idiom"),
    "harmonic-minor": ModeInfo((0, 2, 3, 5, 7, 8, 11), "minor",
                               "Minor with a raised seventh: dominant pull.",
                               "Common-practice minor"),
    "melodic-minor": ModeInfo((0, 2, 3, 5, 7, 9, 11), "minor",
                              "Minor with raised sixth and seventh (jazz minor).",
                              "Common-practice minor; jazz theory"),
    "lydian-dominant": ModeInfo((0, 2, 4, 6, 7, 9, 10), "mixolydian",
                                "Major with a raised fourth and lowered seventh; bright "
                                "and open.", "Fourth mode of melodic minor (jazz theory)"),
    "phrygian-dominant": ModeInfo((0, 1, 4, 5, 7, 8, 10), "phrygian",
                                  "Spanish / Freygish; the Andalusian cadence.",
                                  f"Fifth mode of harmonic minor; idiom workbooks ({_REF})"),
    "hungarian-minor": ModeInfo((0, 2, 3, 6, 7, 8, 11), "minor",
                                "Harmonic minor with a raised fourth; two augmented "
                                "seconds.", "Liszt's 'gypsy' scale (19th-century usage)"),
    "double-harmonic": ModeInfo((0, 1, 4, 5, 7, 8, 11), "phrygian",
                                "A 12-tone approximation of Hijaz-Kar colour.",
                                f"Middle-Eastern idiom, 12-TET approximation ({_REF})"),
    "whole-tone": ModeInfo((0, 2, 4, 6, 8, 10), "major",
                           "Floating, no tonal centre.",
                           f"Debussy; key clarity about 0.07 ({_REF})"),
    "octatonic": ModeInfo((0, 2, 3, 5, 6, 8, 9, 11), "minor",
                          "Whole-half diminished scale: tension, suspense.",
                          "Messiaen's second mode of limited transposition"),
    "egyptian": ModeInfo((0, 2, 5, 7, 10), "mixolydian",
                         "Suspended pentatonic: no thirds, open and unresolved.",
                         "Anhemitonic pentatonic, fourth rotation"),
    "japanese-in": ModeInfo((0, 1, 5, 7, 8), "phrygian",
                            "Hemitonic Japanese pentatonic.",
                            f"Japanese tradition; definitions vary by source ({_REF})"),
    "japanese-yo": ModeInfo((0, 2, 5, 7, 9), "major",
                            "Anhemitonic Japanese pentatonic.",
                            f"Japanese tradition; definitions vary by source ({_REF})"),
    "hirajoshi": ModeInfo((0, 2, 3, 7, 8), "minor",
                          "Japanese pentatonic (koto tuning).",
                          f"Japanese koto tuning; definitions vary by source ({_REF})"),
    "kumoi": ModeInfo((0, 2, 3, 7, 9), "dorian",
                      "Japanese pentatonic.",
                      f"Japanese tradition; definitions vary by source ({_REF})"),
    "iwato": ModeInfo((0, 1, 5, 6, 10), "locrian",
                      "Japanese pentatonic.",
                      f"Japanese tradition; definitions vary by source ({_REF})"),
    "bourdon": ModeInfo((0, 7), "major",
                        "Open fifth: neither major nor minor; grounding.",
                        f"Organum / bourdon; Foubert's open-fifth section ({_REF})"),
}
# fmt: on

# Church modes music21 knows as key modes (for key signatures and roman numerals).
CHURCH_MODES = frozenset(
    {"major", "minor", "ionian", "dorian", "phrygian", "lydian", "mixolydian", "aeolian", "locrian"}
)

PITCH_CLASSES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
ACCIDENTALS = {"": 0, "#": 1, "b": -1, "##": 2, "bb": -2}

DYNAMICS: dict[str, int] = {
    "ppp": 16,
    "pp": 33,
    "p": 49,
    "mp": 64,
    "mf": 80,
    "f": 96,
    "ff": 112,
    "fff": 127,
}

# Note values in quarter notes.
DURATIONS: dict[str, float] = {"w": 4.0, "h": 2.0, "q": 1.0, "e": 0.5, "s": 0.25}

PARTS = ("drums", "bass", "comp", "melody", "drone")

# General MIDI percussion (key numbers 35-81), lower case with hyphens.
GM_DRUMS: dict[str, int] = {
    "acoustic-bass-drum": 35,
    "bass-drum-1": 36,
    "side-stick": 37,
    "acoustic-snare": 38,
    "hand-clap": 39,
    "electric-snare": 40,
    "low-floor-tom": 41,
    "closed-hi-hat": 42,
    "high-floor-tom": 43,
    "pedal-hi-hat": 44,
    "low-tom": 45,
    "open-hi-hat": 46,
    "low-mid-tom": 47,
    "hi-mid-tom": 48,
    "crash-cymbal-1": 49,
    "high-tom": 50,
    "ride-cymbal-1": 51,
    "chinese-cymbal": 52,
    "ride-bell": 53,
    "tambourine": 54,
    "splash-cymbal": 55,
    "cowbell": 56,
    "crash-cymbal-2": 57,
    "vibraslap": 58,
    "ride-cymbal-2": 59,
    "hi-bongo": 60,
    "low-bongo": 61,
    "mute-hi-conga": 62,
    "open-hi-conga": 63,
    "low-conga": 64,
    "high-timbale": 65,
    "low-timbale": 66,
    "high-agogo": 67,
    "low-agogo": 68,
    "cabasa": 69,
    "maracas": 70,
    "short-whistle": 71,
    "long-whistle": 72,
    "short-guiro": 73,
    "long-guiro": 74,
    "claves": 75,
    "hi-wood-block": 76,
    "low-wood-block": 77,
    "mute-cuica": 78,
    "open-cuica": 79,
    "mute-triangle": 80,
    "open-triangle": 81,
}
DRUM_ALIASES: dict[str, int] = {
    "kick": 36,
    "snare": 38,
    "rim": 37,
    "clap": 39,
    "closed-hihat": 42,
    "pedal-hihat": 44,
    "open-hihat": 46,
    "crash": 49,
    "ride": 51,
    "tom-low": 45,
    "tom-mid": 47,
    "tom-high": 50,
    "tambourine": 54,
    "cowbell": 56,
    "shaker": 70,
    "clave": 75,
    "conga-high": 62,
    "conga-low": 64,
    "bongo-high": 60,
    "bongo-low": 61,
}
DRUMS: dict[str, int] = {**GM_DRUMS, **DRUM_ALIASES}

# General MIDI level 1 programs, index = program number (0-127).
GM_INSTRUMENTS: tuple[str, ...] = (
    "acoustic-grand-piano",
    "bright-acoustic-piano",
    "electric-grand-piano",
    "honky-tonk-piano",
    "electric-piano-1",
    "electric-piano-2",
    "harpsichord",
    "clavinet",
    "celesta",
    "glockenspiel",
    "music-box",
    "vibraphone",
    "marimba",
    "xylophone",
    "tubular-bells",
    "dulcimer",
    "drawbar-organ",
    "percussive-organ",
    "rock-organ",
    "church-organ",
    "reed-organ",
    "accordion",
    "harmonica",
    "tango-accordion",
    "acoustic-guitar-nylon",
    "acoustic-guitar-steel",
    "electric-guitar-jazz",
    "electric-guitar-clean",
    "electric-guitar-muted",
    "overdriven-guitar",
    "distortion-guitar",
    "guitar-harmonics",
    "acoustic-bass",
    "electric-bass-finger",
    "electric-bass-pick",
    "fretless-bass",
    "slap-bass-1",
    "slap-bass-2",
    "synth-bass-1",
    "synth-bass-2",
    "violin",
    "viola",
    "cello",
    "contrabass",
    "tremolo-strings",
    "pizzicato-strings",
    "orchestral-harp",
    "timpani",
    "string-ensemble-1",
    "string-ensemble-2",
    "synth-strings-1",
    "synth-strings-2",
    "choir-aahs",
    "voice-oohs",
    "synth-voice",
    "orchestra-hit",
    "trumpet",
    "trombone",
    "tuba",
    "muted-trumpet",
    "french-horn",
    "brass-section",
    "synth-brass-1",
    "synth-brass-2",
    "soprano-sax",
    "alto-sax",
    "tenor-sax",
    "baritone-sax",
    "oboe",
    "english-horn",
    "bassoon",
    "clarinet",
    "piccolo",
    "flute",
    "recorder",
    "pan-flute",
    "blown-bottle",
    "shakuhachi",
    "whistle",
    "ocarina",
    "lead-1-square",
    "lead-2-sawtooth",
    "lead-3-calliope",
    "lead-4-chiff",
    "lead-5-charang",
    "lead-6-voice",
    "lead-7-fifths",
    "lead-8-bass-lead",
    "pad-1-new-age",
    "pad-2-warm",
    "pad-3-polysynth",
    "pad-4-choir",
    "pad-5-bowed",
    "pad-6-metallic",
    "pad-7-halo",
    "pad-8-sweep",
    "fx-1-rain",
    "fx-2-soundtrack",
    "fx-3-crystal",
    "fx-4-atmosphere",
    "fx-5-brightness",
    "fx-6-goblins",
    "fx-7-echoes",
    "fx-8-sci-fi",
    "sitar",
    "banjo",
    "shamisen",
    "koto",
    "kalimba",
    "bagpipe",
    "fiddle",
    "shanai",
    "tinkle-bell",
    "agogo",
    "steel-drums",
    "woodblock",
    "taiko-drum",
    "melodic-tom",
    "synth-drum",
    "reverse-cymbal",
    "guitar-fret-noise",
    "breath-noise",
    "seashore",
    "bird-tweet",
    "telephone-ring",
    "helicopter",
    "applause",
    "gunshot",
)
GM_PROGRAMS: dict[str, int] = {name: number for number, name in enumerate(GM_INSTRUMENTS)}


@dataclass(frozen=True, slots=True)
class PartDefault:
    """How a part sounds when the framework does not say: instrument, octave, balance."""

    instrument: str
    octave: int
    balance: int  # added to the dynamic level's velocity


PART_DEFAULTS: dict[str, PartDefault] = {
    "drums": PartDefault("standard-kit", 0, -6),
    "bass": PartDefault("acoustic-bass", 2, -4),
    "comp": PartDefault("acoustic-grand-piano", 4, -12),
    "melody": PartDefault("flute", 4, 0),
    "drone": PartDefault("string-ensemble-1", 3, -18),
}

# Chord-symbol suffixes accepted after the root (checked against music21 in the tests);
# CHORD_KIND_ALIASES spells the few that music21 knows under another name.
CHORD_KIND_ALIASES: dict[str, str] = {"maj9": "M9", "maj13": "M13", "69": "6add9"}
CHORD_KINDS: frozenset[str] = frozenset(
    {
        "",
        "m",
        "min",
        "M",
        "maj",
        "+",
        "aug",
        "dim",
        "o",
        "5",
        "7",
        "m7",
        "min7",
        "maj7",
        "M7",
        "dim7",
        "o7",
        "m7b5",
        "ø7",
        "mM7",
        "7+",
        "aug7",
        "6",
        "m6",
        "9",
        "m9",
        "M9",
        "maj9",
        "11",
        "m11",
        "13",
        "m13",
        "M13",
        "maj13",
        "sus2",
        "sus4",
        "sus",
        "7sus4",
        "add9",
        "madd9",
        "add2",
        "add4",
        "7b9",
        "7#9",
        "7b5",
        "7#5",
        "7#11",
        "69",
    }
)

# General MIDI 2 drum kits (program numbers on the drum channel).
DRUM_KITS: dict[str, int] = {
    "standard-kit": 0,
    "room-kit": 8,
    "power-kit": 16,
    "electronic-kit": 24,
    "tr-808-kit": 25,
    "jazz-kit": 32,
    "brush-kit": 40,
    "orchestra-kit": 48,
}

# The note that gives a mode its colour against its nearest major or minor scale, as modal
# teaching marks it (semitones above the tonic). Scales with none (the pentatonics, whole
# tone, octatonic, ...) are even: no note stands out.
CHARACTERISTIC: dict[str, tuple[int, ...]] = {
    "major": (11,),  # the major seventh, against mixolydian
    "ionian": (11,),
    "minor": (8,),  # the minor sixth, against dorian
    "aeolian": (8,),
    "dorian": (9,),  # the major sixth
    "phrygian": (1,),  # the minor second
    "lydian": (6,),  # the raised fourth
    "mixolydian": (10,),  # the minor seventh
    "locrian": (6,),  # the diminished fifth
    "blues": (6,),  # the blue note
    "major-blues": (3,),  # the blue note
    "harmonic-minor": (11,),  # the leading note over a minor sixth
    "melodic-minor": (9, 11),
    "lydian-dominant": (6, 10),
    "phrygian-dominant": (1, 4),
    "hungarian-minor": (6, 11),
    "double-harmonic": (1, 11),
    "japanese-in": (1,),
    "iwato": (1, 6),
}

# Scale degrees by semitones above the tonic, as a practice sheet labels them.
DEGREE_LABELS: dict[int, str] = {
    0: "1", 1: "b2", 2: "2", 3: "b3", 4: "3", 5: "4", 6: "#4", 7: "5",
    8: "b6", 9: "6", 10: "b7", 11: "7",
}  # fmt: skip
