"""A sorted word index: exact-prefix ranges and typo neighbourhoods, scored with numpy.

The editor asks for suggestions on every keystroke, so a query has to answer in a few
milliseconds over several hundred thousand words. Scoring every word on each keystroke
takes a hundred times too long, so the words are kept sorted by their folded key:

* the words that start with the fragment are one contiguous range, found by bisection and
  scored in one numpy operation however many there are;
* for typos, the keys whose first five characters are one edit from the fragment's
  (the first character included: a wrong, missing, extra or swapped first letter) are a
  few hundred runs of that sorted list, found at once by numpy's searchsorted on a
  fixed-width copy of the keys' first characters, and handed to rapidfuzz (optimal string
  alignment distance, which counts a swap of two letters as one edit) whole and cut to
  the fragment's length.

Scores add up three parts: how well the word matches (a completion of the fragment beats
a correction of it, one edit beats two), its source (the clip's own words, the lexicon,
words learned from this project, the English list), and how common it is (log frequency).
A very common word one typo away can therefore outrank a rare exact completion, which is
what makes "teh" offer "the". Popularity stops growing at POP_MAX so that common words do
not bury the completions of every prefix; among whole-word corrections `commonness` lets
the rest of the count speak (see `ranking`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from itertools import repeat
from operator import itemgetter

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

CLIP, LEXICON, LEARNED, ENGLISH = range(4)
SOURCES = ("clip", "lexicon", "learned", "english")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

_TIER_BONUS = np.array([6.0, 4.5, 2.0, 0.0], dtype=np.float32)
_SMALL_LEXICON = 1000


def tier_bonus(n_lexicon: int) -> FloatArray:
    """Source bonuses. A lexicon term is a strong hint in a short list and a weak one in a
    list of hundreds of thousands (each term then is as likely as any rare word), so the
    lexicon's bonus shrinks with the log of its size beyond a thousand terms."""
    out = _TIER_BONUS.copy()
    if n_lexicon > _SMALL_LEXICON:
        out[LEXICON] *= math.log10(_SMALL_LEXICON) / math.log10(n_lexicon)
    return out


POP_MAX = 4.0
PREFIX = 20.0  # match quality of an exact completion; one edit costs EDIT
EDIT = 3.0
_FIRST_LETTER = 0.5  # a first letter is less often the wrong one
_CUT = 1.5  # a typo in the beginning of a longer word, rather than in a whole word
_HEAD = 8  # key characters kept in the fixed-width array
_SHORT = 4  # fragments this short are corrected as whole words only
SLIP = 1.5  # an edit fingers make easily (a neighbouring key, a double letter, a swap)
_TYPO_HEAD = 5  # how far into a word one typo is located exactly (later ones: any prefix)
_TOP = "\U0010ffff"
_ENGLISH_TIE = 0.01


def popularity(
    count: npt.NDArray[np.int32], rank: npt.NDArray[np.int32], n_english: int
) -> FloatArray:
    """0..POP_MAX: log of how often the word was written here, or of its English rank."""
    learned = np.minimum(POP_MAX, _written(count))
    out: FloatArray = np.maximum(learned, _english(rank, n_english)).astype(np.float32)
    return out


def _written(count: npt.NDArray[np.int32]) -> FloatArray:
    out: FloatArray = (1.3 * np.log10(1.0 + count.astype(np.float32))).astype(np.float32)
    return out


def _english(rank: npt.NDArray[np.int32], n_english: int) -> FloatArray:
    scale = 1.0 / math.log1p(max(n_english, 1))
    out: FloatArray = np.where(
        rank >= 0, POP_MAX * (1.0 - np.log1p(np.maximum(rank, 0)) * scale), 0.0
    ).astype(np.float32)
    return out


def commonness(
    count: npt.NDArray[np.int32], rank: npt.NDArray[np.int32], n_english: int
) -> FloatArray:
    """What `popularity` leaves out, for weighing whole-word corrections against each other
    and against rare completions: how far beyond POP_MAX the word's written count goes
    ("and", written 50,000 times, is not "find", written 1,000 times, though both reach
    POP_MAX), and a hundredth of its English popularity, to part words written equally
    often here ("ops" before "hops")."""
    excess = np.maximum(0.0, _written(count) - POP_MAX)
    out: FloatArray = (excess + _ENGLISH_TIE * _english(rank, n_english)).astype(np.float32)
    return out


def take(seq: Sequence[str], idx: IntArray) -> tuple[str, ...]:
    if len(idx) == 0:
        return ()
    got = itemgetter(*idx.tolist())(seq)
    return tuple(got) if len(idx) > 1 else (got,)


