"""Which word tends to follow which: the batch's own phrases, for predicting the next word.

A batch repeats its phrases ("set a timer for", "luis fonsi", "on fire tv"), so the words
that followed a word in submitted transcripts and in multi-word lexicon terms are offered
where the annotator inserts a word or points at a wrong one, before anything is typed,
and rank higher once they type. Bounded: at most `CAPACITY` distinct preceding words are
kept (the least recently seen are forgotten) and a few followers for each.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable

CAPACITY = 100_000
FOLLOWERS = 16


class Following:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = max(1, capacity)
        self._next: OrderedDict[str, Counter[str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._next)

    def add(self, keys: Iterable[str], weight: int = 1) -> None:
        """Count each pair of neighbouring (folded) words of one text."""
        prev = ""
        for k in keys:
            if prev:
                followers = self._next.get(prev)
                if followers is None:
                    followers = self._next[prev] = Counter()
                    if len(self._next) > self.capacity:
                        self._next.popitem(last=False)
                else:
                    self._next.move_to_end(prev)
                followers[k] += weight
                if len(followers) > 2 * FOLLOWERS:  # keep the most frequent
                    kept = followers.most_common(FOLLOWERS)
                    followers.clear()
                    followers.update(dict(kept))
            prev = k

    def after(self, prev: str, limit: int = 5) -> list[tuple[str, float]]:
        """(word, share of what followed `prev`) for the most frequent followers."""
        followers = self._next.get(prev)
        if not followers:
            return []
        total = sum(followers.values())
        return [(k, n / total) for k, n in followers.most_common(limit)]
