"""Make alt+digit chords reach the app as alt+1, alt+2, ... in ordinary terminals.

xterm, GNOME Terminal, tmux, PuTTY and most SSH clients send alt+3 as ESC 3. Textual maps
those ESC+digit sequences to the characters WezTerm on macOS means by them (ESC 3 -> "£"),
so in every other terminal the suggestion keys alt+1..alt+5 and alt+0 would type a pound
sign into the transcript instead. Annotators work overwhelmingly in the former, so we drop
those ten entries and let Textual's parser read ESC+digit as the alt chord it is. (A real
"£" typed on a keyboard arrives as the character itself and is unaffected.)
"""

from __future__ import annotations


def read_alt_digits_as_chords() -> None:
    try:
        from textual import _ansi_sequences
    except ImportError:  # a Textual without that table has nothing to undo
        return
    table = getattr(_ansi_sequences, "ANSI_SEQUENCES_KEYS", None)
    if isinstance(table, dict):
        for digit in "0123456789":
            table.pop("\x1b" + digit, None)
