"""Word and whole-utterance suggestions for the transcript editor.

The editor asks for suggestions on every keystroke, so `Suggester.suggest` has to answer in
a few milliseconds over several hundred thousand words (a large batch lexicon, every word of
every submitted transcript, a general English list). Scoring every word with rapidfuzz on
each keystroke takes a hundred times too long, so the words are indexed once:

* one sorted list of folded keys (case- and accent-insensitive), so the words that start
  with the fragment are a contiguous range found by bisection, and scored in one numpy
  operation however many there are;
* per (first character, length) buckets of whole words, and the same sorted list cut at the
  fragment's length, which are the small candidate sets handed to rapidfuzz for typos.

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

Thread safety: the index may be built in a worker thread (the constructor does all the
work); afterwards one lock makes `suggest`, `utterance`, `add_transcript` and `set_context`
safe to call from different threads.
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

from tui.textsafe import clean

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

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_TOP = "\U0010ffff"


@dataclass(frozen=True)
class Suggestion:
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
    find = _WORD.findall
    out = [" ".join(find(line)) for line in joined.lower().split("\n")]
    if len(out) != len(texts):  # a newline inside a text: not cleaned after all
        return [normalize_utterance(t) for t in texts]
    if not joined.isascii():
        out = [o if t.isascii() else normalize_utterance(t) for t, o in zip(texts, out, strict=True)]
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

    The key list and buckets never change after construction; tier, counts and display
    forms may be updated in place (under the Suggester's lock) as annotators submit text.
    """

    def __init__(
        self, keys: Sequence[str], display: list[str], tier: np.ndarray, count: np.ndarray,
        rank: np.ndarray, n_english: int, length: np.ndarray | None = None,
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
        self.buckets = self._whole_word_buckets()

    def _whole_word_buckets(self) -> dict[tuple[str, int], tuple[tuple[str, ...], np.ndarray]]:
        """(first character, length) -> (keys, their indices): small sets for whole-word typos.

        Keys are sorted, so each first character is one contiguous run, found by bisection.
        """
        keys, buckets = self.keys, {}
        lo = 0
        while lo < len(keys):
            first = keys[lo][0]
            hi = bisect.bisect_left(keys, chr(ord(first) + 1), lo) if first != _TOP else len(keys)
            lengths = np.minimum(self.length[lo:hi], 255)
            order = np.argsort(lengths, kind="stable")
            cuts = np.flatnonzero(np.diff(lengths[order])) + 1
            for part in np.split(order + lo, cuts):
                buckets[(first, int(self.length[part[0]]))] = (_take(keys, part), part)
            lo = hi
        return buckets

    def find(self, key: str) -> int:
        i = bisect.bisect_left(self.keys, key)
        return i if i < len(self.keys) and self.keys[i] == key else -1

    def refresh(self, i: int) -> None:
        self.bonus[i] = _TIER_BONUS[self.tier[i]] + _popularity(
            self.count[i : i + 1], self.rank[i : i + 1], self.n_english
        )[0]

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
        """(indices, scores) of words within max_dist edits of frag, or of a prefix of them."""
        n = len(frag)
        idx: list[int] = []
        qual: list[float] = []
        # Whole words of about the same length and the same first character.
        for length in range(max(1, n - max_dist), n + max_dist + 1):
            bucket = self.buckets.get((frag[0], length))
            if bucket is None:
                continue
            keys, where = bucket
            for _, dist, j in process.extract(
                frag, keys, scorer=Levenshtein.distance, processor=None,
                score_cutoff=max_dist, limit=None,
            ):
                idx.append(int(where[j]))
                qual.append(_fuzzy_quality(dist, n) + _WHOLE_WORD_BONUS)
        # Longer words whose beginning is a typo away from the fragment: compare the
        # fragment with each word cut to about its length, among words sharing the first
        # characters (two, or three for longer fragments, to keep the candidate set small).
        p = 2 if n <= 4 else 3
        lo = bisect.bisect_left(self.keys, frag[:p])
        hi = bisect.bisect_left(self.keys, frag[:p] + _TOP, lo)
        if hi > lo:
            span = self.keys[lo:hi]
            cut_lengths = (n,) if hi - lo > 3000 else (n - 1, n, n + 1)
            for cut in cut_lengths:
                cuts = [k[:cut] for k in span]
                for _, dist, j in process.extract(
                    frag, cuts, scorer=Levenshtein.distance, processor=None,
                    score_cutoff=max_dist, limit=None,
                ):
                    idx.append(lo + j)
                    qual.append(_fuzzy_quality(dist, n))
        if not idx:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        where = np.asarray(idx, dtype=np.int64)
        return where, np.asarray(qual, dtype=np.float32) + self.bonus[where]


def _fuzzy_quality(dist: int, n: int) -> float:
    return 80.0 * (1.0 - dist / (n + 1))


def _build_segment(
    display: dict[str, str], tier: dict[str, int], count: dict[str, int],
    rank: dict[str, int], n_english: int,
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
            keys, display, np.array(self.tier, dtype=np.int8)[perm],
            np.array(self.count, dtype=np.int32)[perm], np.array(self.rank, dtype=np.int32)[perm],
            n_english, length,
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

    Sorted by length: rapidfuzz's ratio can only reach the threshold for strings of similar
    length, so only a window of the list is handed to it.
    """

    def __init__(self, texts: list[str]) -> None:
        self.by_norm: dict[str, list] = {}  # norm -> [spelling, its count, total count]
        counts = Counter(texts)
        distinct = list(counts)
        by_norm = self.by_norm
        for text, norm in zip(distinct, _normalize_many(distinct), strict=True):
            slot = by_norm.get(norm)
            if slot is None:
                if norm:
                    n = counts[text]
                    by_norm[norm] = [text, n, n]
            else:
                self._count(text, counts[text], norm)
        # By length (for the window), most often submitted first within a length (ties).
        self.norms = sorted(by_norm, key=lambda k: (len(k), -by_norm[k][2]))
        self.lengths = [len(x) for x in self.norms]

    def _count(self, text: str, n: int, norm: str | None = None) -> str | None:
        """Count a spelling; returns its normalised form when that is new."""
        if norm is None:
            norm = normalize_utterance(text)
        if not norm:
            return None
        slot = self.by_norm.get(norm)
        if slot is None:
            self.by_norm[norm] = [text, n, n]
            return norm
        slot[2] += n
        if text == slot[0]:
            slot[1] += n
        elif n > slot[1]:  # show the spelling annotators used most (approximately)
            slot[0], slot[1] = text, n
        return None

    def add(self, text: str) -> None:
        norm = self._count(text, 1)
        if norm is not None:
            i = bisect.bisect_right(self.lengths, len(norm))
            self.lengths.insert(i, len(norm))
            self.norms.insert(i, norm)

    def best(self, norm: str, cutoff: float) -> tuple[str, float] | None:
        slot = self.by_norm.get(norm)
        if slot is not None:
            return slot[0], 100.0
        la = len(norm)
        c = max(cutoff, 1.0)
        lo = bisect.bisect_left(self.lengths, math.floor(la * c / (200.0 - c)))
        hi = bisect.bisect_right(self.lengths, math.ceil(la * (200.0 - c) / c))
        if hi <= lo:
            return None
        # extractOne raises its cutoff as it finds better matches, which prunes the rest.
        hit = process.extractOne(
            norm, self.norms[lo:hi], scorer=fuzz.ratio, processor=None, score_cutoff=cutoff
        )
        if hit is None:
            return None
        choice, score, _ = hit
        return self.by_norm[choice][0], float(score)


class Suggester:
    """Suggestions for the word being typed, and a whole transcript when one repeats.

    Construct it in a worker thread for large stores (`from_store`): building the index for
    300,000 words takes about a second.
    """

    def __init__(
        self, *, lexicon: Iterable[str] = (), transcripts: Iterable[str] = (),
        english: int = 50_000, utterance_threshold: float = UTTERANCE_THRESHOLD,
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
            for rank, word in enumerate(words):
                key = _key(word)
                if key not in vocab.index:  # two words folding alike: the more frequent stays
                    vocab.slot(key, word, ENGLISH)
                    vocab.rank[-1] = rank
        self._n_english = n_english
        # Learned words: count every spelling, show the one typed most often.
        self._forms = forms = Counter(_WORD.findall("\n".join(texts)))
        shown: dict[int, int] = {}
        for form, n in forms.items():
            if not _has_letter(form):
                continue
            i = vocab.slot(_key(form), form, LEARNED)
            vocab.count[i] += n
            vocab.tier[i] = min(vocab.tier[i], LEARNED)
            if n > shown.get(i, 0):
                shown[i] = n
                vocab.display[i] = form
        index, slot, display, tiers = vocab.index, vocab.slot, vocab.display, vocab.tier
        for term in _lexicon_terms(_clean_all(lexicon)):
            key = term if term.isascii() and term.islower() else _key(term)
            i = index.get(key)
            if i is None:
                slot(key, term, LEXICON)
            elif tiers[i] != LEXICON:
                display[i] = term
                tiers[i] = LEXICON
        self._static = vocab.segment(n_english)
        del vocab
        # Words first seen after the build live in a small segment, rebuilt when one is added.
        self._extra: tuple[dict[str, str], dict[str, int], dict[str, int]] = ({}, {}, {})
        self._extra_seg = _empty_segment(n_english)
        self._context = _empty_segment(n_english)
        self._context_texts: tuple[str, tuple[str, ...]] = ("", ())
        self._utterances = _Utterances(texts)

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
                        count[key], rank[key] = int(self._static.count[i]), int(self._static.rank[i])
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
    def _collect(found: dict, seg: _Segment, cls: int, where: np.ndarray, scores: np.ndarray) -> None:
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
        errors; only transcripts actually submitted ever come back.
        """
        match = self.utterance_match(asr, alternatives)
        return match[0] if match else None

    def utterance_match(
        self, asr: str, alternatives: Sequence[str] = ()
    ) -> tuple[str, float] | None:
        """(transcript, similarity 0..100) of the best match at or above the threshold."""
        best: tuple[str, float] | None = None
        for text in (asr, *alternatives):
            norm = normalize_utterance(text)
            if not norm:
                continue
            with self._lock:
                hit = self._utterances.best(norm, self.utterance_threshold)
            if hit and (best is None or hit[1] > best[1]):
                best = hit
        return best

    def __len__(self) -> int:
        """How many distinct words can be suggested (context excluded)."""
        return len(self._static.keys) + len(self._extra_seg.keys)


def _has_letter(word: str) -> bool:
    return word.isalpha() or _HAS_LETTER.search(word) is not None


def _lexicon_terms(terms: list[str]) -> Iterable[str]:
    """Each term whole, and each word of a multi-word term on its own."""
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
