"""The suggestions part of the annotate screen: which words (and which whole utterance) to
offer for the word at the cursor, from the suggester and the recogniser's alternatives.

What is offered and what taking it does are earmark.suggest's `offer`/`apply_word`/
`apply_utterance`, shared with the keystroke benchmark. The suggester is built in a worker
(it indexes the lexicon and every submitted transcript) and may be missing; everything here
then offers nothing rather than failing. `rank_word_suggestions` is the earlier ranking rule,
kept for the tests that state it.
"""

from __future__ import annotations

from dataclasses import dataclass

from earmark.store import Clip
from earmark.suggest import Offer, Suggester, apply_utterance, apply_word, offer


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


@dataclass(frozen=True)
class Learned:
    """A submitted transcript for the suggester to learn, with the guess it corrected."""

    text: str
    guess: str
    clip_id: int


class Suggestions:
    def __init__(self) -> None:
        self.suggester: Suggester | None = None
        self.status = "suggestions: loading"
        self.last_offer: Offer | None = None  # what the bar shows, which the keys take

    def ready(self, suggester: Suggester | None, reason: str | None, clip: Clip | None) -> None:
        self.suggester = suggester
        self.status = reason or ""
        self.set_clip(clip)

    def set_clip(self, clip: Clip | None) -> None:
        if self.suggester is not None and clip is not None:
            self.suggester.set_context(clip.asr, clip.alternatives)

    def offer(self, value: str, cursor: int) -> Offer | None:
        """The words and utterance for the cursor (earmark.suggest.offer: the same logic the
        keystroke benchmark measures); None without a suggester."""
        self.last_offer = offer(self.suggester, value, cursor) if self.suggester else None
        return self.last_offer

    def word(self, value: str, n: int) -> tuple[str, int] | None:
        """(text, cursor) after taking slot n of what the bar shows."""
        return apply_word(value, self.last_offer, n) if self.last_offer else None

    def utterance(self) -> tuple[str, int] | None:
        return apply_utterance(self.last_offer) if self.last_offer else None


def learn(suggester: Suggester, item: Learned) -> None:
    """Runs in a worker: the words help on the very next clip, the correction of this guess
    comes back as the whole-utterance suggestion when the same guess does."""
    suggester.add_transcript(item.text, clip=item.clip_id, guess=item.guess)
