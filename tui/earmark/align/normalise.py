"""From a typed transcript to the words the recogniser can align.

Each whitespace-separated word of the text becomes zero or more spoken tokens: digits become
their spoken form (`42` -> forty two, `3rd` -> third, `1999` -> nineteen ninety nine where it
reads as a year), symbols that are spoken become words (`%` -> percent, `&` -> and),
hyphenated and slashed words split, markup and punctuation go. The mapping keeps each token's
word index so scores come back to the word the annotator typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from num2words import num2words

_NUMBER = re.compile(r"^(\d+(?:,\d{3})*)(?:\.(\d+))?(st|nd|rd|th|s)?$")
_SPLIT = re.compile(r"[-/_=~|\\]+")
_LETTERS = re.compile(r"[^a-z']+")
_DIGIT_RUN = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th|s\b)?|[^\d]+")
_SYMBOLS = {"%": "percent", "&": "and", "@": "at", "+": "plus"}
_CURRENCY = {"$": "dollars", "£": "pounds", "€": "euros"}  # said after the amount: $5 five dollars
MAX_NUMBER = 10**15


@dataclass(frozen=True)
class Token:
    """One spoken token and the index of the typed word it came from."""

    text: str
    word: int


def spoken_tokens(text: str) -> tuple[list[str], list[Token]]:
    """The typed words (as written) and the spoken tokens they stand for, in order."""
    words = text.split()
    tokens: list[Token] = []
    for index, word in enumerate(words):
        tokens.extend(Token(t, index) for t in _spoken(word))
    return words, tokens


def _spoken(word: str) -> list[str]:
    w = word.lower().replace("\u2019", "'").replace("\u2018", "'")
    out: list[str] = []
    for part in _SPLIT.split(w):
        if part[:1] in _CURRENCY:
            part = f"{part[1:]} {_CURRENCY[part[0]]}"
        for symbol, name in {**_SYMBOLS, **_CURRENCY}.items():
            part = part.replace(symbol, f" {name} ")
        for chunk in part.split():
            out.extend(_chunk(chunk))
    return out


def _chunk(chunk: str) -> list[str]:
    chunk = chunk.strip(".,;:!?\"'()[]{}<>*#^`")
    out: list[str] = []
    for run in _DIGIT_RUN.findall(chunk):
        if run[0].isdigit():
            out.extend(_number(run))
        else:
            letters = _LETTERS.sub(" ", run).replace(" '", " ").replace("' ", " ")
            out.extend(t.strip("'") for t in letters.split() if t.strip("'"))
    return out


def _number(run: str) -> list[str]:
    m = _NUMBER.match(run)
    if m is None:
        return [_digit_name(ch) for ch in run if ch.isdigit()]
    whole, frac, suffix = m.group(1).replace(",", ""), m.group(2), m.group(3)
    value = int(whole)
    if value >= MAX_NUMBER:
        return [_digit_name(ch) for ch in whole]
    if suffix in ("st", "nd", "rd", "th"):
        spoken = num2words(value, to="ordinal")
    elif frac is not None:
        spoken = num2words(float(f"{whole}.{frac}"))
    elif "," not in m.group(1) and 1100 <= value <= 2099 and value % 1000 >= 10:
        spoken = num2words(value, to="year")
    else:
        spoken = num2words(value)
    if suffix == "s":  # the 1990s
        spoken = spoken + "s" if not spoken.endswith("y") else spoken[:-1] + "ies"
    return [t for t in re.split(r"[\s,-]+", spoken) if t]


def _digit_name(ch: str) -> str:
    return str(num2words(int(ch)))
