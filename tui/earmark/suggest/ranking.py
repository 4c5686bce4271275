"""Putting the candidates of one query in order.

Each segment hands over its best candidates with their scores (match + source +
popularity, see `segment`); here the same word from several segments keeps its best score,
words resembling the recogniser's word at the cursor and words that usually follow the
previous word gain, and the best whole-word corrections of the fragment as typed always
keep a place among the five, so rare completions never hide the obvious fix ("thre" ->
"there" next to "three", "threw", "thread").
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from earmark.suggest.segment import SOURCES, FloatArray, IntArray, Segment
from earmark.suggest.text import fold

NEAR_BONUS = 1.25  # resemblance to the recogniser's word at the cursor, at most
SOUND_BONUS = 1.25  # sounding like the recogniser's word at the cursor, at most
NEXT_BONUS = 4.0  # a word that always followed the previous word, at most
CORRECTIONS = 2  # places kept for whole-word corrections of the fragment as typed
KEEP = 64  # candidates kept per segment before the rest is weighed

Found = dict[str, tuple[float, str, int]]  # key -> (score, spelling, source tier)


@dataclass(frozen=True)
class Suggestion:
    """One suggested word; `score` orders the suggestions of one call (higher is better)."""

    text: str
    source: str  # "clip" | "lexicon" | "learned" | "english"
    score: float


def collect(found: Found, seg: Segment, where: IntArray, scores: FloatArray) -> None:
    """Add a segment's candidates, keeping the best score of a word met twice."""
    if len(where) == 0:
        return
    if len(where) > KEEP:  # keep the best few; a later segment may still outrank them
        top = np.argpartition(-scores, KEEP - 1)[:KEEP]
        where, scores = where[top], scores[top]
    for i, s in zip(where.tolist(), scores.tolist(), strict=True):
        k = seg.keys[i]
        have = found.get(k)
        if have is None or s > have[0]:
            found[k] = (float(s), seg.display[i], int(seg.tier[i]))


def ranked(
    found: Found,
    *,
    banned: Iterable[str],
    near_key: str,
    limit: int,
    style: Callable[[str], str],
    corrections: Collection[str] = (),
    following: dict[str, float] | None = None,
    sounds: dict[str, float] | None = None,
) -> list[Suggestion]:
    """The best `limit` suggestions, spelled with `style`."""
    for k in banned:
        found.pop(fold(k), None)
    if near_key:
        found.pop(near_key, None)
    for k, (score, text, tier) in found.items():
        bonus = NEAR_BONUS * (fuzz.ratio(k, near_key) / 100.0) ** 2 if near_key else 0.0
        if following:
            bonus += NEXT_BONUS * following.get(k, 0.0)
        if sounds:
            bonus += SOUND_BONUS * sounds.get(k, 0.0) ** 2
        found[k] = (score + bonus, text, tier)
    order = sorted(found, key=lambda k: (-found[k][0], found[k][1]))
    fixes = [k for k in order if k in corrections][:CORRECTIONS]
    chosen = set(fixes)
    for k in order:
        if len(chosen) >= limit:
            break
        chosen.add(k)
    return [
        Suggestion(style(found[k][1]), SOURCES[found[k][2]], round(found[k][0], 3))
        for k in order
        if k in chosen
    ][:limit]
