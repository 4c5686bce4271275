"""The suggestions part of the annotate screen: which words (and which whole utterance) to
offer for the word at the cursor, from the suggester and the recogniser's alternatives.

What is offered and what taking it does are earmark.suggest's `offer`/`apply_word`/
`apply_utterance`, shared with the keystroke benchmark. The suggester is built in a worker
(it indexes the lexicon and every submitted transcript) and may be missing; everything here
then offers nothing rather than failing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from earmark.redaction import Mark
from earmark.store import Clip
from earmark.suggest import Choice, Offer, Suggester, apply_utterance, apply_word, offer
from earmark.suggest.heard import Heard


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
        # the open clip's second listen (clip id, guess, hypotheses): it may come in before
        # the suggester is built, which is then told as it starts
        self._heard: tuple[int, Heard] | None = None
        # what the audio chose among the candidates (`Choice`), for the open clip only
        self._chosen: tuple[int, dict[Choice, str | None]] = (0, {})

    def ready(self, suggester: Suggester | None, reason: str | None, clip: Clip | None) -> None:
        self.suggester = suggester
        self.status = reason or ""
        self.set_clip(clip)

    def set_clip(self, clip: Clip | None) -> None:
        if self._heard is not None and (clip is None or clip.id != self._heard[0]):
            self._heard = None
        if clip is None or clip.id != self._chosen[0]:
            self._chosen = (clip.id if clip is not None else 0, {})
        if self.suggester is not None and clip is not None:
            self.suggester.set_context(clip.asr, clip.alternatives)
            if self._heard is not None:
                self.suggester.set_heard(self._heard[1])

    def hear(self, clip_id: int, heard: Heard) -> bool:
        """The second listen to the open clip `clip_id`: True when the suggester took it."""
        self._heard = (clip_id, heard)
        return self.suggester is not None and self.suggester.set_heard(heard)

    def knows(self, clip_id: int, choice: Choice) -> bool:
        """Whether the audio has answered `choice` for the open clip `clip_id`."""
        return self._chosen[0] == clip_id and choice in self._chosen[1]

    def chose(self, clip_id: int, choice: Choice, won: str | None) -> bool:
        """The audio's answer to `choice` (None: it chose nothing); True when it is for the
        open clip and puts a word first that was not (the bar is then drawn again)."""
        if clip_id != self._chosen[0]:
            return False
        answers = self._chosen[1]
        if len(answers) >= 256:  # one clip's edits: bounded all the same
            answers.clear()
        answers[choice] = won
        return won is not None and (self.last_offer is None or self.last_offer.choice == choice)

    def offer(self, value: str, cursor: int, typed: tuple[int, int] | None) -> Offer | None:
        """The words and utterance for the cursor (earmark.suggest.offer: the same logic the
        keystroke benchmark measures); None without a suggester. `typed`: where the cursor can
        be after the editor's last change, when that change was letters typed (the editor's
        `typed`, kept change by change: keys typed faster than offers are made still count)."""
        # the same offer however often it is asked (the cursor may move after the text)
        at = typed is not None and typed[0] <= cursor <= typed[1]
        self.last_offer = (
            offer(self.suggester, value, cursor, typed=at, chosen=self._chosen[1].get)
            if self.suggester
            else None
        )
        return self.last_offer

    def word(self, value: str, n: int) -> tuple[str, int] | None:
        """(text, cursor) after taking slot n of what the bar shows."""
        return apply_word(value, self.last_offer, n) if self.last_offer else None

    def utterance(self) -> tuple[str, int] | None:
        return apply_utterance(self.last_offer) if self.last_offer else None


def learn(
    suggester: Suggester,
    item: Learned,
    marks_of: Callable[[int], Iterable[Mark]] | None = None,
) -> None:
    """Runs in a worker: the words help on the very next clip, the correction of this guess
    comes back as the whole-utterance suggestion when the same guess does.

    `marks_of(clip_id)` gives the words a critical flag of the clip marks for redaction (the
    store's `redaction_marks_for_clip`); they are never learned, and a clip with marks never
    feeds the utterance memory. When the marks cannot be read the error propagates and
    nothing is learned: a private word must not slip in because a lookup failed.
    """
    redacted = [m.word for m in marks_of(item.clip_id)] if marks_of is not None else []
    suggester.add_transcript(item.text, clip=item.clip_id, guess=item.guess, redacted=redacted)
