"""What to ask the audio about the word pointed at, and what its answer does to the slots.

The suggester ranks candidates by their letters, the words around and the recogniser's word
there; only the clip can say which was said. `offer` names the question (`Choice`): the
words before, the best `CHOICES` candidates, the recogniser's words after. The annotator's
second-listen process answers it (earmark.align.choose decodes the clip against exactly that
text) after the keys, the keystroke benchmark at once; the candidate chosen then leads the
suggester's words. The fixes of the recogniser's word, its alternatives and its own word
keep their places before them: they are this clip's and this batch's evidence, the choice
one decode's. Asked with a letter typed and with nothing typed (pointing at a word) alike;
not between words, where nothing is being replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from earmark.suggest.text import fold

CHOICES = 40  # the best candidates the audio may choose among (20 and 40 tied on the
# development sets; 5 chose among too few to find the word)


@dataclass(frozen=True)
class Choice:
    """Which of `candidates` was said between the words `before` and `after`."""

    before: tuple[str, ...]
    candidates: tuple[str, ...]
    after: tuple[str, ...]


def audio_first(
    order: list[str],
    before: list[str],
    after: list[str],
    current: str,
    chosen: Callable[[Choice], str | None] | None,
) -> tuple[list[str], Choice | None]:
    """The suggester's words in `order`, with the one the audio chose among the first
    `CHOICES` of them put first (`chosen`: its answer, None when not known); and the
    question, for the caller to ask."""
    cands = [w for w in dict.fromkeys(order) if fold(w) != fold(current)][:CHOICES]
    if not cands:
        return order, None
    choice = Choice(tuple(before), tuple(cands), tuple(after))
    won = chosen(choice) if chosen is not None else None
    if won is None or won not in cands:
        return order, choice
    return [won, *(w for w in order if w != won)], choice
