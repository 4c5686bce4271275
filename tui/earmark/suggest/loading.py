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
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from earmark.suggest.following import Following, count_pairs
from earmark.suggest.learning import Pending
from earmark.suggest.text import has_letter, key, normalize_utterance, words_of
from earmark.suggest.utterances import Utterances
from earmark.textsafe import clean

FIRST_CORRECTIONS = 5_000  # learned before suggestions are ready (about 0.1 s)
OLDER_STEP = 500  # the rest, this many per hold of the suggester's lock (~10 ms)


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

    def remember(self, utterances: Utterances, following: Following) -> None:
        utterances.add_older(self.entries)
        following.add_older(self.pairs)


def prepare(pairs: list[tuple[str, str]]) -> Older:
    """(transcript, guess) pairs older than everything remembered, newest first."""
    guesses: dict[str, str] = {}  # recognisers repeat their guesses: normalise each once
    entries: list[tuple[str, str]] = []
    keys: list[list[str]] = []
    for text, guess in pairs:
        norm = normalize_utterance(text)
        said = guesses.get(guess)
        if said is None:
            said = guesses[guess] = normalize_utterance(guess)
        entries += ((said, text), (norm, text))  # `add` puts the guess last: the newer
        keys.append(keys_of(text, norm))
    return Older(entries, count_pairs(keys))


def count_transcripts(texts: list[str], known: set[str], pending: Pending) -> list[tuple[str, int]]:
    """(spelling, uses) of transcript words that are offerable; the rest wait in `pending`."""
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
