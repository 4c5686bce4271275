"""What a manifest line may hold: the field allow-list, limits, and the shapes readers share.

Kept apart from the readers so that the allow-list (what is *kept*, everything else being
dropped and only named) is one short page anyone can audit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from earmark.quality.gold import GoldRef

# Fields we understand. Everything else is dropped and named in the import summary.
AUDIO_KEYS = ("audio", "audio_filepath", "path", "wav_filename")
GUESS_KEYS = ("asr", "pred_text")  # a recogniser's output
FALLBACK_GUESS_KEYS = ("text", "sentence", "transcript")  # used only when no guess field
OTHER_KEYS = ("id", "review_allowed", "duration", "words", "alternatives", "gold")
KNOWN_KEYS = frozenset(AUDIO_KEYS + GUESS_KEYS + FALLBACK_GUESS_KEYS + OTHER_KEYS)

MAX_LINE_BYTES = 1 << 20  # a longer line is refused, not read into memory
MAX_WORDS = 5_000
MAX_ALTERNATIVES = 20
MAX_FIELD_NAME = 60

# PocketSphinx (and other Sphinx-family recognisers) mark silences and noises as words.
_FILLER = re.compile(r"^(?:<[^>]*>|\[[^\]]*\]|\+\+?[^+]*\+\+?|\(\))$")
_VARIANT = re.compile(r"\(\d+\)$")

_TRUE = {"true", "1", "yes", "y", "on"}


@dataclass
class Record:
    """One manifest line after the allow-list: nothing identifying is left in it."""

    audio: str
    source_id: str | None = None
    asr: str = ""
    words: list[dict[str, Any]] | None = None
    words_json: str | None = None  # the words as stored, encoded by the import's reader
    alternatives: list[str] | None = None
    review_allowed: bool | None = None  # None: absent, the batch default decides
    duration: float | None = None
    dropped: list[str] = field(default_factory=list)
    words_dropped: int = 0
    gold: GoldRef | None = None  # a hidden reference for quality control (manifest/gold.py)


class BadLine(Exception):
    """A line we refuse; the message is the reason shown beside its line number."""


def json_type(obj: object) -> str:
    """How a refused value is described beside its line number."""
    return {
        list: "an array",
        dict: "an object",
        str: "a string",
        bool: "true/false",
        type(None): "null",
    }.get(type(obj), "a number")
