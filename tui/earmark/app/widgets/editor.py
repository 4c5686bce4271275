"""The transcript editor: a single-line Input that tells the screen where its cursor is.

Typing only ever types: every command is a priority binding on the screen, bound to
function keys and ctrl/alt chords, which an Input never turns into text.

Order matters more than in most forms: over SSH a burst of keys ("helo", backspace, "lo",
enter) can arrive in one read. Textual runs a focused widget's own bindings (backspace,
ctrl+u, ...) only after the key has bubbled up to the app, by which time the characters
typed after it may already be in the field. So the editor runs its own editing bindings
itself, in its own queue, in the order the keys came; the screen sends its commands
through the same queue (see AnnotateScreen.action_cmd).
"""

from __future__ import annotations

from textual.geometry import Region
from textual.message import Message
from textual.widgets import Input


class TranscriptInput(Input):
    class CursorMoved(Message):
        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    async def _on_key(self, event) -> None:
        if not event.is_printable:
            bindings = self._bindings.key_to_bindings.get(event.key)
            if bindings:
                event.stop()
                event.prevent_default()
                await self.run_action(bindings[0].action)
                return
        await super()._on_key(event)

    def watch_selection(self) -> None:
        # Input keeps the cursor as the end of its `selection` reactive
        self.post_message(self.CursorMoved(self.cursor_position))

    def watch_value(self) -> None:
        # A value set from code (a new clip, a suggestion) grows the virtual width only at the
        # next layout; Input's own scroll-to-cursor runs before that and is clamped short.
        self.call_after_refresh(self.reveal_cursor)

    def reveal_cursor(self) -> None:
        self.scroll_to_region(
            Region(self._cursor_offset, 0, width=1, height=1), force=True, animate=False
        )

    def load(self, text: str, cursor: int) -> None:
        self.value = text
        self.cursor_position = cursor

    def replace_word(self, start: int, end: int, text: str) -> None:
        """Put `text` in place of value[start:end] and the cursor after it (one undo step)."""
        value = self.value
        tail = value[end:]
        sep = "" if tail.startswith(" ") else " "
        self.value = value[:start] + text + sep + tail
        self.cursor_position = start + len(text) + len(sep)
