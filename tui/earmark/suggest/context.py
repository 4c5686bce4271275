"""How well a word fits between the words around it: a trigram language model.

Most words an annotator fixes are short and common (`to`, `the`, `in`): before a letter is
typed nothing about their spelling tells them apart, but the words around them do. So
candidates are weighed by the probability of the word after the two words before it, and of
the word after it following them (the rest of the line is mostly right).

The model is PocketSphinx's US English trigram (the optional `align` extra, `pip install
earmark[align]`). Without it `load()` returns None and suggestions rank as before, by
spelling, source, frequency and the words seen to follow in this batch. Loading takes a
fraction of a second and ~30 MB, so it happens once per process, in the worker that builds
the suggester; a score is a microsecond, and scores are cached.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

FLOOR = -12.0  # ln p of a word the model does not know (about one in 160 000)
UNKNOWN = -12.0  # ln p of a candidate the model does not know (a lexicon name, say)
CACHE = 50_000
AFTER = 2  # words after the phrase that are scored with it
AFTER_WEIGHT = 1.0  # the words after are often still the recogniser's: they count less


class ContextModel:
    """ln p(word | two words before) + ln p(next word | word, word before), from an n-gram
    model; words the model does not know get `FLOOR`."""

    def __init__(self, model: Any, logmath: Any) -> None:
        self._lm = model
        self._logmath = logmath
        self._zero = float(logmath.get_zero())
        self._cache: dict[tuple[str, ...], float] = {}
        self._lock = threading.Lock()

    def logp(self, words: Sequence[str]) -> float:
        """ln p(words[0] | words[1:]) (history most recent first), floored."""
        q = tuple(words)
        with self._lock:
            hit = self._cache.get(q)
            if hit is not None:
                return hit
            raw = float(self._lm.prob(list(q)))
            value = FLOOR if raw <= self._zero / 2 else max(FLOOR, self._logmath.log_to_ln(raw))
            if len(self._cache) >= CACHE:
                self._cache.clear()
            self._cache[q] = value
            return value

    def fit(
        self,
        phrase: str,
        before: Sequence[str],
        after: Sequence[str],
        *,
        weight: float = AFTER_WEIGHT,
    ) -> float:
        """How well `phrase` (one or more words) fits after `before` and before `after`:
        the log probability of its words and of the `AFTER` words after it, those counted
        `weight` times. With nothing before, the phrase starts the utterance."""
        words = [w for w in phrase.lower().split() if w]
        if not words:
            return FLOOR
        history = [w.lower() for w in before[-2:]] if before else ["<s>"]
        total = 0.0
        tail = [a.lower() for a in after[:AFTER]]
        if len(tail) < AFTER:
            tail.append("</s>")  # the phrase ends the utterance
        for n, w in enumerate([*words, *tail]):
            p = self.logp([w, *reversed(history[-2:])])
            if n < len(words) and p <= FLOOR and self.logp([w]) <= FLOOR:
                p = UNKNOWN
            total += p if n < len(words) else weight * p
            history.append(w)
        return total


_loaded: ContextModel | None = None
_tried = False
_load_lock = threading.Lock()


def model_path() -> str | None:
    """Where the US English trigram model of the installed PocketSphinx is, if it is."""
    try:
        import pocketsphinx
    except ImportError:
        return None
    path = os.path.join(pocketsphinx.get_model_path(), "en-us", "en-us.lm.bin")
    return path if os.path.isfile(path) else None


def load() -> ContextModel | None:
    """The process's context model (loaded on first call), or None without PocketSphinx."""
    global _loaded, _tried
    with _load_lock:
        if _tried:
            return _loaded
        _tried = True
        path = model_path()
        if path is None:
            return None
        try:
            import pocketsphinx

            config = pocketsphinx.Config()
            config["loglevel"] = "ERROR"
            logmath = pocketsphinx.LogMath()
            _loaded = ContextModel(pocketsphinx.NGramModel(config, logmath, path), logmath)
        except (OSError, RuntimeError, ValueError, KeyError):
            _loaded = None
        return _loaded