class Segment:
    """Words sorted by key with their metadata in parallel numpy arrays.

    The key list never changes after construction; tier, counts and display forms may be
    updated in place (under the Suggester's lock) as annotators submit text.
    """

    def __init__(
        self,
        keys: Sequence[str],
        display: list[str],
        tier: npt.NDArray[np.int8],
        count: npt.NDArray[np.int32],
        rank: npt.NDArray[np.int32],
        n_english: int,
        bonuses: FloatArray = _TIER_BONUS,
    ) -> None:
        self.keys = keys
        self.bonuses = bonuses
        self.display = display
        self.tier = tier
        self.count = count
        self.rank = rank
        self.n_english = n_english
        self.length = np.fromiter(map(len, keys), dtype=np.int32, count=len(keys))
        self.bonus: FloatArray = (bonuses[tier] + popularity(count, rank, n_english)).astype(
            np.float32
        )
        # The first _HEAD characters of every key, fixed-width: numpy finds the runs for
        # hundreds of prefixes in one call (bisecting Python strings one by one is slower).
        self.head = np.array(keys, dtype=f"U{_HEAD}") if len(keys) else np.empty(0, f"U{_HEAD}")
        self._following: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def _runs(self, prefixes: list[str]) -> tuple[IntArray, IntArray]:
        """(starts, ends) of the keys starting with each prefix (each under _HEAD chars)."""
        lo = np.searchsorted(self.head, np.array(prefixes, dtype=f"U{_HEAD}"), "left")
        hi = np.searchsorted(
            self.head, np.array([p + _TOP for p in prefixes], dtype=f"U{_HEAD}"), "left"
        )
        return lo.astype(np.int64), hi.astype(np.int64)

    def following(self, prefix: str) -> list[str]:
        """The characters that follow `prefix` in some key (prefix under _HEAD chars)."""
        got = self._following.get(prefix)
        if got is None:
            lo, hi = self._runs([prefix])
            column = self.head[lo[0] : hi[0]].view(np.uint32).reshape(-1, _HEAD)[:, len(prefix)]
            got = [chr(c) for c in np.unique(column).tolist() if c]
            if len(self._following) > 50_000:
                self._following.clear()
            self._following[prefix] = got
        return got

    def typo_candidates(self, frag: str) -> IntArray:
        """Indices of keys whose beginning is one edit from the fragment's.

        Each edit pins the key's first characters down to a prefix, so the candidates are
        runs of the sorted keys: a wrong character at i means keys starting f0..f(i-1) ?
        f(i+1).., a missing one keys starting f0..f(i-1) ? f(i).., an extra one keys
        starting f0..f(i-1) f(i+1).., a swap keys starting ..f(i+1) f(i)...
        """
        k = min(len(frag), _TYPO_HEAD)
        prefixes = {frag[:k]}
        for i in range(k):
            head = frag[:i]
            for c in self.following(head):
                prefixes.add(head + c + frag[i + 1 : k])  # wrong character at i
                prefixes.add(head + c + frag[i : k - 1])  # character missing at i
            if i + 1 < len(frag):
                prefixes.add(head + frag[i + 1 : k + 1])  # extra character at i
                prefixes.add(head + frag[i + 1] + frag[i] + frag[i + 2 : k])  # swapped
        prefixes.discard("")
        lo, hi = self._runs(list(prefixes))
        keep = hi > lo
        lo, hi = lo[keep], hi[keep]
        if not len(lo):
            return np.empty(0, np.int64)
        order = np.argsort(lo, kind="stable")
        lo, hi = lo[order], hi[order]
        # Runs nest (f0f1f2 holds f0f1f2f3): start each after the end of those before it.
        start = lo.copy()
        start[1:] = np.maximum(lo[1:], np.maximum.accumulate(hi)[:-1])
        size = np.maximum(hi - start, 0)
        total = int(size.sum())
        offsets = np.cumsum(size) - size
        out: IntArray = (np.arange(total) + np.repeat(start - offsets, size)).astype(np.int64)
        return out

    def find(self, key: str) -> int:
        i = bisect.bisect_left(self.keys, key)
        return i if i < len(self.keys) and self.keys[i] == key else -1

    def refresh(self, i: int) -> None:
        pop = popularity(self.count[i : i + 1], self.rank[i : i + 1], self.n_english)[0]
        self.bonus[i] = self.bonuses[self.tier[i]] + pop

    def commonness(self, idx: IntArray) -> FloatArray:
        """`commonness` of the words at idx."""
        return commonness(self.count[idx], self.rank[idx], self.n_english)

    def prefix(self, frag: str, k: int) -> tuple[IntArray, FloatArray]:
        """The best k keys that start with frag (the fragment itself excluded), scored."""
        lo = bisect.bisect_left(self.keys, frag)
        if lo < len(self.keys) and self.keys[lo] == frag:
            lo += 1  # the word already typed is no suggestion
        hi = bisect.bisect_left(self.keys, frag + _TOP, lo)
        if hi <= lo:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        scores = PREFIX + len(frag) / self.length[lo:hi] + self.bonus[lo:hi]
        best = np.argpartition(-scores, k - 1)[:k] if hi - lo > k else np.arange(hi - lo)
        return (best + lo).astype(np.int64), scores[best].astype(np.float32)

    def fuzzy(self, frag: str, max_dist: int) -> tuple[IntArray, FloatArray, IntArray]:
        """(indices, scores) of words within max_dist edits of frag, or of a prefix of them;
        and the indices of the whole-word corrections among them."""
        n = len(frag)
        cand = self.typo_candidates(frag)
        none = np.empty(0, np.int64)
        if not len(cand):
            return none, np.empty(0, np.float32), none
        parts: list[tuple[IntArray, FloatArray]] = []

        def compare(
            choices: Sequence[str], where: IntArray, penalty: float, whole: bool = False
        ) -> None:
            hits = process.extract(
                frag,
                choices,
                scorer=OSA.distance,
                processor=None,
                score_cutoff=max_dist,
                limit=None,
            )
            if not hits:
                return
            _, dist, j = zip(*hits, strict=True)
            idx = where[list(j)]
            d = np.array(dist, dtype=np.float32)
            firsts = np.array([choices[i][:1] != frag[:1] for i in j], dtype=np.float32)
            quality = PREFIX - EDIT * d - _FIRST_LETTER * firsts - penalty
            if whole:
                quality += np.array([slip(frag, choices[i]) for i in j], dtype=np.float32)
            parts.append((idx, quality.astype(np.float32)))

        # Whole words of about the fragment's length...
        length = self.length[cand]
        near = np.flatnonzero(np.abs(length - n) <= max_dist)
        exact = self.find(frag)
        if len(near):
            keep = near[cand[near] != exact]
            compare(take(self.keys, cand[keep]), cand[keep], 0.0, whole=True)
        # ...and longer words whose beginning is a typo away: compare the fragment with
        # each word cut to about its length (one cut only when there are many words).
        # (Not for fragments of four letters or fewer: a typo that early leaves thousands of
        # words it could begin, too many to tell apart and to compare within a keystroke.)
        longer = np.flatnonzero(length > n) if n > _SHORT else np.empty(0, np.int64)
        if len(longer):
            long_keys = take(self.keys, cand[longer])
            for cut in (n,) if len(longer) > 2000 else (n - 1, n, n + 1):
                compare([w[:cut] for w in long_keys], cand[longer], _CUT)
        if not parts:
            return none, np.empty(0, np.float32), none
        whole = parts[0][0] if len(near) else none
        where = np.concatenate([w for w, _ in parts])
        quality = np.concatenate([q for _, q in parts])
        return where, (quality + self.bonus[where]).astype(np.float32), whole


