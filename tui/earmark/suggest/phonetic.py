"""Words that sound like the recogniser's word: its likely true word is one of them.

A recogniser's errors are acoustic confusions (`say` for `set`, `in` for `dim`, `houses`
for `ounces`), so the word the annotator types in its place usually shares most of its
sounds and few of its letters. Pronunciations come from the dictionary PocketSphinx ships
(cmudict-style phones, the `align` extra); without it nothing sounds like anything and
suggestions rank by spelling as before.

Only words the suggester may offer are kept (the caller says which), each pronunciation
as a short string of one character per phone, so that rapidfuzz compares a word's
pronunciation with every kept one in a few milliseconds. Vowels are cheap to confuse and
consonants of one manner (stops, fricatives, nasals) nearly as cheap, so the distance is
taken on the phones, on their skeleton (vowels alike) and on their classes, and weighed.
A word's neighbours are cached, and a clip's guess words are looked up in a worker as
the clip opens: the same guess word is pointed at many times.

Neighbours are at most two phones apart: searched over the whole dictionary, a wider net
catches thousands of words. Once the annotator types a letter, though, the words that begin
with it are a few thousand at most, and all of them are weighed (`beginning`): the word
meant is often three phones from the recogniser's (`speaker` for `teacher`, `dim` for
`in`), and without that it never reached the candidates the context model weighs, the
most common words that begin with the letter taking every place. Those sound-alikes are
completions of what is typed, so they score as completions, not as typos.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from earmark.suggest.ranking import Found
from earmark.suggest.segment import PREFIX, Segment

MAX_DISTANCE = 2  # phone edits between a word and a neighbour
# What an edit costs, summed over three views of the pronunciations: the phones, the
# skeleton (every vowel alike) and the classes. A vowel for another costs PHONE, a
# consonant for one of its class PHONE + SKELETON, anything else 1.
PHONE, SKELETON, CLASS = 0.4, 0.3, 0.3
CACHE = 4096
WARM_AFTER = 0.4  # seconds a clip is open before its guess words are looked up (warm_soon)
SOUND_POOL = 200  # sound-alikes of the recogniser's word weighed, the closest first
SOUND_BASE = PREFIX - 1.5  # a sound-alike that is no spelling match ranks like half a typo
BEGUN_MIN = 0.4  # resemblance a word beginning with the typed letters needs to count

# Phone classes (ARPAbet): confusions within a class are the commonest.
_CLASSES = {
    "V": "AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW",
    "S": "B D G K P T",
    "F": "DH F HH S SH TH V Z ZH",
    "A": "CH JH",
    "N": "M N NG",
    "L": "L R W Y",
}
_CLASS_OF = {p: c for c, ps in _CLASSES.items() for p in ps.split()}


class Phonetic:
    """Pronunciations of the offerable words, and their sound-alike neighbours."""

    def __init__(self, text: str, keep: Callable[[str], bool]) -> None:
        """`text`: the dictionary (`word phone phone ...` per line, `word(2)` for another
        pronunciation); `keep`: which words may be offered, hence searched."""
        self._text = "\n" + text
        self._codes: dict[str, str] = {}
        self._words: list[str] = []
        # By length in phones: a neighbour is at most MAX_DISTANCE phones longer or shorter.
        self._by_length: dict[int, tuple[list[str], list[int]]] = {}
        for line in _lines(self._text):
            parts = line.split()
            if len(parts) < 2:
                continue
            word = parts[0].split("(", 1)[0]
            if keep(word):
                code = self._code(parts[1:])
                group = self._by_length.setdefault(len(code), ([], []))
                group[0].append(code)
                group[1].append(len(self._words))
                self._words.append(word)
        self._cache: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._lock = threading.Lock()
        # Every kept pronunciation in the order of its word, with its skeleton and classes:
        # the words that begin with what the annotator typed are one run of them.
        order = sorted(range(len(self._words)), key=self._words.__getitem__)
        codes = [""] * len(self._words)
        for kept, at in self._by_length.values():
            for one, n in zip(kept, at, strict=True):
                codes[n] = one
        skeleton, classes = self._tables()
        self._sorted = [self._words[n] for n in order]
        phones = [codes[n] for n in order]
        self._views = (phones, *([c.translate(t) for c in phones] for t in (skeleton, classes)))
        self._lengths = np.fromiter(map(len, self._views[0]), np.float32, len(order))
        self._begun: OrderedDict[tuple[str, str], dict[str, float]] = OrderedDict()
        self._said: OrderedDict[str, list[list[str]]] = OrderedDict()
        self._warming = 0  # which clip's words warm_soon is for

    def __len__(self) -> int:
        return len(self._words)

    def _code(self, phones: list[str]) -> str:
        """One character per phone (codes are handed out as phones are first met, from `a`
        on: one byte a character for the ~40 phones of English, and never `V`)."""
        codes = self._codes
        return "".join(codes.setdefault(p, chr(0x61 + len(codes))) for p in phones)

    def _tables(self) -> tuple[dict[int, str], dict[int, str]]:
        """Translations of a code to its skeleton (every vowel alike) and to its classes."""
        skeleton = {ord(c): ("V" if _CLASS_OF.get(p) == "V" else c) for p, c in self._codes.items()}
        classes = {ord(c): _CLASS_OF.get(p, "?") for p, c in self._codes.items()}
        return skeleton, classes

    def pronunciations(self, word: str) -> list[list[str]]:
        """The phones of each pronunciation of `word` (a folded key) in the dictionary (the
        last few asked are kept: finding a word in the text takes milliseconds)."""
        with self._lock:
            hit = self._said.get(word)
        if hit is not None:
            return hit
        out = self._look_up(word)
        with self._lock:
            self._said[word] = out
            if len(self._said) > CACHE:
                self._said.popitem(last=False)
        return out

    def _look_up(self, word: str) -> list[list[str]]:
        out: list[list[str]] = []
        for tail in (" ", "("):
            at = self._text.find("\n" + word + tail)
            while at >= 0:
                end = self._text.find("\n", at + 1)
                out.append(self._text[at + 1 : end if end >= 0 else None].split()[1:])
                if tail == " ":
                    break
                at = self._text.find("\n" + word + tail, at + 1)
        return out

    def neighbours(self, word: str) -> dict[str, float]:
        """word -> resemblance (0..1) of the words that sound like `word` (a folded key),
        itself excluded; empty when its pronunciation is unknown."""
        with self._lock:
            hit = self._cache.get(word)
            if hit is not None:
                self._cache.move_to_end(word)
                return hit
        out: dict[str, float] = {}
        for phones in self.pronunciations(word):
            with self._lock:
                query = self._code(phones)
                skeleton, classes = self._tables()
            q_skel, q_class = query.translate(skeleton), query.translate(classes)
            cutoff = MAX_DISTANCE if len(query) > 2 else 1
            for size in range(len(query) - cutoff, len(query) + cutoff + 1):
                codes, where = self._by_length.get(size, ([], []))
                found = process.extract(
                    query,
                    codes,
                    scorer=Levenshtein.distance,
                    processor=None,
                    score_cutoff=cutoff,
                    limit=None,
                )
                for code, dist, k in found:
                    other = self._words[where[k]]
                    if other == word:
                        continue
                    cost = (
                        PHONE * dist
                        + SKELETON * Levenshtein.distance(q_skel, code.translate(skeleton))
                        + CLASS * Levenshtein.distance(q_class, code.translate(classes))
                    )
                    sim = 1.0 - cost / max(len(query), size)
                    if sim > out.get(other, 0.0):
                        out[other] = sim
        with self._lock:
            self._cache[word] = out
            if len(self._cache) > CACHE:
                self._cache.popitem(last=False)
        return out

    def beginning(self, word: str, frag: str) -> dict[str, float]:
        """word -> resemblance (0..1) to `word` (a folded key) of the words that begin with
        `frag`, however many phones apart: once a letter is typed the field is small enough
        to weigh every word in it, and the word meant is often three phones from the
        recogniser's (`teacher` for `speaker`, `was` for `water`). Cached."""
        with self._lock:
            hit = self._begun.get((word, frag))
            if hit is not None:
                self._begun.move_to_end((word, frag))
                return hit
        lo = bisect.bisect_left(self._sorted, frag)
        hi = bisect.bisect_left(self._sorted, frag + "\U0010ffff", lo)
        out: dict[str, float] = {}
        if hi > lo:
            for phones in self.pronunciations(word):
                with self._lock:
                    query = self._code(phones)
                    skeleton, classes = self._tables()
                cost = np.zeros(hi - lo, dtype=np.float32)
                for weight, view, q in zip(
                    (PHONE, SKELETON, CLASS),
                    self._views,
                    (query, query.translate(skeleton), query.translate(classes)),
                    strict=True,
                ):
                    cost += (
                        weight
                        * process.cdist(
                            [q], view[lo:hi], scorer=Levenshtein.distance, dtype=np.int32
                        )[0]
                    )
                size = np.maximum(self._lengths[lo:hi], len(query))
                sim = 1.0 - cost / size
                keep = np.flatnonzero(sim >= BEGUN_MIN)
                for n, value in zip(keep.tolist(), sim[keep].tolist(), strict=True):
                    other = self._sorted[lo + n]
                    if other != word and value > out.get(other, 0.0):
                        out[other] = value
        with self._lock:
            self._begun[(word, frag)] = out
            if len(self._begun) > CACHE:
                self._begun.popitem(last=False)
        return out

    def warm_soon(self, words: list[str]) -> None:
        """Find the neighbours of these words ahead of time (a clip's guess words), so the
        first keystroke on each finds them cached: on a thread, once the clip has been open
        WARM_AFTER seconds, a word at a time, given up when another clip opens. The search is
        pure Python (0.1-0.3 s for a clip's guess words): started at once, it took the
        interpreter from the submit that opened the next clip. A keystroke before it is done
        finds the word's neighbours itself."""
        with self._lock:
            self._warming += 1
            ticket = self._warming

        def run() -> None:
            time.sleep(WARM_AFTER)
            for word in words:
                if self._warming != ticket:
                    return
                self.neighbours(word)
                time.sleep(0.001)  # the interpreter, back to the screen between words

        threading.Thread(target=run, name="earmark-sound-alikes", daemon=True).start()


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` one at a time (a list of them all would double the memory)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end + 1


def sound_alikes(
    phonetic: Phonetic | None,
    near_key: str,
    frag: str,
    found: Found,
    locate: Callable[[str], tuple[Segment | None, int]],
) -> dict[str, float]:
    """Put the words that sound like `near_key` and start with `frag` into `found` (scored
    like a one-typo match, plus their source and popularity, where `locate` finds them);
    returns key -> resemblance for the ranking."""
    if phonetic is None or not near_key:
        return {}
    sounds = phonetic.neighbours(near_key)
    if frag:  # every word that begins with it, however many phones apart
        sounds = {**phonetic.beginning(near_key, frag), **sounds}
    close = sorted((k for k in sounds if k.startswith(frag)), key=sounds.__getitem__)
    for k in close[-SOUND_POOL:]:
        if k not in found:
            seg, i = locate(k)
            if seg is not None:
                base = PREFIX if frag else SOUND_BASE  # a completion of what is typed
                score = base + len(frag) / max(len(k), 1) + float(seg.bonus[i])
                found[k] = (score, seg.display[i], int(seg.tier[i]))
    return sounds


def dictionary_path() -> str | None:
    """The pronouncing dictionary of the installed PocketSphinx, if there is one."""
    try:
        import pocketsphinx
    except ImportError:
        return None
    path = os.path.join(pocketsphinx.get_model_path(), "en-us", "cmudict-en-us.dict")
    return path if os.path.isfile(path) else None


def load(keep: Callable[[str], bool]) -> Phonetic | None:
    """The pronunciations of the words `keep` accepts, or None without the dictionary."""
    path = dictionary_path()
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return None
    return Phonetic(text, keep)
