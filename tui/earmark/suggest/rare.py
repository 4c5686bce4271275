"""English words too rare for the main index, offered once a few letters are typed.

The main index holds wordfreq's 50,000 most frequent English words: nearly everything an
annotator types, at a start-up and a memory the annotator can afford at every start.
Literary, technical and place-name speech still brings words past them (`dashwood` is the
56,042nd, `prudently` the 64,635th), and those had to be typed to their last letter. The
next `SPAN` words are kept here as one sorted list, read with the pronunciations after the
suggester is built, and searched by prefix only, once `RARE_FROM` letters are typed (one or
two letters begin thousands of them, and nothing yet tells which). A rare word ranks below
every known word that completes the fragment as well; among rare words, the more frequent
first. A word of the lexicon, the batch or the clip is known, not rare.
"""

from __future__ import annotations

import bisect
import contextlib
from collections.abc import Callable

import numpy as np

from earmark.suggest.english import cache_file, top_words, write
from earmark.suggest.ranking import Found
from earmark.suggest.segment import ENGLISH, PREFIX, Segment
from earmark.suggest.text import key

SPAN = 100_000  # words past the main index kept (its 50,000th to its 150,000th)
RARE_FROM = 3  # letters typed before rare words are offered
RARE_POOL = 12  # rare completions of one fragment weighed, the most frequent first
RARE_BASE = PREFIX - 0.6  # below a known word that completes the fragment as well
RARE_POP = 0.5  # what being the most frequent of them adds, at most
_TOP = "\U0010ffff"
_BLOCK = "\n\x1e\n"  # between the blocks of the cached list (no word holds a control)


class RareWords:
    """Words sorted by their folded key, with their frequency rank among themselves."""

    def __init__(self, keys: list[str], shown: list[str], rank: list[int]) -> None:
        """`keys` sorted; `shown[i]` the spelling of `keys[i]`, `rank[i]` its rank."""
        self._keys, self._shown = keys, shown
        self._rank = np.array(rank, dtype=np.int32)
        self._size = max(len(keys), 1)

    @classmethod
    def of(cls, words: list[str]) -> RareWords:
        """From words in order of frequency, the most frequent first (those that fold to
        nothing or to several words, `ﷺ`, left out)."""
        keyed = sorted(
            (k, n, w)
            for n, w in enumerate(words)
            if w.isprintable() and len((k := key(w)).split()) == 1
        )
        return cls([k for k, _, _ in keyed], [w for _, _, w in keyed], [n for _, n, _ in keyed])

    def dumps(self) -> str:
        """Three blocks of lines: keys, spellings (empty: as the key), ranks (what `loads`
        reads back)."""
        return _BLOCK.join(
            (
                "\n".join(self._keys),
                "\n".join(
                    "" if w == k else w for k, w in zip(self._keys, self._shown, strict=True)
                ),
                " ".join(map(str, self._rank.tolist())),
            )
        )

    @classmethod
    def loads(cls, text: str) -> RareWords | None:
        """What `dumps` wrote, or None when it is not that (cut short, say)."""
        parts = text.split(_BLOCK)
        if len(parts) != 3:
            return None
        keys, shown, ranks = parts[0].split("\n"), parts[1].split("\n"), parts[2].split()
        if not (len(keys) == len(shown) == len(ranks)) or not all(map(str.isdigit, ranks)):
            return None
        shown = [w or k for k, w in zip(keys, shown, strict=True)]  # one string, not two
        return cls(keys, shown, list(map(int, ranks)))

    def __len__(self) -> int:
        return len(self._keys)

    def completions(self, frag: str, limit: int) -> list[tuple[str, str, float]]:
        """(key, spelling, score) of the `limit` most frequent words beginning with the
        folded fragment `frag`."""
        lo = bisect.bisect_left(self._keys, frag)
        hi = bisect.bisect_left(self._keys, frag + _TOP, lo)
        if hi <= lo:
            return []
        best = np.argsort(self._rank[lo:hi], kind="stable")[:limit]
        out = []
        for n in best:
            i = lo + int(n)
            pop = RARE_POP * (1.0 - float(self._rank[i]) / self._size)
            out.append(
                (self._keys[i], self._shown[i], RARE_BASE + len(frag) / len(self._keys[i]) + pop)
            )
        return out


def load(n_english: int) -> RareWords | None:
    """The `SPAN` English words after the first `n_english`, sorted: from the user's cache
    folder, or read from wordfreq (0.2 s) and put there. None for a suggester without the
    English list (`n_english` 0): its words are the batch's alone."""
    if n_english <= 0:
        return None
    path = cache_file(f"rare-{n_english}-{SPAN}")
    if path is not None:
        with contextlib.suppress(OSError, UnicodeDecodeError, ValueError):
            cached = RareWords.loads(path.read_text(encoding="utf-8"))
            if cached is not None:
                return cached
    built = RareWords.of(top_words(n_english + SPAN)[n_english:])
    if path is not None and all(w.isprintable() and len(w.split()) == 1 for w in built._shown):
        write(path, built.dumps())
    return built


def rare_words(
    rare: RareWords | None,
    frag: str,
    found: Found,
    locate: Callable[[str], tuple[Segment | None, int]],
) -> None:
    """Put the rare words that complete the folded fragment into `found`, once it has
    `RARE_FROM` letters, unless a source knows them (they are found there)."""
    if rare is None or len(frag) < RARE_FROM:
        return
    for k, shown, score in rare.completions(frag, RARE_POOL):
        if k not in found and k != frag and locate(k)[0] is None:
            found[k] = (score, shown, ENGLISH)
