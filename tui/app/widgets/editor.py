"""The transcript editor: a single-line Input that tells the screen where its cursor is.

Typing only ever types: every command is a priority binding on the screen, bound to
function keys and ctrl/alt chords, which an Input never turns into text.
"""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Input


class TranscriptInput(Input):
    class CursorMoved(Message):
        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    def watch_selection(self) -> None:
        # Input keeps the cursor as the end of its `selection` reactive
        self.post_message(self.CursorMoved(self.cursor_position))

    def replace_word(self, start: int, end: int, text: str) -> None:
        """Put `text` in place of value[start:end] and the cursor after it (one undo step)."""
        value = self.value
        tail = value[end:]
        sep = "" if tail.startswith(" ") else " "
        self.value = value[:start] + text + sep + tail
        self.cursor_position = start + len(text) + len(sep)
