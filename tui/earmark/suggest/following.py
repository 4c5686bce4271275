"""Which word tends to follow which: the batch's own phrases, for predicting the next word.

A batch repeats its phrases ("set a timer for", "luis fonsi", "on fire tv"), so the words
that followed a word in submitted transcripts and in multi-word lexicon terms are offered
where the annotator inserts a word or points at a wrong one, before anything is typed,
and rank higher once they type. Bounded: at most `CAPACITY` distinct preceding words are
kept (the least recently seen are forgotten) and a few followers for each.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence

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
                keep_most(followers, FOLLOWERS)
            prev = k

    def add_older(self, counts: dict[str, dict[str, int]]) -> None:
        """Add `count_pairs` of texts older than everything counted so far: counts add up as
        with `add`; a preceding word seen only there ranks as less recent than those held."""
        room = self.capacity - len(self._next)
        for prev, found in counts.items():  # the most recently seen first
            held = self._next.get(prev)
            if held is not None:
                held.update(found)
                keep_most(held, FOLLOWERS)
            elif room > 0:  # in front of the newer: O(1), no rebuild
                room -= 1
                self._next[prev] = keep_most(Counter(found), FOLLOWERS)
                self._next.move_to_end(prev, last=False)

    def after(self, prev: str, limit: int = 5) -> list[tuple[str, float]]:
        """(word, share of what followed `prev`) for the most frequent followers."""
        followers = self._next.get(prev)
        if not followers:
            return []
        total = sum(followers.values())
        return [(k, n / total) for k, n in followers.most_common(limit)]


def keep_most(counts: Counter[str], n: int) -> Counter[str]:
    """Cut `counts` to its `n` most frequent once it holds twice that many (so the cut,
    a sort, is paid once per n additions, not at every one)."""
    if len(counts) > 2 * n:
        kept = counts.most_common(n)
        counts.clear()
        counts.update(dict(kept))
    return counts


def count_pairs(texts: Iterable[Sequence[str]]) -> dict[str, dict[str, int]]:
    """{word: {follower: n}} over the (folded) words of texts given newest first, the most
    recently seen preceding word first: what `Following.add_older` takes."""
    counts: dict[str, dict[str, int]] = {}
    for keys in texts:
        for i in range(len(keys) - 2, -1, -1):  # a text's last pair is its most recent
            prev, k = keys[i], keys[i + 1]
            followers = counts.get(prev)
            if followers is None:
                followers = counts[prev] = {}
            followers[k] = followers.get(k, 0) + 1
    return counts
