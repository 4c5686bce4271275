"""The suggestions part of the annotate screen: which words (and which whole utterance) to
offer for the word at the cursor, from the suggester and the recogniser's alternatives.

The suggester is built in a worker (it indexes the lexicon and every submitted transcript)
and may be missing; everything here then offers nothing rather than failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from earmark.session import word_alternatives, word_spans
from earmark.store import Clip
from earmark.suggest import Suggestion


class SuggesterLike(Protocol):
    """The part of earmark.suggest.Suggester the screen uses (tests pass a fixed stand-in)."""

    def set_context(self, asr: str, alternatives: Sequence[str] = ()) -> None: ...
    def suggest(self, fragment: str, limit: int = 5) -> list[Suggestion]: ...
    def context_utterance(self) -> str | None: ...
    def add_transcript(self, text: str) -> None: ...


@dataclass(frozen=True)
class Offer:
    words: list[str]
    utterance: str | None
    start: int  # the span of the word a suggestion replaces
    end: int


def fragment_at(value: str, cursor: int) -> tuple[str, int, int]:
    """The word being typed: (text before the cursor, word start, word end)."""
    for a, b in word_spans(value):
        if a <= cursor <= b:
            return value[a:cursor], a, b
    return "", cursor, cursor


def rank_word_suggestions(
    fragment: str, alternatives: list[str], typed: list[str], clip: Clip
) -> list[str]:
    """The five words to offer for the word under the cursor, best first.

    On a word the recogniser wrote (the cursor moved onto an unsure word), its other guesses
    for that spot come first. Once the annotator types something else, what they are typing
    leads: alternatives that start with it first, then the suggester's words, then the rest.
    """
    low = fragment.strip().lower()
    asr_words = {w.word.lower() for w in clip.words} or set(clip.asr.lower().split())
    if not low or low in asr_words:
        ordered = alternatives + typed
    else:
        leading = [a for a in alternatives if a.lower().startswith(low)]
        ordered = leading + typed + [a for a in alternatives if a not in leading]
    out: list[str] = []
    for w in ordered:
        if w not in out:
            out.append(w)
    return out[:5]


class Suggestions:
    def __init__(self) -> None:
        self.suggester: SuggesterLike | None = None
        self.status = "suggestions: loading"
        self.last_offer: Offer | None = None  # what the bar shows, which the keys take

    def ready(self, suggester: SuggesterLike | None, reason: str | None, clip: Clip | None) -> None:
        self.suggester = suggester
        self.status = reason or ""
        self.set_clip(clip)

    def set_clip(self, clip: Clip | None) -> None:
        if self.suggester is not None and clip is not None:
            self.suggester.set_context(clip.asr, clip.alternatives)

    def offer(self, clip: Clip, value: str, cursor: int) -> Offer:
        fragment, a, b = fragment_at(value, cursor)
        if self.suggester is None:
            self.last_offer = Offer([], None, a, b)
            return self.last_offer
        alternatives = word_alternatives(clip, value, cursor) if b > a else []
        typed: list[str] = []
        if fragment.strip():
            typed = [s.text for s in self.suggester.suggest(fragment, limit=5)]
        words = rank_word_suggestions(fragment, alternatives, typed, clip)
        u = self.suggester.context_utterance()
        utterance = u if u and u.strip() != value.strip() else None
        self.last_offer = Offer(words, utterance, a, b)
        return self.last_offer
