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
from typing import Any, TextIO

from earmark.errors import UserError

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


# What may not reach a terminal even in multi-line output: every C0 control but newline
# and tab, DEL, every C1 control, and the bidi controls.
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
)


def inert(text: str) -> str:
    """Multi-line text safe for a terminal: escape sequences and controls removed, lines kept.

    For whole outputs (an export on stdout, a summary) rather than single values: newlines
    and tabs survive, nothing that could move the cursor, set a title or write the clipboard
    (OSC 52) does.
    """
    if text.isascii() and (text.isprintable() or not _TERMINAL_UNSAFE.search(text)):
        return text
    return _TERMINAL_UNSAFE.sub("", _ESCAPES.sub("", text))


class InertWriter:
    """A text stream that passes everything written through `inert`: the stdout of every
    command that prints (not the full-screen ones, which drive the terminal themselves)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(inert(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, buffer ...
        return getattr(self._stream, name)


MAX_USER_NAME = 64


def check_user_name(name: str) -> str:
    """A user name as earmark first sees it: printable, one word, at most 64 characters.

    Names are printed by `roles`, `stats`, exports and the review screens; a name holding an
    escape sequence would act on every lead's terminal that shows it, so it is refused here
    (the message shows it cleaned), not cleaned silently into a different name.
    """
    shown = clean(name)[:MAX_USER_NAME]
    if not name or not name.strip():
        raise UserError("a user name must not be empty")
    if clean(name) != name or any(ch.isspace() for ch in name):
        raise UserError(
            f"user name {shown!r} contains spaces, control or formatting characters; "
            "use one printable word"
        )
    if len(name) > MAX_USER_NAME:
        raise UserError(f"user name {shown!r}... is longer than {MAX_USER_NAME} characters")
    return name
