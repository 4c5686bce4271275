"""Word and whole-utterance suggestions for the transcript editor.

The editor asks for suggestions on every keystroke, so `Suggester.suggest` has to answer in
a few milliseconds over several hundred thousand words (a large batch lexicon, every word of
every submitted transcript, a general English list). Scoring every word with rapidfuzz on
each keystroke takes a hundred times too long, so the words are indexed once:

* one sorted list of folded keys (case- and accent-insensitive), so the words that start
  with the fragment are a contiguous range found by bisection, and scored in one numpy
  operation however many there are;
* for typos, the keys whose first five characters are one edit from the fragment's are a
  few hundred runs of that sorted list (a few hundred words in all), found at once by
  numpy's searchsorted on a fixed-width copy of the keys' first characters, and handed
  to rapidfuzz (Levenshtein distance with a cutoff) whole and cut to the fragment's length.

Typos are looked for only when fewer exact-prefix matches exist than were asked for:
an exact prefix always outranks a fuzzy match, so a fuzzy pass could not change the answer.

Ranking: exact-prefix matches first (an exact whole-word match is the best prefix match),
then fuzzy ones by edit distance. Within that, the source: the current clip's ASR
alternatives, then the batch lexicon, then words annotators have typed before ("learned"),
then the general English list. A domain source always wins a tie with the English list;
frequency (how often a word was typed before, or its wordfreq rank) orders words within a
source and tips close calls. A word is suggested once, labelled with its best source, and
spelled as the lexicon spells it when the lexicon has it (else as the source spells it).

Fragments shorter than two characters get no suggestions: one letter matches a tenth of the
vocabulary and the list would only flicker. Typos are tolerated from four characters on
(one edit; two from seven), on the assumption that the first character is right.

Whole utterances: voice-assistant traffic repeats itself, so `utterance` offers a submitted
transcript that closely matches the clip's guess (rapidfuzz ratio on normalised words,
threshold 85), looking only at transcripts that share the first two words, the last two,
or the first and last word with it (see `_Utterances`). It never offers anything that was
not submitted.

Thread safety: the index may be built in a worker thread (the constructor does all the
work; about a second of CPU for 250,000 words and 100,000 transcripts, holding the GIL in
stretches of up to ~0.15 s); afterwards one lock makes `suggest`, `utterance`,
`add_transcript` and `set_context` safe to call from different threads.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from earmark.textsafe import clean

SOURCES = ("alternative", "lexicon", "learned", "english")
ALTERNATIVE, LEXICON, LEARNED, ENGLISH = range(4)

MIN_FRAGMENT = 2
MAX_FRAGMENT = 64
UTTERANCE_THRESHOLD = 85.0

# Score = match quality + source bonus + popularity. Quality: an exact-prefix match scores
# 90..94 (94 for the whole word, less the more is left to type: a weak preference, so that
# "wh" offers "who", "what" before the rare exact "wh"); a fuzzy match below 80.
# Domain sources get at least 4 and popularity never reaches 4, so on equal quality a domain
# word beats any English word, however common.
_TIER_BONUS = np.array([8.0, 6.0, 4.0, 0.0], dtype=np.float32)
_POP_MAX = 3.9
_WHOLE_WORD_BONUS = 2.0
_COMPLETION = 4.0
_HEAD = 8  # key characters kept in the fixed-width array
_TYPO_HEAD = 5  # how far into a word one typo is located exactly (later ones: any prefix)

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_NORMAL_LINE = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*(?: [a-z0-9]+(?:'[a-z0-9]+)*)*")
_TOP = "\U0010ffff"


@dataclass(frozen=True)
class Suggestion:
    """One suggested word. `score` orders the suggestions of one call (higher is better):
    about 90..110 for words that start with the fragment, below 90 for typo corrections."""

    text: str
    source: str  # "alternative" | "lexicon" | "learned" | "english"
    score: float


def fold(text: str) -> str:
    """The matching key: case-folded, accents dropped, curly apostrophes straightened."""
    if text.isascii():
        return text.lower()
    text = text.casefold().replace("\u2019", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def words_of(text: str) -> list[str]:
    """The words of an untrusted text (cleaned first): letters and digits, inner apostrophes."""
    return [w for w in _WORD.findall(clean(text)) if _has_letter(w)]


def normalize_utterance(text: str) -> str:
    """Folded words joined by single spaces: what two transcripts are compared on."""
    text = clean(text)
    if text.isascii():
        return " ".join(_WORD.findall(text.lower()))
    return " ".join(fold(w) for w in _WORD.findall(text))


def _normalize_many(texts: list[str]) -> list[str]:
    """`normalize_utterance` for many cleaned texts, lower-casing them all in one go."""
    if not texts:
        return []
    joined = "\n".join(texts)
    find, normal = _WORD.findall, _NORMAL_LINE.fullmatch
    # Most lines are already normal (ASR-style: lower case, no punctuation): a C-speed
    # check is cheaper than taking them apart and joining them again.
    out = [line if normal(line) else " ".join(find(line)) for line in joined.lower().split("\n")]
    if len(out) != len(texts):  # a newline inside a text: not cleaned after all
        return [normalize_utterance(t) for t in texts]
    if not joined.isascii():
        out = [
            o if t.isascii() else normalize_utterance(t) for t, o in zip(texts, out, strict=True)
        ]
    return out


def _popularity(count: np.ndarray, rank: np.ndarray, n_english: int) -> np.ndarray:
    """0.._POP_MAX: log of how often annotators typed the word, or of its English rank."""
    learned = np.minimum(_POP_MAX, 1.3 * np.log10(1.0 + count.astype(np.float32)))
    scale = 1.0 / math.log1p(max(n_english, 1))
    english = np.where(
        rank >= 0, _POP_MAX * (1.0 - np.log1p(np.maximum(rank, 0)) * scale), 0.0
    ).astype(np.float32)
    return np.maximum(learned, english)


def _take(seq: Sequence[str], idx: np.ndarray) -> tuple[str, ...]:
    if len(idx) == 0:
        return ()
    got = itemgetter(*idx.tolist())(seq)
    return got if len(idx) > 1 else (got,)


class _Segment:
    """Words sorted by key with their metadata in parallel numpy arrays.

    The key list never changes after construction; tier, counts and display
    forms may be updated in place (under the Suggester's lock) as annotators submit text.
    """

    def __init__(
        self,
        keys: Sequence[str],
        display: list[str],
        tier: np.ndarray,
        count: np.ndarray,
        rank: np.ndarray,
        n_english: int,
        length: np.ndarray | None = None,
    ) -> None:
        self.keys = keys
        self.display = display
        self.tier = tier
        self.count = count
        self.rank = rank
        self.n_english = n_english
        if length is None:
            length = np.fromiter(map(len, keys), dtype=np.int32, count=len(keys))
        self.length = length
        self.bonus = _TIER_BONUS[tier] + _popularity(count, rank, n_english)
        # The first _HEAD characters of every key, fixed-width: numpy finds the runs for
        # hundreds of prefixes in one call (bisecting Python strings one by one is slower).
        self.head = np.array(keys, dtype=f"U{_HEAD}") if len(keys) else np.empty(0, f"U{_HEAD}")
        self._following: dict[str, list[str]] = {}

    def _range(self, prefix: str, lo: int = 0) -> tuple[int, int]:
        lo = bisect.bisect_left(self.keys, prefix, lo)
        return lo, bisect.bisect_left(self.keys, prefix + _TOP, lo)

    def _runs(self, prefixes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(starts, ends) of the keys starting with each prefix (each under _HEAD chars)."""
        lo = np.searchsorted(self.head, np.array(prefixes, dtype=f"U{_HEAD}"), "left")
        hi = np.searchsorted(
            self.head, np.array([p + _TOP for p in prefixes], dtype=f"U{_HEAD}"), "left"
        )
        return lo, hi

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

    def typo_candidates(self, frag: str) -> np.ndarray:
        """Indices of keys whose beginning is one edit (after the first character) from the
        fragment's: a few hundred words out of hundreds of thousands.

        Each edit pins the key's first characters down to a prefix, so the candidates are
        runs of the sorted keys: a wrong second character means keys starting f0 ? f2 f3..,
        a missing one keys starting f0 ? f1 f2.., an extra one keys starting f0 f2 f3..
        """
        k = min(len(frag), _TYPO_HEAD)
        prefixes = {frag[:k]}
        for i in range(1, k):
            head = frag[:i]
            for c in self.following(head):
                prefixes.add(head + c + frag[i + 1 : k])  # wrong character at i
                prefixes.add(head + c + frag[i : k - 1])  # character missing at i
            prefixes.add(head + frag[i + 1 : k + 1])  # extra character at i
            if i + 1 < len(frag):  # two characters swapped
                prefixes.add(head + frag[i + 1] + frag[i] + frag[i + 2 : k])
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
        return np.arange(total) + np.repeat(start - offsets, size)

    def find(self, key: str) -> int:
        i = bisect.bisect_left(self.keys, key)
        return i if i < len(self.keys) and self.keys[i] == key else -1

    def refresh(self, i: int) -> None:
        self.bonus[i] = (
            _TIER_BONUS[self.tier[i]]
            + _popularity(self.count[i : i + 1], self.rank[i : i + 1], self.n_english)[0]
        )

    def prefix(self, frag: str, k: int) -> tuple[int, np.ndarray, np.ndarray]:
        """(how many keys start with frag, the best k of them, their scores)."""
        lo = bisect.bisect_left(self.keys, frag)
        hi = bisect.bisect_left(self.keys, frag + _TOP, lo)
        if hi <= lo:
            return 0, np.empty(0, np.int64), np.empty(0, np.float32)
        scores = 90.0 + _COMPLETION * len(frag) / self.length[lo:hi] + self.bonus[lo:hi]
        if hi - lo > k:
            best = np.argpartition(-scores, k - 1)[:k]
        else:
            best = np.arange(hi - lo)
        return hi - lo, best + lo, scores[best]

    def fuzzy(self, frag: str, max_dist: int) -> tuple[np.ndarray, np.ndarray]:
        """(indices, scores) of words within max_dist edits of frag, or of a prefix of them.

        Needs a fragment of four characters or more; the first character is taken as right.
        """
        n = len(frag)
        cand = self.typo_candidates(frag)
        if not len(cand):
            return np.empty(0, np.int64), np.empty(0, np.float32)
        keys = _take(self.keys, cand)
        parts: list[tuple[np.ndarray, np.ndarray]] = []

        def compare(choices: Sequence[str], where: np.ndarray, bonus: float) -> None:
            hits = process.extract(
                frag,
                choices,
                scorer=Levenshtein.distance,
                processor=None,
                score_cutoff=max_dist,
                limit=None,
            )
            if hits:
                _, dist, j = zip(*hits, strict=True)
                parts.append((where[list(j)], _fuzzy_quality(np.array(dist), n) + bonus))

        # Whole words of about the fragment's length...
        length = self.length[cand]
        near = np.flatnonzero(np.abs(length - n) <= max_dist)
        if len(near):
            compare(_take(keys, near), cand[near], _WHOLE_WORD_BONUS)
        # ...and longer words whose beginning is a typo away: compare the fragment with
        # each word cut to about its length (one cut only when there are many words).
        longer = np.flatnonzero(length > n)
        if len(longer):
            long_keys = _take(keys, longer)
            for cut in (n,) if len(longer) > 3000 else (n - 1, n, n + 1):
                compare([k[:cut] for k in long_keys], cand[longer], 0.0)
        if not parts:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        where = np.concatenate([w for w, _ in parts])
        quality = np.concatenate([q for _, q in parts])
        return where, quality + self.bonus[where]


def _fuzzy_quality(dist: np.ndarray, n: int) -> np.ndarray:
    return 80.0 * (1.0 - dist / (n + 1))


def _build_segment(
    display: dict[str, str],
    tier: dict[str, int],
    count: dict[str, int],
    rank: dict[str, int],
    n_english: int,
) -> _Segment:
    """A segment over every key of `tier`, mapped through the other dicts in C-speed passes."""
    keys = sorted(tier)
    n = len(keys)
    return _Segment(
        keys,
        list(map(display.__getitem__, keys)),
        np.fromiter(map(tier.__getitem__, keys), dtype=np.int8, count=n),
        np.fromiter(map(count.get, keys, repeat(0)), dtype=np.int32, count=n),
        np.fromiter(map(rank.get, keys, repeat(-1)), dtype=np.int32, count=n),
        n_english,
    )


class _Vocab:
    """Builds the big segment: one dict lookup per source word, then one sort.

    Every pass over a few hundred thousand scattered string objects costs tens of
    milliseconds in cache misses alone, so metadata sits in plain lists in insertion order
    and is permuted into key order with numpy rather than looked up again per key.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.keys: list[str] = []
        self.display: list[str] = []
        self.tier: list[int] = []
        self.count: list[int] = []
        self.rank: list[int] = []

    def slot(self, key: str, word: str, tier: int) -> int:
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.keys)
            self.keys.append(key)
            self.display.append(word)
            self.tier.append(tier)
            self.count.append(0)
            self.rank.append(-1)
        return i

    def add_lexicon(self, terms: list[str]) -> None:
        """Lexicon terms take over words already known; the rest are added in bulk."""
        joined = "\n".join(terms)
        if joined.isascii() and joined.count("\n") == len(terms) - 1:
            keys = joined.lower().split("\n")
            # one string, not two equal ones, for terms already in lower case
            keys = [t if k == t else k for k, t in zip(keys, terms, strict=True)]
        else:
            keys = [_key(t) for t in terms]
        lex = dict(zip(reversed(keys), reversed(terms), strict=True))  # first spelling wins
        for key in lex.keys() & self.index.keys():
            i = self.index[key]
            if self.tier[i] != LEXICON:
                self.display[i] = lex[key]
                self.tier[i] = LEXICON
        # The lexicon is the last source merged: its new keys need no index entries.
        new = [k for k in reversed(lex) if k not in self.index]  # in the lexicon's order
        self.keys.extend(new)
        self.display.extend(map(lex.__getitem__, new))
        self.tier.extend(repeat(LEXICON, len(new)))
        self.count.extend(repeat(0, len(new)))
        self.rank.extend(repeat(-1, len(new)))

    def segment(self, n_english: int) -> _Segment:
        if not self.keys:
            return _empty_segment(n_english)
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        perm = np.array(order, dtype=np.int64)
        pick = itemgetter(*order)
        keys = pick(self.keys) if len(order) > 1 else (self.keys[0],)
        display = list(pick(self.display)) if len(order) > 1 else list(self.display)
        length = np.fromiter(map(len, self.keys), dtype=np.int32, count=len(self.keys))[perm]
        return _Segment(
            keys,
            display,
            np.array(self.tier, dtype=np.int8)[perm],
            np.array(self.count, dtype=np.int32)[perm],
            np.array(self.rank, dtype=np.int32)[perm],
            n_english,
            length,
        )


def _empty_segment(n_english: int) -> _Segment:
    return _build_segment({}, {}, {}, {}, n_english)


def _key(word: str) -> str:
    """`fold`, reusing the word itself when it already is its key (saves memory)."""
    if word.isascii():
        return word if word.islower() else word.lower()
    return fold(word)


def _clean_all(texts: Iterable[str]) -> list[str]:
    """`clean` each text; one C-speed check first, as nearly every batch is plain ASCII."""
    texts = list(texts)
    try:
        joined = "\n".join(texts)
    except TypeError:  # not all strings: the slow way
        return [clean(t) for t in texts if t is not None]
    if (
        joined.count("\n") == max(len(texts) - 1, 0)
        and joined.replace("\n", " ").isprintable()
        and (joined.isascii() or unicodedata.is_normalized("NFC", joined))
        and max(map(len, texts), default=0) <= 10_000
    ):
        return texts  # clean() would return every one of them unchanged
    return [clean(t) for t in texts]


class _Utterances:
    """Distinct submitted transcripts, compared on normalised text.

    Comparing a guess with 100,000 transcripts one by one takes tens of milliseconds, so
    only plausible ones are handed to rapidfuzz: those of a length that can still reach the
    threshold, which also begin with the same two words, or end with the same two words,
    or have the same first and last word. A close match differs in a word or two, so it
    almost always keeps one of those; short guesses (one or two words) are compared with
    every transcript of a suitable length.
    """

    def __init__(self, texts: list[str]) -> None:
        counts = Counter(texts)
        distinct = list(counts)
        norms = _normalize_many(distinct)
        # norm -> the spelling shown, how often that spelling was submitted, how often any was
        self.text: dict[str, str] = dict(zip(norms, distinct, strict=True))
        self.shown: dict[str, int] = dict(zip(norms, counts.values(), strict=True))
        self.total: dict[str, int] = dict(self.shown)
        if len(self.text) < len(norms):  # spellings that normalise alike: count them all
            self.text, self.shown, self.total = {}, {}, {}
            for text, norm in zip(distinct, norms, strict=True):
                self._count(text, counts[text], norm)
        self.text.pop("", None)
        self.shown.pop("", None)
        self.total.pop("", None)
        # Most often submitted first: rapidfuzz keeps the first of equally close matches.
        self.norms: list[str] = sorted(self.total, key=self.total.__getitem__, reverse=True)
        self.length = np.fromiter(map(len, self.norms), dtype=np.int32, count=len(self.norms))
        sigs = np.array([_signature(x) for x in self.norms], dtype=np.int64).reshape(-1, 3)
        self.sig = [np.ascontiguousarray(sigs[:, i]) for i in range(3)]
        self.recent: list[str] = []  # added since: few, compared with every query

    def _count(self, text: str, n: int, norm: str | None = None) -> str | None:
        """Count a spelling; returns its normalised form when that is new."""
        if norm is None:
            norm = normalize_utterance(text)
        if not norm:
            return None
        if norm not in self.total:
            self.text[norm], self.shown[norm], self.total[norm] = text, n, n
            return norm
        self.total[norm] += n
        if text == self.text[norm]:
            self.shown[norm] += n
        elif n > self.shown[norm]:  # show the spelling annotators used most (approximately)
            self.text[norm], self.shown[norm] = text, n
        return None

    def add(self, text: str) -> None:
        norm = self._count(text, 1)
        if norm is None:
            return
        self.recent.append(norm)
        if len(self.recent) >= 2000:  # fold them into the indexed arrays
            sigs = np.array([_signature(x) for x in self.recent], dtype=np.int64).reshape(-1, 3)
            self.sig = [np.concatenate([self.sig[i], sigs[:, i]]) for i in range(3)]
            self.length = np.concatenate(
                [self.length, np.fromiter(map(len, self.recent), dtype=np.int32)]
            )
            self.norms = self.norms + self.recent
            self.recent = []

    def best(self, norm: str, cutoff: float) -> tuple[str, float] | None:
        if norm in self.text:
            return self.text[norm], 100.0
        la = len(norm)
        c = min(max(cutoff, 1.0), 100.0)
        # ratio = 2 * common / (la + lb) can only reach c for lb in this window.
        near = (self.length >= math.floor(la * c / (200.0 - c))) & (
            self.length <= math.ceil(la * (200.0 - c) / c)
        )
        if norm.count(" ") >= 2:
            q = _signature(norm)
            near &= (self.sig[0] == q[0]) | (self.sig[1] == q[1]) | (self.sig[2] == q[2])
        choices = list(_take(self.norms, np.flatnonzero(near))) + self.recent
        # extractOne raises its cutoff as it finds better matches, which prunes the rest.
        hit = process.extractOne(
            norm, choices, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff
        )
        if hit is None:
            return None
        choice, score, _ = hit
        return self.text[choice], float(score)


def _signature(norm: str) -> tuple[int, int, int]:
    """Hashes of the first two words, the last two, and the first and last word."""
    a = norm.find(" ")
    if a < 0:
        h = hash(norm)
        return h, h, h
    b = norm.find(" ", a + 1)
    z = norm.rfind(" ")
    y = norm.rfind(" ", 0, z)
    return (
        hash(norm if b < 0 else norm[:b]),
        hash(norm[y + 1 :]),
        hash(norm[:a] + " " + norm[z + 1 :]),
    )


class Suggester:
    """Suggestions for the word being typed, and a whole transcript when one repeats.

    Construct it in a worker thread for large stores (`from_store`): building the index for
    300,000 words takes about a second.
    """

    def __init__(
        self,
        *,
        lexicon: Iterable[str] = (),
        transcripts: Iterable[str] = (),
        english: int = 50_000,
        utterance_threshold: float = UTTERANCE_THRESHOLD,
    ) -> None:
        self._lock = threading.RLock()
        self.utterance_threshold = utterance_threshold
        texts = _clean_all(transcripts)
        vocab = _Vocab()
        n_english = 0
        if english > 0:
            from wordfreq import top_n_list

            words = [w for w in top_n_list("en", english) if _has_letter(w)]
            n_english = len(words)
            # Alphabetically, so that keys arrive in long sorted runs, which the final sort
            # merges in a fraction of the time it takes to sort them from scratch.
            for rank in sorted(range(n_english), key=words.__getitem__):
                word = words[rank]
                key = _key(word)
                i = vocab.index.get(key)
                if i is None:
                    vocab.slot(key, word, ENGLISH)
                    vocab.rank[-1] = rank
                elif rank < vocab.rank[i]:  # two words folding alike: the more frequent one
                    vocab.rank[i], vocab.display[i] = rank, word
        self._n_english = n_english
        # Learned words: count every spelling, show the one typed most often.
        self._forms = forms = Counter(_WORD.findall("\n".join(texts)))
        shown: dict[int, int] = {}
        for form, n in sorted(forms.items()):
            if not _has_letter(form):
                continue
            i = vocab.slot(_key(form), form, LEARNED)
            vocab.count[i] += n
            vocab.tier[i] = min(vocab.tier[i], LEARNED)
            if n > shown.get(i, 0):
                shown[i] = n
                vocab.display[i] = form
        vocab.add_lexicon(_lexicon_terms(_clean_all(lexicon)))
        self._static = vocab.segment(n_english)
        del vocab
        # Words first seen after the build live in a small segment, rebuilt when one is added.
        self._extra: tuple[dict[str, str], dict[str, int], dict[str, int]] = ({}, {}, {})
        self._extra_seg = _empty_segment(n_english)
        self._context = _empty_segment(n_english)
        self._context_texts: tuple[str, tuple[str, ...]] = ("", ())
        self._utterances = _Utterances(texts)
        self._utterance_cache: dict[tuple[str, tuple[str, ...]], tuple[str, float] | None] = {}

    @classmethod
    def from_store(cls, store, *, english: int = 50_000) -> Suggester:
        """Everything a store knows: its lexicon and every submitted transcript."""
        return cls(lexicon=store.lexicon(), transcripts=store.submitted_texts(), english=english)

    # -- updates ------------------------------------------------------------------------
    def add_transcript(self, text: str) -> None:
        """Learn a transcript just submitted: its words and the utterance as a whole."""
        text = clean(text)
        words = words_of(text)
        with self._lock:
            self._utterances.add(text)
            self._utterance_cache.clear()
            display, tier, count = self._extra
            grew = False
            for word in words:
                self._forms[word] += 1
                key = _key(word)
                seg = self._static
                i = seg.find(key)
                if i < 0:
                    seg = self._extra_seg
                    i = seg.find(key)
                if i >= 0:
                    seg.count[i] += 1
                    if seg.tier[i] > LEARNED:
                        seg.tier[i] = LEARNED
                        seg.display[i] = word
                    elif seg.tier[i] == LEARNED and self._forms[word] > self._forms[seg.display[i]]:
                        seg.display[i] = word
                    seg.refresh(i)
                    if seg is self._static:
                        continue
                else:
                    grew = True
                count[key] = count.get(key, 0) + 1
                if key not in display or self._forms[word] > self._forms[display[key]]:
                    display[key] = word
                tier[key] = LEARNED
            if grew:
                # Copy-on-write: a fresh small segment; the big one is never rebuilt.
                self._extra_seg = _build_segment(display, tier, count, {}, self._n_english)

    def set_context(self, asr: str, alternatives: Sequence[str] = ()) -> None:
        """The clip now being transcribed: words of its ASR alternatives rank first."""
        alternatives = tuple(clean(a) for a in alternatives)
        display: dict[str, str] = {}
        count: dict[str, int] = {}
        rank: dict[str, int] = {}
        with self._lock:
            for alt in alternatives:
                for word in words_of(alt):
                    key = _key(word)
                    if key in display:
                        continue
                    display[key] = word
                    i = self._static.find(key)
                    if i >= 0:
                        count[key], rank[key] = (
                            int(self._static.count[i]),
                            int(self._static.rank[i]),
                        )
                        if self._static.tier[i] == LEXICON:  # the lexicon's spelling
                            display[key] = self._static.display[i]
            tier = dict.fromkeys(display, ALTERNATIVE)
            self._context = _build_segment(display, tier, count, rank, self._n_english)
            self._context_texts = (clean(asr), alternatives)

    def context_utterance(self) -> str | None:
        """`utterance` for the clip given to `set_context` (its guess and alternatives)."""
        with self._lock:
            asr, alternatives = self._context_texts
        return self.utterance(asr, alternatives)

    # -- queries ------------------------------------------------------------------------
    def suggest(self, fragment: str, limit: int = 5) -> list[Suggestion]:
        """Up to `limit` words completing (or correcting) the fragment, best first."""
        frag = fold(" ".join(clean(fragment).split()))
        n = len(frag)
        if limit <= 0 or n < MIN_FRAGMENT or n > MAX_FRAGMENT:
            return []
        with self._lock:
            segments = (self._context, self._static, self._extra_seg)
            found: dict[str, tuple[int, float, str, int]] = {}  # key -> (class, score, text, tier)
            want = limit + len(self._context.keys)  # context words may repeat static ones
            for seg in segments:
                _, where, scores = seg.prefix(frag, want)
                self._collect(found, seg, 0, where, scores)
            if len(found) < limit and n >= 4:
                max_dist = 1 if n < 7 else 2
                for seg in segments:
                    if seg.keys:
                        where, scores = seg.fuzzy(frag, max_dist)
                        self._collect(found, seg, 1, where, scores)
        ranked = sorted(found.values(), key=lambda v: (v[0], -v[1], v[2]))
        return [
            Suggestion(text, SOURCES[tier], round(score, 3))
            for _, score, text, tier in ranked[:limit]
        ]

    @staticmethod
    def _collect(
        found: dict, seg: _Segment, cls: int, where: np.ndarray, scores: np.ndarray
    ) -> None:
        if len(where) == 0:
            return
        if len(where) > 64:  # keep the best few; a later segment may still outrank them
            top = np.argpartition(-scores, 63)[:64]
            where, scores = where[top], scores[top]
        for i, s in zip(where.tolist(), scores.tolist(), strict=True):
            key = seg.keys[i]
            have = found.get(key)
            cand = (cls, s, seg.display[i], int(seg.tier[i]))
            if have is None or (cand[0], -cand[1], cand[3]) < (have[0], -have[1], have[3]):
                found[key] = cand

    def utterance(self, asr: str, alternatives: Sequence[str] = ()) -> str | None:
        """A submitted transcript that closely matches the guess (or one of its alternatives).

        Compared on normalised words (case, punctuation and spacing ignored) with
        rapidfuzz's ratio, which tolerates the split and merged words typical of ASR
        errors; only transcripts actually submitted ever come back. Answers are cached
        until the next `add_transcript`, so asking again on every keystroke costs nothing.
        """
        match = self.utterance_match(asr, alternatives)
        return match[0] if match else None

    def utterance_match(
        self, asr: str, alternatives: Sequence[str] = ()
    ) -> tuple[str, float] | None:
        """(transcript, similarity 0..100) of the best match at or above the threshold."""
        query = (asr, tuple(alternatives))
        with self._lock:
            if query in self._utterance_cache:
                return self._utterance_cache[query]
            best: tuple[str, float] | None = None
            for text in (asr, *alternatives):
                norm = normalize_utterance(text)
                if not norm:
                    continue
                hit = self._utterances.best(norm, self.utterance_threshold)
                if hit and (best is None or hit[1] > best[1]):
                    best = hit
            if len(self._utterance_cache) >= 256:
                self._utterance_cache.clear()
            self._utterance_cache[query] = best
            return best

    def __len__(self) -> int:
        """How many distinct words can be suggested (context excluded)."""
        return len(self._static.keys) + len(self._extra_seg.keys)


def _has_letter(word: str) -> bool:
    return word.isalpha() or _HAS_LETTER.search(word) is not None


def _lexicon_terms(terms: list[str]) -> list[str]:
    """Each term whole, and each word of a multi-word term on its own."""
    if "".join(terms).isalpha() and "" not in terms:  # single plain words: nothing to do
        return terms
    return list(_split_terms(terms))


def _split_terms(terms: list[str]) -> Iterable[str]:
    for term in terms:
        if term.isalpha():
            yield term
            continue
        term = " ".join(term.split())
        if not term or not _has_letter(term):
            continue
        yield term
        if " " in term:
            yield from (w for w in _WORD.findall(term) if _has_letter(w))
