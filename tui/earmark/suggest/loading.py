"""Start-up loading of the suggester's bounded memory of recent corrections.

A project deep in its work has 50,000 recent corrections to remember (`utterances.CAPACITY`),
and learning them all costs about a second of CPU that the annotator's first clip would
otherwise wait on (the screen and the loader share one interpreter), and reading them from a
cold 2 GB file takes seconds more. So the suggester reads and learns the most recent
FIRST_CORRECTIONS at once, and reads and learns the older ones afterwards, in slices, on a
thread of its own (`Suggester.learn_older`), behind what it already knows: the memory ends
the same as learning them all in time order (give or take a transcript submitted in the
instant between the two reads, whose word pairs then count twice), the newest being what
matter most.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from earmark.suggest.context import load
from earmark.suggest.fixes import Fixes, replaced
from earmark.suggest.following import Following, count_pairs
from earmark.suggest.learning import MIN_CLIPS, WordStore, fill_word_index
from earmark.suggest.text import has_letter, key, normalize_utterance, words_of
from earmark.suggest.utterances import CAPACITY, Utterances
from earmark.textsafe import clean

FIRST_CORRECTIONS = 5_000  # learned before suggestions are ready (about 0.1 s)
OLDER_STEP = 100  # the rest, this many per hold of the suggester's lock (~2 ms)
# Between two slices the loading thread sleeps, for the screen's and the submit's threads:
# each of their database calls gives up the interpreter and must win it back from a busy
# thread (up to 5 ms a time), so a loader that never rested added ~100 ms to each of the
# first submits at clip 900k of a 1M-clip project (tests/bench/bench_scale.py).
OLDER_REST = 0.01


@contextlib.contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """Python's cycle collector held off while the memory is built, and with `freeze` the
    long-lived result moved out of its reach afterwards. Otherwise each of its full passes
    walks every object of the memory (0.1-0.3 s, holding the interpreter) several times in
    the first seconds, which the screen's thread feels as slow first submits."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


def keys_of(text: str, norm: str) -> list[str]:
    """`key` of each of `words_of(text)`, for a cleaned text and its `normalize_utterance`."""
    if text.isascii():  # then the normalised text is those keys (and any number) in order
        return [w for w in norm.split(" ") if has_letter(w)] if norm else []
    return [key(w) for w in words_of(text)]


def newest_first(corrections: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(guess, transcript) pairs in time order -> cleaned (transcript, guess), newest first."""
    pairs = [(clean(text), clean(guess)) for guess, text in corrections]
    pairs.reverse()
    return pairs


@dataclass
class Older:
    """A slice of older corrections made ready to learn: the costly part, done outside the
    suggester's lock (`prepare`), so that holding it (`remember`) takes a few milliseconds."""

    entries: list[tuple[str, str]]  # (normalised text, transcript), newest first
    pairs: dict[str, dict[str, int]]  # following.count_pairs of the transcripts
    replaced: list[tuple[str, str]]  # fixes.replaced of each (guess, transcript), newest first

    def remember(self, utterances: Utterances, following: Following, fixes: Fixes) -> None:
        utterances.add_older(self.entries)
        following.add_older(self.pairs)
        fixes.add_older(self.replaced)


def prepare(pairs: list[tuple[str, str]]) -> Older:
    """(transcript, guess) pairs older than everything remembered, newest first."""
    guesses: dict[str, str] = {}  # recognisers repeat their guesses: normalise each once
    entries: list[tuple[str, str]] = []
    keys: list[list[str]] = []
    fixed: list[tuple[str, str]] = []
    for text, guess in pairs:
        fixed += replaced(guess, text)
        norm = normalize_utterance(text)
        said = guesses.get(guess)
        if said is None:
            said = guesses[guess] = normalize_utterance(guess)
        entries += ((said, text), (norm, text))  # `add` puts the guess last: the newer
        keys.append(keys_of(text, norm))
    return Older(entries, count_pairs(keys), fixed)


def learn_in_slices(
    read: Callable[[], Sequence[tuple[str, str]]], remember: Callable[[Older], None]
) -> threading.Thread:
    """Read older (guess, transcript) pairs and prepare them a slice at a time on a thread of
    its own, handing each slice to `remember` (which takes the suggester's lock for ~10 ms)."""

    def run() -> None:
        pairs = newest_first(read())
        with collector_paused(freeze=bool(pairs)):
            for at in range(0, len(pairs), OLDER_STEP):
                remember(prepare(pairs[at : at + OLDER_STEP]))
                time.sleep(OLDER_REST)

    thread = threading.Thread(target=run, name="suggest-older", daemon=True)
    thread.start()
    return thread


def from_store(cls: Any, store: object, *, english: int, word_limit: int) -> Any:
    """A `cls` (the Suggester) from a bounded slice of what a store knows: its lexicon,
    offerable words, recent corrections (the newest FIRST_CORRECTIONS now, the rest in
    slices), and the context model and pronunciations when PocketSphinx is installed."""
    if not isinstance(store, WordStore):
        lexicon: list[str] = getattr(store, "lexicon", list)()
        texts: list[str] = getattr(store, "submitted_texts", list)()
        plain = cls(lexicon=lexicon, transcripts=texts, english=english, context_model=load())
        plain.load_phonetic()
        return plain
    fill_word_index(store)
    recent = store.recent_corrections(FIRST_CORRECTIONS)  # the rest: read on the thread
    with collector_paused(freeze=True):  # its gen-2 passes took 70 ms at 1M
        s = cls(
            lexicon=store.lexicon(),
            learned=store.offerable_words(MIN_CLIPS, word_limit),
            corrections=recent,
            english=english,
            context_model=load(),
        )
    s._store = store
    s.load_phonetic()
    if len(recent) >= FIRST_CORRECTIONS:
        s.older = s.learn_older(lambda: store.recent_corrections(CAPACITY)[: -len(recent)])
    return s
