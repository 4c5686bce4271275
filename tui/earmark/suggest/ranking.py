"""Putting the candidates of one query in order.

Each segment hands over its best candidates with their scores (match + source +
popularity, see `segment`); here the same word from several segments keeps its best score,
words resembling the recogniser's word at the cursor and words that usually follow the
previous word gain, and the best whole-word corrections of the fragment as typed always
keep a place among the five, so rare completions never hide the obvious fix ("thre" ->
"there" next to "three", "threw", "thread").

What is typed is usually the beginning of the word wanted, so completions fill the other
places; but a whole word may have been typed with a typo. Two things weigh for a
correction there. How common it is beyond the point where popularity stops counting
(`segment.commonness`): "and", written fifty thousand times, outranks the rare "fandom"
for "fand", where "find", written a thousand times, does not. And a third correction takes
the fifth place from a completion that only a big lexicon vouches for (never written here,
not English) and scores less than an edit above it; a completion anybody wrote, or an
English one, keeps its place (handing any fifth place to a correction within reach cost
keystrokes in tests/bench/ksr.py, where annotators type beginnings).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from earmark.suggest.segment import EDIT, SOURCES, FloatArray, IntArray, Segment
from earmark.suggest.text import fold

NEAR_BONUS = 1.25  # resemblance to the recogniser's word at the cursor, at most
SOUND_BONUS = 1.25  # sounding like the recogniser's word at the cursor, at most
NEXT_BONUS = 4.0  # a word that always followed the previous word, at most
CORRECTIONS = 2  # places kept for whole-word corrections of the fragment as typed
SHOWN = 5  # places the annotator sees
TIE = 1e-3
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
    corrections: Mapping[str, float] | None = None,
    following: dict[str, float] | None = None,
    sounds: dict[str, float] | None = None,
    unvouched: Callable[[str], bool] | None = None,
    heard: Mapping[str, float] | None = None,
) -> list[Suggestion]:
    """The best `limit` suggestions, spelled with `style`. `corrections`: the whole-word
    corrections of the fragment, with what their commonness adds (`segment.commonness`);
    `unvouched(k)`: k is a word only a big lexicon knows (never written, not English);
    `heard`: what a heard word gains (`heard.weight`)."""
    for k in banned:
        found.pop(fold(k), None)
    if near_key:
        found.pop(near_key, None)
    corrections = corrections or {}
    for k, (score, text, tier) in found.items():
        bonus = NEAR_BONUS * (fuzz.ratio(k, near_key) / 100.0) ** 2 if near_key else 0.0
        if following:
            bonus += NEXT_BONUS * following.get(k, 0.0)
        if sounds:
            bonus += SOUND_BONUS * sounds.get(k, 0.0) ** 2
        bonus += corrections.get(k, 0.0)
        if heard:
            bonus += heard.get(k, 0.0)
        found[k] = (score + bonus, text, tier)
    order = sorted(found, key=lambda k: (-found[k][0], found[k][1]))
    fixes = [k for k in order if k in corrections][: CORRECTIONS + 1]
    chosen = set(fixes[:CORRECTIONS])
    for k in order:
        if len(chosen) >= limit:
            break
        chosen.add(k)
    if len(fixes) > CORRECTIONS and unvouched is not None:
        _one_more_fix(found, order, chosen, fixes[-1], corrections, unvouched, limit)
    return [
        Suggestion(style(found[k][1]), SOURCES[found[k][2]], round(found[k][0], 3))
        for k in order
        if k in chosen
    ][:limit]


def _one_more_fix(
    found: Found,
    order: list[str],
    chosen: set[str],
    fix: str,
    corrections: Collection[str],
    unvouched: Callable[[str], bool],
    limit: int,
) -> None:
    """Give a third whole-word correction the place of the last completion among the five
    shown when that completion is a word only a big lexicon knows, and scores less than an
    edit above the correction, itself a word written here or English: a word in use one
    typo away is then the likelier meaning ("ifo": "ifro", written 27 times, rather than the
    lexicon's untouched "ifoux"). A completion that was ever written, or is English, keeps
    its place: beginnings of words are what annotators type."""
    if fix in chosen:
        return
    shown = [k for k in order if k in chosen][:SHOWN]
    last = next((k for k in reversed(shown) if k not in corrections), None)
    if len(shown) < SHOWN or last is None:
        return
    if found[fix][0] + EDIT <= found[last][0] or not unvouched(last) or unvouched(fix):
        return
    _, text, tier = found[fix]
    found[fix] = (found[last][0] - TIE, text, tier)  # its place, not higher
    order.remove(fix)
    order.insert(order.index(last) + 1, fix)
    chosen.add(fix)
    if len(chosen) > limit:  # the weakest completion chosen makes way
        chosen.discard(next(k for k in reversed(order) if k in chosen and k not in corrections))
