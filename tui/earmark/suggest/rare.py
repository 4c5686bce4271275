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

import base64
import bisect
import contextlib
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from earmark.suggest.english import cache_file, top_words, write
from earmark.suggest.ranking import Found
from earmark.suggest.segment import ENGLISH, PREFIX, Segment
from earmark.suggest.text import key

SPAN = 100_000  # words past the main index kept (its 50,000th to its 150,000th)
RARE_FROM = 3  # letters typed before rare words are offered
RARE_POOL = 6  # rare completions weighed per fragment, the most frequent: five places, one spare
RARE_BASE = PREFIX - 0.6  # below a known word that completes the fragment as well
RARE_POP = 0.5  # what being the most frequent of them adds, at most
_TOP = "\U0010ffff"
_BLOCK = "\n\x1e\n"  # between the blocks of the cached list (no word holds a control)
_END = "end"


class _Keys:
    """The sorted keys as one string and their offsets: a sequence `bisect` can search,
    a tenth of the memory of 100,000 string objects."""

    def __init__(self, text: str, starts: npt.NDArray[np.int32]) -> None:
        self._text, self._starts = text, starts

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, i: int) -> str:
        return self._text[self._starts[i] : self._starts[i + 1] - 1]


class RareWords:
    """Words sorted by their folded key, with their frequency rank among themselves."""

    def __init__(
        self,
        text: str,
        starts: npt.NDArray[np.int32],
        rank: npt.NDArray[np.int32],
        shown: dict[int, str],
    ) -> None:
        """`text`: the sorted keys joined by newlines; `starts`: where each begins (and one
        past the end); `rank[i]`: the frequency rank of key i; `shown`: the spellings that
        are not their key."""
        self._keys = _Keys(text, starts)
        self._text, self._starts, self._rank, self._shown = text, starts, rank, shown
        self._size = max(len(rank), 1)

    @classmethod
    def of(cls, words: list[str]) -> RareWords:
        """From words in order of frequency, the most frequent first (those that fold to
        nothing or to several words, `ﷺ`, left out)."""
        keyed = sorted(
            (k, n, w)
            for n, w in enumerate(words)
            if w.isprintable() and len((k := key(w)).split()) == 1
        )
        starts = np.zeros(len(keyed) + 1, dtype=np.int32)
        starts[1:] = np.cumsum([len(k) + 1 for k, _, _ in keyed])
        return cls(
            "\n".join(k for k, _, _ in keyed),
            starts,
            np.array([n for _, n, _ in keyed], dtype=np.int32),
            {i: w for i, (k, _, w) in enumerate(keyed) if w != k},
        )

    def dumps(self) -> str:
        """The keys, their offsets and ranks (little-endian int32, base64) and the spellings
        that are not their key (`index<TAB>spelling` lines): what `loads` reads back."""
        return _BLOCK.join(
            (
                self._text,
                _b64(self._starts),
                _b64(self._rank),
                "\n".join(f"{i}\t{w}" for i, w in self._shown.items()),
                _END,  # a file cut short anywhere lacks it
            )
        )

    @classmethod
    def loads(cls, text: str) -> RareWords | None:
        """What `dumps` wrote, or None when it is not that (cut short, say)."""
        parts = text.split(_BLOCK)
        if len(parts) != 5 or parts[4] != _END:
            return None
        keys, starts, rank = parts[0], _int32(parts[1]), _int32(parts[2])
        if (
            starts is None
            or rank is None
            or len(starts) != len(rank) + 1
            or starts[0] != 0
            or int(starts[-1]) != (len(keys) + 1 if len(rank) else 0)
            or not (np.diff(starts) > 1).all()
            or len(keys.split()) != len(rank)  # one word a line, nothing else
            or not keys.replace("\n", "").isprintable()
        ):
            return None
        shown: dict[int, str] = {}
        for line in parts[3].split("\n") if parts[3] else ():
            at, _, word = line.partition("\t")
            if not at.isdigit() or int(at) >= len(rank) or len(word.split()) != 1:
                return None
            if not word.isprintable():
                return None
            shown[int(at)] = word
        return cls(keys, starts, rank, shown)

    def __len__(self) -> int:
        return len(self._rank)

    def completions(self, frag: str, limit: int) -> list[tuple[str, str, float]]:
        """(key, spelling, score) of the `limit` most frequent words beginning with the
        folded fragment `frag`."""
        lo = bisect.bisect_left(self._keys, frag)
        hi = bisect.bisect_left(self._keys, frag + _TOP, lo)
        if hi <= lo:
            return []
        ranks = self._rank[lo:hi]
        best = np.argpartition(ranks, limit)[:limit] if hi - lo > limit else np.arange(hi - lo)
        best = best[np.argsort(ranks[best], kind="stable")]
        out = []
        for n in best.tolist():
            i = lo + n
            k = self._keys[i]
            pop = RARE_POP * (1.0 - float(self._rank[i]) / self._size)
            out.append((k, self._shown.get(i, k), RARE_BASE + len(frag) / len(k) + pop))
        return out


def _b64(values: npt.NDArray[np.int32]) -> str:
    return base64.b64encode(values.astype("<i4").tobytes()).decode("ascii")


def _int32(text: str) -> npt.NDArray[np.int32] | None:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    if len(raw) % 4:
        return None
    return np.frombuffer(raw, dtype="<i4").astype(np.int32)


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
    if path is not None:
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
