"""The transcript editor: one line of text, shown wrapped, with undo and readline keys.

A transcript is one line (Enter submits it; it never types a newline), but a long one must
be seen whole, so the editor is an Input whose line is drawn over as many rows as it needs
(see editor_wrap). It keeps Input's model (`value`, `cursor_position`, `selection` as text
offsets), so everything that reads or sets those keeps working. The height only changes
when the number of rows does, so typing repaints the editor and never lays out the screen.

Typing only ever types: every command is a priority binding on the screen, bound to
function keys and ctrl/alt chords, which an Input never turns into text.

Order matters more than in most forms: over SSH a burst of keys ("helo", backspace, "lo",
enter) can arrive in one read. Textual runs a focused widget's own bindings (backspace,
ctrl+u, ...) only after the key has bubbled up to the app, by which time the characters
typed after it may already be in the field. So the editor runs its own editing bindings
itself, in its own queue, in the order the keys came; the screen sends its commands
through the same queue (see AnnotateScreen.action_cmd).

Every change to the text goes through `_watch_value`, which records it in the clip's undo
history (editor_history): typing in word-sized steps, everything else in steps of its own.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Input
from textual.widgets.input import Selection

from earmark.app.widgets.editor_history import History, Kind, State
from earmark.app.widgets.editor_words import (
    EDITOR_KEYS,
    rubout_start,
    word_left,
    word_right,
)
from earmark.app.widgets.editor_wrap import locate, offset_at, wrap_rows
from earmark.suggest.cursor import typed_span
from earmark.textsafe import clean

__all__ = ["EDITOR_KEYS", "TranscriptInput"]


class TranscriptInput(Input):
    COMPONENT_CLASSES: ClassVar[set[str]] = Input.COMPONENT_CLASSES | {"input--marked"}
    DEFAULT_CSS = """
    TranscriptInput {
        height: auto;
        max-height: 7;  /* five rows, ~370 characters at 80 columns; beyond, it scrolls */
        scrollbar-size: 0 0;
    }
    /* words the acoustic check marked: underlined, so not by colour alone */
    TranscriptInput > .input--marked { text-style: bold underline; color: $text-error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("ctrl+y", "redo", "Redo", show=False),
        Binding("up", "cursor_up", "Row up", show=False),
        Binding("down", "cursor_down", "Row down", show=False),
        Binding("shift+up", "cursor_up(True)", "Select row up", show=False),
        Binding("shift+down", "cursor_down(True)", "Select row down", show=False),
        Binding("ctrl+backspace,alt+backspace", "kill_word_left", "Delete word", show=False),
    ]

    class CursorMoved(Message):
        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    def __init__(self, *args, **kwargs) -> None:
        self._history = History()
        self._last_value = ""
        self._kind: Kind | None = None  # the kind of the change about to be made
        self._restoring = False
        self._starts_key: tuple[str, int] = ("", -1)
        self._starts: list[int] = [0]
        self._marks: list[tuple[int, int]] = []  # (start, end) offsets of marked words
        # where the cursor can be after the last change, when it was letters typed (seen
        # change by change, so keys that come faster than the screen looks still count)
        self.typed: tuple[int, int] | None = None
        super().__init__(*args, **kwargs)

    # -- keys, in the order they came ------------------------------------------------------
    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable:
            bindings = self._bindings.key_to_bindings.get(event.key)
            if bindings:
                event.stop()
                event.prevent_default()
                await self.run_action(bindings[0].action)
                return
        await super()._on_key(event)

    def on_paste(self, event: events.Paste) -> None:
        """A transcript is one line: pasted lines join with spaces, control bytes go."""
        event.stop()
        event.prevent_default()  # Input's own handler would paste the first line again
        text = clean(" ".join(event.text.splitlines()))
        if text:
            with self._step():
                self.replace(text, *self.selection)

    # -- the API the screen uses -------------------------------------------------------------
    def load(self, text: str, cursor: int) -> None:
        """Show a clip's text: a fresh start, with no history to undo into another clip."""
        with self._quiet():
            self.value = text
            self.cursor_position = cursor
        self._history.clear()

    def replace_word(self, start: int, end: int, text: str) -> None:
        """Put `text` in place of value[start:end] and the cursor after it (one undo step)."""
        value = self.value
        tail = value[end:]
        sep = "" if tail.startswith(" ") else " "
        with self._step():
            self.value = value[:start] + text + sep + tail
        self.cursor_position = start + len(text) + len(sep)

    def replace_all(self, text: str) -> None:
        """Replace the whole transcript (an alternative, the utterance suggestion): one step."""
        with self._step():
            self.value = text
        self.cursor_position = len(text)

    def undo(self) -> bool:
        """Go back one step; False when there is nothing to undo."""
        return self._restore(self._history.undo(self._state()))

    def redo(self) -> bool:
        """Redo the step undone last; False when there is nothing to redo."""
        return self._restore(self._history.redo(self._state()))

    def reset_history(self) -> None:
        """Forget every step (another clip is shown)."""
        self._history.clear()

    def set_marks(self, spans: list[tuple[int, int]]) -> None:
        """Underline these (start, end) spans of the text: words the acoustic check marked."""
        if spans != self._marks:
            self._marks = spans
            self.refresh()

    @property
    def can_undo(self) -> bool:
        return self._history.can_undo

    @property
    def can_redo(self) -> bool:
        return self._history.can_redo

    # -- history plumbing --------------------------------------------------------------------
    def _state(self) -> State:
        return State(self.value, self.cursor_position)

    @contextmanager
    def _step(self, kind: Kind = "replace"):
        self._kind = kind
        try:
            yield
        finally:
            self._kind = None

    @contextmanager
    def _quiet(self):
        self._restoring = True
        try:
            yield
        finally:
            self._restoring = False

    def _restore(self, state: State | None) -> bool:
        if state is None:
            return False
        with self._quiet():
            self.value = state.text
            self.cursor_position = state.cursor
        return True

    # -- value and cursor --------------------------------------------------------------------
    def _watch_value(self, value: str) -> None:  # noqa: V105 (a Textual hook)
        """Input's own watcher asks for a layout on every change; this one only when the
        number of rows changes."""
        old, self._last_value = self._last_value, value
        self.typed = None if self._restoring else typed_span(old, value)
        if not self._restoring:
            self._history.record(State(old, self.cursor_position), value, self._kind)
        width = self._wrap_width()
        rows = len(self._rows(value, width))
        if rows != self.virtual_size.height:
            self.virtual_size = Size(width, rows)
            self.refresh(layout=True)
        else:
            self.refresh()
        result = self.validate(value) if "changed" in self.validate_on else None
        self.post_message(self.Changed(self, value, result))
        if self._initial_value:
            self.cursor_position = len(self.value)
            self._initial_value = False
        else:
            self.selection = self.selection  # clamp it to the new length

    def watch_value(self) -> None:
        # A value set from code grows the rows only at the next layout; scroll after that.
        self.call_after_refresh(self.reveal_cursor)

    def _watch_selection(self, selection: Selection) -> None:  # noqa: V105 (a Textual hook)
        self.app.clear_selection()
        self.app.cursor_position = self.cursor_screen_offset
        if not self._initial_value:
            self.reveal_cursor()

    def watch_selection(self) -> None:
        self._history.moved(self.cursor_position)
        # Input keeps the cursor as the end of its `selection` reactive
        self.post_message(self.CursorMoved(self.cursor_position))

    def reveal_cursor(self) -> None:
        row, col = self._cursor_cell()
        self.scroll_to_region(Region(col, row, 1, 1), force=True, animate=False)

    def on_resize(self, _event: events.Resize) -> None:
        width = self._wrap_width()
        self.virtual_size = Size(width, len(self._rows(self.value, width)))
        self.refresh(layout=True)

    # -- wrapping ----------------------------------------------------------------------------
    def _wrap_width(self) -> int:
        return max(1, self.content_size.width)

    def _rows(self, text: str, width: int) -> list[int]:
        if self._starts_key != (text, width):
            self._starts = wrap_rows(text, width)
            self._starts_key = (text, width)
        return self._starts

    def _cursor_cell(self) -> tuple[int, int]:
        text = self.value
        return locate(text, self._rows(text, self._wrap_width()), self.cursor_position)

    def get_content_height(self, _container: Size, _viewport: Size, width: int) -> int:  # noqa: V105
        return len(wrap_rows(self.value or self.placeholder, width))

    @property
    def cursor_screen_offset(self) -> Offset:
        x, y, _w, _h = self.content_region
        row, col = self._cursor_cell()
        return Offset(x + col, y + row - int(self.scroll_offset.y))

    def render_line(self, y: int) -> Strip:
        text = self.value
        if not text:
            return super().render_line(y)
        width = self._wrap_width()
        starts = self._rows(text, width)
        row = y + int(self.scroll_offset.y)
        if row >= len(starts):
            return Strip.blank(width, self.rich_style)
        start = starts[row]
        end = starts[row + 1] if row + 1 < len(starts) else len(text)
        line = Text(text[start:end], no_wrap=True, overflow="ignore", end="")
        if self._marks:
            marked = self.get_component_rich_style("input--marked")
            for a, b in self._marks:
                if a < end and b > start:
                    line.stylize(marked, max(a, start) - start, min(b, end) - start)
        if self.has_focus:
            a, b = sorted(self.selection)
            if a < b and a < end and b > start:
                style = self.get_component_rich_style("input--selection")
                line.stylize_before(style, max(a, start) - start, min(b, end) - start)
            cur = self.cursor_position
            last = row + 1 == len(starts)
            if self._cursor_visible and (start <= cur < end or (last and cur == end)):
                if cur == len(text):
                    line.pad_right(1)
                style = self.get_component_rich_style("input--cursor")
                line.stylize(style, cur - start, cur - start + 1)
        strip = Strip(list(line.render(self.app.console)))
        return strip.extend_cell_length(width).crop(0, width).apply_style(self.rich_style)

    # -- mouse -------------------------------------------------------------------------------
    def _offset_at(self, offset: Offset) -> int:
        text = self.value
        starts = self._rows(text, self._wrap_width())
        return offset_at(text, starts, offset.y + int(self.scroll_offset.y), offset.x)

    async def on_mouse_down(self, event: events.MouseDown) -> None:
        event.prevent_default()  # Input's handler knows one row only
        self._pause_blink(visible=True)
        self.selection = Selection.cursor(self._offset_at(event.get_content_offset_capture(self)))
        self._selecting = True
        self.capture_mouse()

    async def on_mouse_move(self, event: events.MouseMove) -> None:
        event.prevent_default()
        if self._selecting:
            target = self._offset_at(event.get_content_offset_capture(self))
            self.selection = Selection(self.selection.start, target)

    # -- editing actions ---------------------------------------------------------------------
    def _move(self, target: int, select: bool) -> None:
        if select:
            self.selection = Selection(self.selection.start, target)
        else:
            self.cursor_position = target

    def action_home(self, select: bool = False) -> None:
        self._move(0, select)  # Input would move the anchor of a selection too

    def action_end(self, select: bool = False) -> None:
        self._move(len(self.value), select)

    def action_cursor_left_word(self, select: bool = False) -> None:
        self._move(word_left(self.value, self.cursor_position), select)

    def action_cursor_right_word(self, select: bool = False) -> None:
        self._move(word_right(self.value, self.cursor_position), select)

    def _row_step(self, step: int, select: bool) -> None:
        text = self.value
        starts = self._rows(text, self._wrap_width())
        row, col = locate(text, starts, self.cursor_position)
        if row + step < 0:
            target = 0
        elif row + step >= len(starts):
            target = len(text)
        else:
            target = offset_at(text, starts, row + step, col)
        self._move(target, select)

    def action_cursor_up(self, select: bool = False) -> None:
        self._row_step(-1, select)

    def action_cursor_down(self, select: bool = False) -> None:
        self._row_step(+1, select)

    def action_delete_left_word(self) -> None:
        """ctrl+w: back over spaces, then back to the previous space (readline)."""
        with self._step():
            if not self.selection.is_empty:
                self.delete_selection()
            else:
                self.delete(rubout_start(self.value, self.cursor_position), self.cursor_position)

    def action_kill_word_left(self) -> None:
        """alt/ctrl+backspace: back to the start of the word (contractions are one word)."""
        with self._step():
            if not self.selection.is_empty:
                self.delete_selection()
            else:
                self.delete(word_left(self.value, self.cursor_position), self.cursor_position)

    def action_delete_left_all(self) -> None:
        with self._step():
            super().action_delete_left_all()

    def action_delete_right_all(self) -> None:
        with self._step():
            super().action_delete_right_all()

    def action_cut(self) -> None:
        with self._step():
            super().action_cut()

    def action_paste(self) -> None:
        with self._step():
            super().action_paste()

    def action_undo(self) -> None:
        self.undo()

    def action_redo(self) -> None:
        self.redo()
