"""The manifest's optional `gold` field: `{"text": "...", "flags": ["critical"]}`.

A line that carries it makes its clip a gold clip: served blind to every annotator, and each
answer scored against this reference (earmark/quality/gold.py). A malformed reference refuses
the line, naming why, rather than importing a clip whose scores would mean nothing.
"""

from __future__ import annotations

from earmark.manifest.fields import BadLine, json_type
from earmark.quality.gold import GOLD_FLAGS, GoldRef
from earmark.textsafe import clean_words

MAX_GOLD_TEXT = 20_000


def parse_gold(value: object) -> GoldRef:
    if isinstance(value, str):
        value = {"text": value}
    if not isinstance(value, dict):
        raise BadLine(f"`gold` must be an object, not {json_type(value)}")
    text = value.get("text")
    if not isinstance(text, str):
        raise BadLine(f"`gold.text` must be a string, not {json_type(text)}")
    if len(text) > MAX_GOLD_TEXT:
        raise BadLine(f"`gold.text` is longer than {MAX_GOLD_TEXT:,} characters")
    flags = value.get("flags", [])
    if flags is None:
        flags = []
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        raise BadLine("`gold.flags` must be an array of flag kinds")
    unknown = sorted({f for f in flags if f not in GOLD_FLAGS})
    if unknown:
        raise BadLine(
            f"`gold.flags` has an unknown kind {clean_words(unknown[0])[:40]!r}"
            f" (one of: {', '.join(GOLD_FLAGS)})"
        )
    return GoldRef(text=clean_words(text), flags=tuple(sorted(set(flags))))
