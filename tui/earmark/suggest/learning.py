"""Which learned words may be offered, and the word index they come from.

A transcript can hold one caller's private words (a rare surname, a street), so a word
learned from submitted transcripts is offered to annotators only once it has appeared in
`MIN_CLIPS` distinct clips, or when the lexicon or the English list has it anyway. Words
marked for redaction never reach the suggester at all: the caller passes them with the
transcript and they are dropped before anything is counted.

The word index lives in the database (`WordStore`), maintained on every submit, so an
annotator's start-up reads a bounded slice of it (the most used offerable words, the most
recent utterances) instead of every transcript ever submitted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from earmark.suggest.text import fold, key, words_of

MIN_CLIPS = 3
PENDING_CAP = 200_000  # in-session counters for words still below the threshold


@runtime_checkable
class WordStore(Protocol):
    """What the suggester reads from, and writes to, a store with a word index."""

    def learn_words(
        self, clip_id: int, words: Sequence[tuple[str, str]], guess: str | None = None
    ) -> None: ...

    def offerable_words(self, min_clips: int, limit: int) -> list[tuple[str, int, int]]: ...

    def recent_corrections(self, limit: int) -> list[tuple[str, str]]: ...

    def lexicon(self) -> list[str]: ...

    def word_index_ready(self) -> bool: ...

    def unindexed_transcripts(self, after: int, limit: int) -> list[tuple[int, str, str]]: ...

    def learn_words_many(
        self, items: Sequence[tuple[int, Sequence[tuple[str, str]], str | None]]
    ) -> None: ...

    def mark_word_index_ready(self) -> None: ...


def redaction_keys(redacted: Iterable[str]) -> set[str]:
    """The folded words of every marked span (a mark may cover several words)."""
    out: set[str] = set()
    for span in redacted:
        out.update(fold(w) for w in words_of(span))
    return out


def learnable_words(text: str, redacted: Iterable[str] = ()) -> list[str]:
    """The words of a submitted transcript that may be learned: marked words left out."""
    banned = redaction_keys(redacted)
    return [w for w in words_of(text) if key(w) not in banned]


class Pending:
    """Distinct clips per word for words not yet offerable, learned during this session."""

    def __init__(self, min_clips: int = MIN_CLIPS) -> None:
        self.min_clips = min_clips
        self._clips: dict[str, set[int | str]] = {}
        self._anonymous = 0

    def add(self, keys: Iterable[str], clip: int | None) -> list[str]:
        """Count one clip for each key; returns the keys that just reached the threshold."""
        if clip is None:  # every transcript without an id is a clip of its own
            self._anonymous += 1
        tag: int | str = clip if clip is not None else f"anon-{self._anonymous}"
        ready: list[str] = []
        if len(self._clips) > PENDING_CAP:
            self._clips.clear()
        for k in set(keys):
            seen = self._clips.setdefault(k, set())
            if tag in seen:
                continue
            seen.add(tag)
            if len(seen) >= self.min_clips:
                ready.append(k)
                del self._clips[k]
        return ready


def offerable_counts(texts: list[str], known: set[str], pending: Pending) -> list[tuple[str, int]]:
    """(spelling, uses) of transcript words that are offerable; the rest wait in pending."""
    forms: Counter[str] = Counter()
    clips: Counter[str] = Counter()
    for text in texts:
        found = words_of(text)
        forms.update(found)
        clips.update({key(w) for w in found})
    out: list[tuple[str, int]] = []
    for form, n in forms.items():
        k = key(form)
        if k in known or clips[k] >= pending.min_clips:
            out.append((form, n))
    for k, c in clips.items():
        if k not in known and c < pending.min_clips:
            for _ in range(c):
                pending.add([k], None)
    return out


def record_submit(
    store: WordStore,
    clip_id: int,
    text: str,
    guess: str | None = None,
    redacted: Iterable[str] = (),
) -> None:
    """Put a submitted transcript's words into the store's word index (marked words left
    out; a clip with marks never feeds the utterance memory). Idempotent per clip, so the
    session and the suggester may both call it for the same submit."""
    marks = [m for m in redacted if m and m.strip()]
    words = [(key(w), w) for w in learnable_words(text, marks)]
    store.learn_words(clip_id, words, None if marks else guess)


def fill_word_index(store: WordStore, chunk: int = 5000) -> int:
    """Put the transcripts submitted before the store had a word index into it, once."""
    if store.word_index_ready():
        return 0
    after, done = 0, 0
    while rows := store.unindexed_transcripts(after, chunk):
        store.learn_words_many(
            [
                (clip_id, [(key(w), w) for w in learnable_words(text)], guess)
                for clip_id, text, guess in rows
            ]
        )
        after, done = rows[-1][0], done + len(rows)
    store.mark_word_index_ready()
    return done
