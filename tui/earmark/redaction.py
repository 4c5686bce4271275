"""Words marked for redaction, anchored to the words themselves rather than to positions.

An annotator marks `zebulon quartermaine` while the transcript still reads as the
recogniser heard it, then keeps editing: typing `my ` at the start shifts every position by
one. A mark kept as a word index would then hide the wrong word and publish the name. So a
mark is the marked word (normalised: case and surrounding punctuation aside) plus which
occurrence of it was pointed at, and it is re-anchored on whatever text is finally
exported: **every occurrence** of a marked word is redacted, because the same name said
twice is the same personal data.

A mark whose word is no longer in the text (the annotator corrected its spelling, split it,
deleted it) is *unanchored*: the session asks the annotator before submitting
(`unanchored`), and an export that still meets one withholds the whole text rather than
guess. Nothing here touches the store or Textual: it is pure and shared by the critical
panel, the session and the exporter.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Punctuation an annotator may add or remove around a word without changing what it says.
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")


@dataclass(frozen=True, order=True)
class Mark:
    """One marked word: its normal form and which occurrence of it was marked (from 0)."""

    word: str
    occurrence: int = 0


def norm(token: str) -> str:
    """The form a word is matched by: case-folded, punctuation at either end removed."""
    return _EDGE.sub("", token.casefold())


def folded(word: str) -> str:
    """`word` with accents dropped as well, the way the suggestion index keys words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("\u2019", "'"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def _tokens(text: str | None) -> list[str]:
    return (text or "").split()


def marks_from_indexes(words: Sequence[str], indexes: Iterable[int]) -> list[Mark]:
    """The marks for the words at `indexes` of `words` (as the panel lists them)."""
    keys = [norm(w) for w in words]
    out: set[Mark] = set()
    for i in indexes:
        if 0 <= i < len(keys) and keys[i]:
            out.add(Mark(keys[i], keys[:i].count(keys[i])))
    return sorted(out)


def indexes(marks: Iterable[Mark], text: str | None) -> list[int]:
    """Positions in `text.split()` that the marks redact: every occurrence of each word."""
    wanted = {m.word for m in marks}
    if not wanted:
        return []
    return [i for i, t in enumerate(_tokens(text)) if norm(t) in wanted]


def unanchored(marks: Iterable[Mark], text: str | None) -> list[str]:
    """The marked words that no longer appear in `text`, in order: ask before submitting."""
    present = {norm(t) for t in _tokens(text)}
    out: list[str] = []
    for m in sorted(set(marks)):
        if m.word not in present and m.word not in out:
            out.append(m.word)
    return out


def apply(text: str | None, marks: Mapping[str, str]) -> str | None:
    """`text` with every occurrence of each marked word replaced by `[redacted:<slug>]`.

    `marks` maps a normalised word to its slug. Spacing is normalised to single spaces, as
    the exports always did.
    """
    if not text or not marks:
        return text
    return " ".join(
        f"[redacted:{marks[k]}]" if (k := norm(t)) in marks else t for t in _tokens(text)
    )


def dumps(marks: Iterable[Mark]) -> str | None:
    """The stored form: JSON [[word, occurrence], ...], or None for no marks."""
    items = sorted(set(marks))
    return json.dumps([[m.word, m.occurrence] for m in items]) if items else None


def loads(raw: str | None) -> list[Mark]:
    """Marks from their stored form; anything malformed is dropped, never raised."""
    if not raw:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    out: list[Mark] = []
    if isinstance(data, list):
        for item in data:
            if (
                isinstance(item, list)
                and len(item) == 2
                and isinstance(item[0], str)
                and isinstance(item[1], int)
                and item[0]
            ):
                out.append(Mark(item[0], item[1]))
    return out
