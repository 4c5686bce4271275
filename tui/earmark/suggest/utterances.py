"""A bounded memory of recent utterances: whole-transcript suggestions.

Voice-assistant traffic repeats itself, and a recogniser makes the same mistake on the
same request, so when a clip's guess closely matches a transcript submitted earlier, or
the guess of a clip corrected earlier, that transcript is offered whole. Both the
transcript and the guess it corrected point at the transcript.

Memory is bounded: the most recent `capacity` entries are kept (older ones are forgotten),
so the annotator's memory and start-up do not grow with the project. Comparing a guess
with tens of thousands of entries one by one takes tens of milliseconds, so only plausible
ones are handed to rapidfuzz: those that begin with the same two words, or end with the
same two words, or have the same first and last word (a close match differs in a word or
two, so it almost always keeps one of those); short guesses (one or two words) are
compared with every entry of a length that can still reach the threshold.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable

from rapidfuzz import fuzz, process

from earmark.suggest.text import normalize_utterance

CAPACITY = 50_000


def _signature(norm: str) -> tuple[str, str, str]:
    """The first two words, the last two, and the first and last word."""
    words = norm.split(" ")
    if len(words) < 3:
        return norm, norm, norm
    return " ".join(words[:2]), " ".join(words[-2:]), f"{words[0]} {words[-1]}"


class Utterances:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = max(1, capacity)
        # normalised text -> the transcript it stands for (most recent last)
        self._items: OrderedDict[str, str] = OrderedDict()
        self._by_sig: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def add(self, text: str, guess: str = "") -> None:
        """Remember a submitted transcript, and the guess it corrected."""
        for source in (text, guess):
            norm = normalize_utterance(source)
            if norm:
                self._put(norm, text)

    def add_older(self, entries: Iterable[tuple[str, str]]) -> None:
        """(normalised text, transcript) entries older than everything held, newest first:
        the memory `add` would hold had they come first, in time order, built in one pass
        (start-up loads its corrections this way, in slices; see `loading`)."""
        fresh: dict[str, str] = {}
        room = self.capacity - len(self._items)
        for norm, text in entries:
            if len(fresh) >= room:
                break
            if norm and norm not in self._items and norm not in fresh:
                fresh[norm] = text
        for norm, text in fresh.items():  # each in front of the newer: O(1), no rebuild
            self._items[norm] = text
            self._items.move_to_end(norm, last=False)
        for norm in fresh:
            for sig in set(_signature(norm)):
                self._by_sig.setdefault(sig, set()).add(norm)

    def _put(self, norm: str, text: str) -> None:
        if norm in self._items:
            self._items.move_to_end(norm)
            self._items[norm] = text
            return
        self._items[norm] = text
        for sig in set(_signature(norm)):
            self._by_sig.setdefault(sig, set()).add(norm)
        while len(self._items) > self.capacity:
            self._drop(next(iter(self._items)))

    def _drop(self, norm: str) -> None:
        self._items.pop(norm, None)
        for sig in set(_signature(norm)):
            group = self._by_sig.get(sig)
            if group is not None:
                group.discard(norm)
                if not group:
                    del self._by_sig[sig]

    def best(self, norm: str, cutoff: float) -> tuple[str, float] | None:
        """(transcript, similarity 0..100) of the closest entry at or above `cutoff`."""
        exact = self._items.get(norm)
        if exact is not None:
            return exact, 100.0
        if not self._items:
            return None
        if norm.count(" ") >= 2:
            choices: set[str] = set()
            for sig in set(_signature(norm)):
                choices |= self._by_sig.get(sig, set())
            pool = list(choices)
        else:
            c = min(max(cutoff, 1.0), 100.0)
            lo, hi = len(norm) * c / (200.0 - c), len(norm) * (200.0 - c) / c
            pool = [n for n in self._items if lo <= len(n) <= hi]
        hit = process.extractOne(norm, pool, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff)
        if hit is None:
            return None
        return self._items[hit[0]], float(hit[1])

    def best_of(
        self, texts: Iterable[str], cutoff: float, keep: Callable[[str], bool]
    ) -> tuple[str, float] | None:
        """`best` over several versions of one clip (its guess, its alternatives): the
        closest match that `keep` accepts (one whose every word may be offered)."""
        found: tuple[str, float] | None = None
        for text in texts:
            norm = normalize_utterance(text)
            hit = self.best(norm, cutoff) if norm else None
            if hit and keep(hit[0]) and (found is None or hit[1] > found[1]):
                found = hit
        return found
