"""Clean untrusted text (transcripts, ASR guesses, notes) once at import and again at render.

Manifests come from anywhere. An ANSI escape in a transcript would reach the terminal
(Textual passes them through), a NUL would cut a string in C code, a bidi override can
make a transcript read differently from what it holds. We keep the words and drop the
machinery: escape sequences go whole, control and bidi-formatting characters go, other
whitespace becomes a plain space. Markup such as "[bold]" is *not* touched here: it is
text, and the UI renders it literally (Textual Content / rich Text, never markup).
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte ESC sequences,
# and the 8-bit C1 forms of CSI/OSC.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]          # CSI
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)? # OSC
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?    # DCS, SOS, PM, APC
  | \x1b[@-Z\\-_]                    # other Fe sequences
  | \x9b[0-?]*[ -/]*[@-~]            # 8-bit CSI
  | \x9d[^\x07\x9c]*(?:\x07|\x9c)?   # 8-bit OSC
    """,
    re.VERBOSE,
)

# Bidi controls: LRM, RLM, ALM, embeddings/overrides, isolates.
_BIDI = {
    "\u200e",
    "\u200f",
    "\u061c",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}
_SPACE_LIKE = {"\t", "\n", "\r", "\v", "\f", "\u2028", "\u2029", "\x85"}


def clean(text: object, *, max_len: int = 10_000) -> str:
    """Printable single-line text: no escapes, no control or bidi characters, NFC."""
    if text is None:
        return ""
    s = str(text)
    if s.isascii() and s.isprintable():
        return s[:max_len]
    s = _ESCAPES.sub("", s)
    out = []
    for ch in s:
        if ch in _SPACE_LIKE:
            out.append(" ")
        elif ch in _BIDI:
            continue
        else:
            cat = unicodedata.category(ch)
            if cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf" and ch not in "\u200c\u200d"):
                continue  # keep ZWJ/ZWNJ, which some scripts and emoji need
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))[:max_len]


def clean_words(text: object) -> str:
    """`clean` and collapse runs of spaces: for transcripts compared word by word."""
    return " ".join(clean(text).split())
