"""Pronunciations for words the dictionary lacks (names, brands, new coinages).

The fallback first tries to build the word from dictionary words (`playlist` = play + list,
`spotify` = spot + ify by rule); what is left goes through a small set of English spelling
rules. The result is a plausible ARPAbet string, not a linguist's: the check treats words
pronounced this way with a looser threshold, so a guessed name is not flagged for the guess.
"""

from __future__ import annotations

from collections.abc import Callable

# Longest graphemes first; each maps to ARPAbet phones (CMU set, no stress marks).
_RULES: dict[str, str] = {
    "tion": "SH AH N",
    "sion": "ZH AH N",
    "ough": "AO",
    "augh": "AO",
    "eigh": "EY",
    "tch": "CH",
    "sch": "S K",
    "igh": "AY",
    "dge": "JH",
    "cia": "SH AH",
    "que": "K",
    "ph": "F",
    "th": "TH",
    "sh": "SH",
    "ch": "CH",
    "ck": "K",
    "ng": "NG",
    "qu": "K W",
    "wh": "W",
    "kn": "N",
    "wr": "R",
    "gh": "G",
    "ee": "IY",
    "ea": "IY",
    "oo": "UW",
    "ou": "AW",
    "ow": "OW",
    "ai": "EY",
    "ay": "EY",
    "ei": "EY",
    "ey": "IY",
    "oi": "OY",
    "oy": "OY",
    "au": "AO",
    "aw": "AO",
    "ie": "IY",
    "ue": "UW",
    "ar": "AA R",
    "er": "ER",
    "ir": "ER",
    "ur": "ER",
    "or": "AO R",
    "oa": "OW",
    "ew": "UW",
    "x": "K S",
    "a": "AE",
    "b": "B",
    "d": "D",
    "e": "EH",
    "f": "F",
    "g": "G",
    "h": "HH",
    "i": "IH",
    "j": "JH",
    "k": "K",
    "l": "L",
    "m": "M",
    "n": "N",
    "o": "AA",
    "p": "P",
    "r": "R",
    "s": "S",
    "t": "T",
    "u": "AH",
    "v": "V",
    "w": "W",
    "z": "Z",
}
_LONGEST = max(len(g) for g in _RULES)
_VOWELS = set("aeiouy")


def spell_rules(word: str) -> list[str]:
    """ARPAbet phones for `word` (lowercase letters and apostrophes) by spelling rules."""
    w = "".join(ch for ch in word.lower() if "a" <= ch <= "z")
    if len(w) > 2 and w.endswith("e") and w[-2] not in _VOWELS:
        w = w[:-1]  # a final silent e
    phones: list[str] = []
    i = 0
    while i < len(w):
        if i + 1 < len(w) and w[i] == w[i + 1] and w[i] not in _VOWELS:
            i += 1  # doubled consonant, one sound
            continue
        size = next(
            (n for n in range(min(_LONGEST, len(w) - i), 1, -1) if w[i : i + n] in _RULES), 1
        )
        ch = w[i]
        if size > 1:
            phones.extend(_RULES[w[i : i + size]].split())
        elif ch == "c":
            phones.append("S" if i + 1 < len(w) and w[i + 1] in "eiy" else "K")
        elif ch == "y":
            phones.append("Y" if i == 0 else ("AY" if len(w) <= 3 else "IY"))
        elif ch in _RULES:
            phones.extend(_RULES[ch].split())
        i += size
    return phones


def pronounce(word: str, lookup: Callable[[str], str | None]) -> list[str]:
    """Phones for an out-of-dictionary `word`: dictionary pieces where they cover it, else rules.

    `lookup(w)` returns the dictionary's phones for `w` (space-separated) or None.
    """
    pieces = _split_known(word, lookup)
    if pieces is not None:
        return pieces
    phones = spell_rules(word)
    return phones or ["AH"]


def _split_known(word: str, lookup: Callable[[str], str | None]) -> list[str] | None:
    """The word as two dictionary words of 3+ letters each (a compound), if it is one."""
    for cut in range(len(word) - 3, 2, -1):
        head, tail = lookup(word[:cut]), lookup(word[cut:])
        if head and tail:
            return head.split() + tail.split()
    return None
