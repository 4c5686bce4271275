"""Builds the big word index from its sources in one pass and one sort.

Every pass over a few hundred thousand scattered string objects costs tens of milliseconds
in cache misses alone, so metadata sits in plain lists in insertion order and is permuted
into key order with numpy rather than looked up again per key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import repeat
from operator import itemgetter

import numpy as np

from earmark.suggest.english import top_words
from earmark.suggest.learning import Pending
from earmark.suggest.segment import (
    CLIP,
    ENGLISH,
    LEARNED,
    LEXICON,
    Segment,
    build_segment,
    empty_segment,
    tier_bonus,
)
from earmark.suggest.text import has_letter, key, words_of

GUESS_DISCOUNT = 3.0  # a word of the guess ranks like a lexicon word, below alternatives


def clip_segment(
    asr: str,
    alts: tuple[str, ...],
    locate: Callable[[str], tuple[Segment | None, int]],
    n_english: int,
) -> Segment:
    """The small index of one clip's own words (its guess and alternatives), each with what
    the big index knows of it (`locate`): its counts, rank and a lexicon term's spelling.
    The guess's own words, which are often the very words being fixed, rank lower."""
    display: dict[str, str] = {}
    count: dict[str, int] = {}
    rank: dict[str, int] = {}
    for text in (asr, *alts):
        for word in words_of(text):
            k = key(word)
            if k in display:
                continue
            display[k] = word
            seg, i = locate(k)
            if seg is not None:
                count[k], rank[k] = int(seg.count[i]), int(seg.rank[i])
                if seg.tier[i] == LEXICON:  # the lexicon's spelling
                    display[k] = seg.display[i]
    built = build_segment(display, dict.fromkeys(display, CLIP), count, rank, n_english)
    for k in {key(w) for w in words_of(asr)} - {key(w) for a in alts for w in words_of(a)}:
        built.bonus[built.find(k)] -= GUESS_DISCOUNT
    return built


def count_words(
    words: list[str],
    clip: int | None,
    locate: Callable[[str], tuple[Segment | None, int]],
    extra: dict[str, tuple[str, int]],
    pending: Pending,
) -> bool:
    """Count a submitted transcript's learnable words where they are indexed (an English
    word written here becomes a learned one), in `extra` (key -> (spelling, uses)) for the
    words learned since start, and in `pending` for new ones, which move to `extra` once
    written in enough clips. True when `extra` gained a word (its segment is then rebuilt)."""
    fresh: list[str] = []
    for word in words:
        k = key(word)
        seg, i = locate(k)
        if seg is not None:
            seg.count[i] += 1
            if seg.tier[i] == ENGLISH:
                seg.tier[i] = LEARNED
            seg.refresh(i)
        elif k in extra:
            shown, n = extra[k]
            extra[k] = (shown, n + 1)
        else:
            fresh.append(k)
    spelled = {key(w): w for w in words}
    ready = pending.add(fresh, clip)
    for k in ready:
        extra[k] = (spelled.get(k, k), pending.min_clips)
    return bool(ready)


def extra_segment(extra: dict[str, tuple[str, int]], n_english: int) -> Segment:
    """The small segment of the words learned since start (`count_words`)."""
    return build_segment(
        {k: v[0] for k, v in extra.items()},
        dict.fromkeys(extra, LEARNED),
        {k: v[1] for k, v in extra.items()},
        {},
        n_english,
    )


def english_words(n: int) -> list[str]:
    """wordfreq's n most frequent English words that have a letter, most frequent first."""
    return top_words(n)  # read once from wordfreq, then from the user's cache folder


class Vocab:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.keys: list[str] = []
        self.display: list[str] = []
        self.tier: list[int] = []
        self.count: list[int] = []
        self.rank: list[int] = []
        self.n_lexicon = 0

    def slot(self, k: str, word: str, tier: int) -> int:
        i = self.index.get(k)
        if i is None:
            i = self.index[k] = len(self.keys)
            self.keys.append(k)
            self.display.append(word)
            self.tier.append(tier)
            self.count.append(0)
            self.rank.append(-1)
        return i

    def add_english(self, words: list[str]) -> None:
        # Alphabetically, so that keys arrive in long sorted runs, which the final sort
        # merges in a fraction of the time it takes to sort them from scratch.
        for rank in sorted(range(len(words)), key=words.__getitem__):
            word = words[rank]
            k = key(word)
            i = self.index.get(k)
            if i is None:
                self.slot(k, word, ENGLISH)
                self.rank[-1] = rank
            elif rank < self.rank[i]:  # two words folding alike: the more frequent one
                self.rank[i], self.display[i] = rank, word

    def add_learned(self, words: Iterable[tuple[str, int]]) -> None:
        """(spelling, uses) pairs; the spelling used most is shown (a lexicon term keeps the
        lexicon's)."""
        shown: dict[int, int] = {}
        for form, n in words:
            if not has_letter(form):
                continue
            i = self.slot(key(form), form, LEARNED)
            self.count[i] += n
            self.tier[i] = min(self.tier[i], LEARNED)
            if n > shown.get(i, 0) and self.tier[i] != LEXICON:
                shown[i] = n
                self.display[i] = form

    def add_lexicon(self, terms: list[str]) -> None:
        """Lexicon terms take over words already known; the rest are added in bulk."""
        if not terms:
            return
        joined = "\n".join(terms)
        if joined.isascii() and joined.count("\n") == len(terms) - 1:
            keys = joined.lower().split("\n")
            # one string, not two equal ones, for terms already in lower case
            keys = [t if k == t else k for k, t in zip(keys, terms, strict=True)]
        else:
            keys = [key(t) for t in terms]
        lex = dict(zip(reversed(keys), reversed(terms), strict=True))  # first spelling wins
        self.n_lexicon += len(lex)
        for k in lex.keys() & self.index.keys():
            i = self.index[k]
            if self.tier[i] != LEXICON:
                self.display[i] = lex[k]
                self.tier[i] = LEXICON
        # Indexed too: learned words merged afterwards must find a lexicon term's slot (a
        # second slot for the same key would split its counts from its lexicon rank).
        new = [k for k in reversed(lex) if k not in self.index]  # in the lexicon's order
        self.index.update(zip(new, range(len(self.keys), len(self.keys) + len(new)), strict=True))
        self.keys.extend(new)
        self.display.extend(map(lex.__getitem__, new))
        self.tier.extend(repeat(LEXICON, len(new)))
        self.count.extend(repeat(0, len(new)))
        self.rank.extend(repeat(-1, len(new)))

    def segment(self, n_english: int) -> Segment:
        if not self.keys:
            return empty_segment(n_english)
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        perm = np.array(order, dtype=np.int64)
        if len(order) > 1:
            pick = itemgetter(*order)
            keys, display = list(pick(self.keys)), list(pick(self.display))
        else:
            keys, display = list(self.keys), list(self.display)
        return Segment(
            keys,
            display,
            np.array(self.tier, dtype=np.int8)[perm],
            np.array(self.count, dtype=np.int32)[perm],
            np.array(self.rank, dtype=np.int32)[perm],
            n_english,
            tier_bonus(self.n_lexicon),
        )
