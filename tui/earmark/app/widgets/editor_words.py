"""Words as a transcriptionist means them, and the editor's keys as a table.

A word is a run of letters and digits that may continue across an apostrophe, so `that's`,
`don't` and `o'clock` are one word for the word motions and the word deletions. ctrl+w
deletes back to the previous space, as readline's unix-word-rubout does.
"""

from __future__ import annotations

import re

WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


def word_left(text: str, position: int) -> int:
    """The start of the word the cursor is in or after (readline's backward-word)."""
    target = 0
    for m in WORD.finditer(text, 0, position):
        if m.start() < position:
            target = m.start()
    return target


def word_right(text: str, position: int) -> int:
    """The end of the word the cursor is in or before (readline's forward-word)."""
    for m in WORD.finditer(text):
        if m.end() > position:
            return m.end()
    return len(text)


def rubout_start(text: str, position: int) -> int:
    """Where ctrl+w deletes back to: over spaces, then over everything up to a space."""
    i = position
    while i > 0 and text[i - 1].isspace():
        i -= 1
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return i


# (key as a person reads it, what it does): the help screen and the README list these. Each
# row fits an 80-column help screen: keys in 18 columns, the whole row in 74.
EDITOR_KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+z", "undo: a typed word, or a whole suggestion, at a time"),
    ("ctrl+y", "redo what undo took back"),
    ("← / →", "cursor a character left / right"),
    ("↑ / ↓", "cursor a row up / down in a long transcript"),
    ("ctrl+← / ctrl+→", "cursor a word left / right (that's is one word)"),
    ("home / end", "cursor to the start / end (also ctrl+a / ctrl+e)"),
    ("shift+← / shift+→", "select a character at a time"),
    ("ctrl+shift+← / →", "select a word at a time"),
    ("shift+↑ / shift+↓", "select a row up / down"),
    ("shift+home / end", "select to the start / end"),
    ("backspace / delete", "delete before / at the cursor, or the selection"),
    ("ctrl+d", "delete the character at the cursor"),
    ("ctrl+w", "delete back to the previous space (a whole word)"),
    ("ctrl+k", "delete to the end"),
    ("ctrl+u", "delete to the start"),
    ("ctrl+backspace", "delete a word; most terminals send it as backspace"),
)
