"""Text helpers shared by the suggester: matching keys, words, utterances and casing.

Suggestions are matched on a folded key (case- and accent-insensitive) but shown in the
batch's own text convention: a batch whose recogniser writes lowercase spoken form gets
lowercase suggestions, so a lexicon's capitals never leak into training exports
(`alexa play despacito by Luis Fonsi`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import Enum

from earmark.textsafe import clean

WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_HAS_LETTER = re.compile(r"[^\W\d_]")


class Convention(Enum):
    """How a batch writes its transcripts; suggestions are shown the same way."""

    LOWER = "lower"  # lowercase spoken form, as most recognisers write it
    AS_TYPED = "as_typed"  # the spelling of the source (lexicon capitals kept)


def infer_convention(guesses: Iterable[str]) -> Convention:
    """LOWER when every guess that has letters is lowercase (and at least one has)."""
    seen = False
    for guess in guesses:
        if not has_letter(guess):
            continue
        if guess != guess.lower():
            return Convention.AS_TYPED
        seen = True
    return Convention.LOWER if seen else Convention.AS_TYPED


def styled(word: str, convention: Convention) -> str:
    """A word as the batch writes it."""
    return word.lower() if convention is Convention.LOWER else word


def fold(text: str) -> str:
    """The matching key: case-folded, accents dropped, curly apostrophes straightened."""
    if text.isascii():
        return text.lower()
    text = text.casefold().replace("\u2019", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def key(word: str) -> str:
    """`fold`, reusing the word itself when it already is its key (saves memory)."""
    if word.isascii():
        return word if word.islower() else word.lower()
    return fold(word)


def has_letter(word: str) -> bool:
    return word.isalpha() or _HAS_LETTER.search(word) is not None


def words_of(text: str) -> list[str]:
    """The words of an untrusted text (cleaned first): letters and digits, inner apostrophes."""
    return [w for w in WORD.findall(clean(text)) if has_letter(w)]


def normalize_utterance(text: str) -> str:
    """Folded words joined by single spaces: what two transcripts are compared on."""
    text = clean(text)
    if text.isascii():
        return " ".join(WORD.findall(text.lower()))
    return " ".join(fold(w) for w in WORD.findall(text))


def clean_all(texts: Iterable[object]) -> list[str]:
    """`clean` each text; one C-speed check first, as nearly every batch is plain ASCII."""
    items = [t for t in texts if t is not None]
    if not all(isinstance(t, str) for t in items):
        return [clean(t) for t in items]
    strs: list[str] = [t for t in items if isinstance(t, str)]
    joined = "\n".join(strs)
    if (
        joined.count("\n") == max(len(strs) - 1, 0)
        and joined.replace("\n", " ").isprintable()
        and (joined.isascii() or unicodedata.is_normalized("NFC", joined))
        and max(map(len, strs), default=0) <= 10_000
    ):
        return strs  # clean() would return every one of them unchanged
    return [clean(t) for t in strs]


def lexicon_terms(terms: list[str]) -> list[str]:
    """Each term whole, and each word of a multi-word term on its own."""
    if "".join(terms).isalpha() and "" not in terms:  # single plain words: nothing to do
        return terms
    out: list[str] = []
    for term in terms:
        if term.isalpha():
            out.append(term)
            continue
        term = " ".join(term.split())
        if not term or not has_letter(term):
            continue
        out.append(term)
        if " " in term:
            out.extend(w for w in WORD.findall(term) if has_letter(w))
    return out