_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    c: {r[k] for k in (j - 1, j + 1) if 0 <= k < len(r)} for r in _ROWS for j, c in enumerate(r)
}


def slip(typed: str, word: str) -> float:
    """How much likelier than an arbitrary edit the one edit from `word` to `typed` is, as
    fingers slip: a neighbouring key, a doubled or dropped double letter, a neighbour key
    struck too, two letters swapped. 0 for anything else."""
    n, m = len(typed), len(word)
    i = 0
    while i < min(n, m) and typed[i] == word[i]:
        i += 1
    if n == m:
        if i + 1 < n and typed[i] == word[i + 1] and typed[i + 1] == word[i]:
            return SLIP  # swapped
        return SLIP if i < n and typed[i] in _NEIGHBOURS.get(word[i], ()) else 0.0
    if n == m + 1:  # a key struck too many: doubled, or a neighbour of the next or last
        extra = typed[i]
        if (i > 0 and extra == typed[i - 1]) or (i < m and extra == word[i]):
            return SLIP
        near = _NEIGHBOURS.get(extra, set())
        return SLIP if (i < m and word[i] in near) or (i > 0 and word[i - 1] in near) else 0.0
    if n + 1 == m:  # a key missed: most often one of a double letter
        return (
            SLIP
            if (i > 0 and word[i] == word[i - 1]) or (i + 1 < m and word[i] == word[i + 1])
            else 0.0
        )
    return 0.0


def build_segment(
    display: dict[str, str],
    tier: dict[str, int],
    count: dict[str, int],
    rank: dict[str, int],
    n_english: int,
) -> Segment:
    """A segment over every key of `tier`, mapped through the other dicts in C-speed passes."""
    keys = sorted(tier)
    n = len(keys)
    return Segment(
        keys,
        list(map(display.__getitem__, keys)),
        np.fromiter(map(tier.__getitem__, keys), dtype=np.int8, count=n),
        np.fromiter(map(count.get, keys, repeat(0)), dtype=np.int32, count=n),
        np.fromiter(map(rank.get, keys, repeat(-1)), dtype=np.int32, count=n),
        n_english,
    )


def empty_segment(n_english: int) -> Segment:
    return build_segment({}, {}, {}, {}, n_english)
