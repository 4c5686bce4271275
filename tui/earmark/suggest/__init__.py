"""Suggestions for the transcript editor: words for the fragment at the cursor, and whole
utterances that repeat. `Suggester` holds the index; `offer`/`apply_word`/`apply_utterance`
are the pure editor logic the annotate screen and the keystroke benchmark share.

Modules: `text` (keys, words, casing convention), `segment` (the sorted index and typo
search), `vocab` (building it), `utterances` (the bounded utterance memory), `following` (which
word follows which), `ranking` (ordering one query's candidates), `learning`
(which learned words may be offered; the word store interface), `engine` (the Suggester),
`cursor` (offer and apply), `choice` (what to ask the audio about the word pointed at).
"""

from earmark.suggest.choice import Choice
from earmark.suggest.cursor import (
    Offer,
    apply_utterance,
    apply_word,
    offer,
    typed_span,
    word_spans,
)
from earmark.suggest.engine import Suggester
from earmark.suggest.learning import (
    MIN_CLIPS,
    WordStore,
    fill_word_index,
    learnable_words,
    record_submit,
)
from earmark.suggest.ranking import Suggestion
from earmark.suggest.segment import SOURCES
from earmark.suggest.text import (
    Convention,
    fold,
    infer_convention,
    normalize_utterance,
    words_of,
)

__all__ = [
    "typed_span",
    "MIN_CLIPS",
    "SOURCES",
    "Convention",
    "Choice",
    "Offer",
    "Suggester",
    "Suggestion",
    "WordStore",
    "apply_utterance",
    "apply_word",
    "fill_word_index",
    "fold",
    "infer_convention",
    "learnable_words",
    "normalize_utterance",
    "offer",
    "record_submit",
    "word_spans",
    "words_of",
]
