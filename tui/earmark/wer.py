"""Word error rate of the ASR guesses against what annotators submitted.

Case and punctuation are not errors an annotator fixes by ear, so both sides are normalised
first (casefold, punctuation dropped, apostrophes inside words kept: "don't" stays one
word). The corpus figure is total edits over total reference words, not a mean of per-clip
rates, so a long clip weighs more than a two-word one, as it should.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


def normalize(text: str | None) -> list[str]:
    if not text:
        return []
    return [w.replace("\u2019", "'") for w in _WORD.findall(text.casefold())]


def edits(ref: str | None, hyp: str | None) -> tuple[int, int]:
    """(word edits, reference words) between a reference and a hypothesis."""
    # Imported here: loading rapidfuzz's compiled code is most of a `stats` run's start-up,
    # and the store (which every command opens) only needs it when a clip is submitted.
    from rapidfuzz.distance import Levenshtein

    r, h = normalize(ref), normalize(hyp)
    return int(Levenshtein.distance(r, h)), len(r)


def wer(ref: str | None, hyp: str | None) -> float:
    """Edits over reference words; an empty reference gives 0.0 if the guess is empty, else 1.0."""
    e, n = edits(ref, hyp)
    if n == 0:
        return 0.0 if e == 0 else 1.0
    return e / n


def corpus_wer(pairs: Iterable[tuple[str | None, str | None]]) -> float | None:
    """Total edits over total reference words of (reference, hypothesis) pairs; None if no words."""
    total_e = total_n = 0
    for ref, hyp in pairs:
        e, n = edits(ref, hyp)
        total_e += e
        total_n += n
    return total_e / total_n if total_n else None
