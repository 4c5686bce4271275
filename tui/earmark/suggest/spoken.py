"""The spoken form of a written word: what a lowercase spoken-form batch writes for `mr`.

A batch whose guesses are lowercase spoken form (`text.Convention.LOWER`) writes what was
said: `mister john dashwood`, `set a timer for five minutes`. Its recogniser still writes
some words as they are printed (PocketSphinx's dictionary has `mr`; other recognisers write
digits), and each such word is then wrong in a way the annotator fixes the same way every
time. Pointing at it offers what was said before anything else; without it the first one
costs the whole word (`fixes` learns it only after that).

Only titles and abbreviations whose reading is settled (or a short list of readings, `st`:
saint or street) are here, and numbers when num2words (the `align` extra) is installed:
`42` forty two, `3rd` third, `1999` nineteen ninety nine as a year and as a number.
"""

from __future__ import annotations

import re
from functools import cache

ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "mr": ("mister",),
    "mrs": ("missus",),
    "dr": ("doctor", "drive"),
    "st": ("saint", "street"),
    "jr": ("junior",),
    "sr": ("senior",),
    "prof": ("professor",),
    "mt": ("mount",),
    "ft": ("feet", "fort"),
    "vs": ("versus",),
    "etc": ("et cetera",),
    "approx": ("approximately",),
    "dept": ("department",),
    "govt": ("government",),
    "capt": ("captain",),
    "sgt": ("sergeant",),
    "lt": ("lieutenant",),
    "rev": ("reverend",),
    "ave": ("avenue",),
    "blvd": ("boulevard",),
}
_NUMBER = re.compile(r"^(\d{1,12})(st|nd|rd|th)?$")


def spoken(word: str) -> tuple[str, ...]:
    """What a spoken-form transcript writes for `word` (as the recogniser wrote it), best
    first; () for a word that is already spoken form or has no settled reading."""
    w = word.lower().rstrip(".")
    if w in ABBREVIATIONS:
        return ABBREVIATIONS[w]
    m = _NUMBER.match(w)
    return _number(m.group(1), m.group(2) or "") if m else ()


@cache
def _number(digits: str, suffix: str) -> tuple[str, ...]:
    try:
        from num2words import num2words
    except ImportError:  # the align extra is not installed: numbers are typed
        return ()
    value = int(digits)
    forms = [num2words(value, to="ordinal")] if suffix else [num2words(value)]
    if not suffix and len(digits) == 4 and 1100 <= value <= 2099 and value % 1000 >= 10:
        forms.insert(0, num2words(value, to="year"))
    return tuple(dict.fromkeys(" ".join(re.split(r"[\s,-]+", f)).strip() for f in forms))
