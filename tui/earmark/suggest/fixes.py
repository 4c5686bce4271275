"""What the recogniser's words became before: a word misheard once is misheard again.

A recogniser mishears a word the same way each time it is said alike (`louis` for `luis`,
`a` for `alexa` at the start of a request, `for` for `four` before a card), so every
submitted transcript teaches the words of its guess that it replaced, one for one, and
pointing at such a word again offers what it became, the most frequent first. Taught only by
transcripts without redaction marks, and offered only where the word may be offered at all.
Bounded: at most `CAPACITY` distinct guess words (the least recently taught forgotten), and
a few replacements for each.
"""

from __future__ import annotations

import difflib
from collections import Counter, OrderedDict
from collections.abc import Iterable

from earmark.suggest.following import keep_most
from earmark.suggest.text import key, words_of

CAPACITY = 50_000
KEPT = 8  # replacements kept per guess word


def replaced(guess: str, text: str) -> list[tuple[str, str]]:
    """(guess word key, what replaced it) for each word of `guess` that `text` replaced one
    for one (a run of n words by n others: each by its counterpart)."""
    g, t = words_of(guess), words_of(text)
    gk, tk = [key(w) for w in g], [key(w) for w in t]
    out: list[tuple[str, str]] = []
    m = difflib.SequenceMatcher(a=gk, b=tk, autojunk=False)
    for tag, i1, i2, j1, j2 in m.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            out += [(gk[i1 + n], t[j1 + n]) for n in range(i2 - i1) if gk[i1 + n] != tk[j1 + n]]
    return out


class Fixes:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = max(1, capacity)
        self._fixes: OrderedDict[str, Counter[str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._fixes)

    def add(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Count (guess word key, replacement) pairs of one transcript, the newest."""
        for k, word in pairs:
            found = self._fixes.get(k)
            if found is None:
                found = self._fixes[k] = Counter()
                if len(self._fixes) > self.capacity:
                    self._fixes.popitem(last=False)
            else:
                self._fixes.move_to_end(k)
            found[word] += 1
            keep_most(found, KEPT)

    def add_older(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Pairs of transcripts older than everything taught so far (newest first): counts
        add up; a guess word seen only there ranks as less recent than those held."""
        for k, word in pairs:
            found = self._fixes.get(k)
            if found is None:
                if len(self._fixes) >= self.capacity:
                    continue
                found = self._fixes[k] = Counter()
                self._fixes.move_to_end(k, last=False)
            found[word] += 1
            keep_most(found, KEPT)

    def of(self, k: str) -> list[str]:
        """What the guess word (a folded key) became, the most frequent first."""
        found = self._fixes.get(k)
        return [w for w, _ in found.most_common(KEPT)] if found else []
