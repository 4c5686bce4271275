"""The review screen's two forms: fix (edit the text, with the diff updating as you type)
and reject (a short reason). Enter saves, escape goes back without saving.

Both use the annotator's editor (TranscriptInput): it keeps keys in the order they came
(a burst of "helo", backspace, "lo" over SSH), wraps long text and has undo and the
readline keys, where a plain Input would apply the backspace after the letters typed after it.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from earmark.app.qa.diff_view import LEGEND, diff_text
from earmark.app.widgets.editor import TranscriptInput
from earmark.quality.review import MAX_NOTE, MAX_TEXT, three_way
from earmark.textsafe import clean


class FixScreen(ModalScreen[str | None]):
    """Edit the transcript; the review line of the diff follows each keystroke."""

    BINDINGS = [Binding("escape", "cancel", "Back", id="qa_form_cancel")]

    def __init__(self, asr: str, transcripts: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.asr = asr
        self.transcripts = list(transcripts)

    def compose(self) -> ComposeResult:
        with Vertical(classes="qa-form"):
            yield Label("Fix the transcript (enter: save and accept, esc: back)")
            yield Static(id="fix-diff")
            yield TranscriptInput(max_length=MAX_TEXT, id="fix-text", select_on_focus=False)
            yield Label(
                "+ inserted  - deleted  ~ changed (review: against the first transcript)",
                classes="qa-legend",
            )

    def on_mount(self) -> None:
        start = self.transcripts[0][1] if self.transcripts else self.asr
        editor = self.query_one(TranscriptInput)
        editor.load(" ".join(clean(start).split()), len(" ".join(clean(start).split())))
        self._redraw(editor.value)
        editor.focus()

    @on(Input.Changed, "#fix-text")
    def _changed(self, event: Input.Changed) -> None:
        self._redraw(event.value)

    def _redraw(self, text: str) -> None:
        self.lines = three_way(self.asr, self.transcripts, text)
        self.query_one("#fix-diff", Static).update(diff_text(self.lines))

    @on(Input.Submitted, "#fix-text")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RejectScreen(ModalScreen[str | None]):
    """A short reason, which the annotator will read."""

    BINDINGS = [Binding("escape", "cancel", "Back", id="qa_form_cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="qa-form"):
            yield Label("Reject: a short reason the annotator will read")
            yield Label("(enter: save, esc: back)", classes="qa-legend")
            yield TranscriptInput(
                placeholder="for example: wrong speaker, half the clip missing",
                max_length=MAX_NOTE,
                id="reject-reason",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#reject-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class QaHelpScreen(ModalScreen[None]):
    """Every review key under the keys in force, with its stable id (for keymap files)."""

    BINDINGS = [Binding("escape,f1,enter,q", "close", "Close", id="qa_help_close")]

    def __init__(self, keys: dict[str, str]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        from textual.content import Content

        from earmark.app.bindings import key_label
        from earmark.command_table import QA_COMMANDS

        rows = [Content.assemble(("Review keys", "bold underline"), "  (esc closes)")]
        for c in QA_COMMANDS:
            keys = ", ".join(key_label(k) for k in self.keys.get(c.id, "").split(",") if k)
            rows.append(Content.assemble((f"{keys:>18}", "bold"), "  ", c.description))
        rows.append(Content(""))
        rows.append(Content(LEGEND))
        rows.append(Content("Keymap files set these ids in a [qa] table."))
        with Vertical(classes="qa-form"):
            yield Static(Content("\n").join(rows))

    def action_close(self) -> None:
        self.dismiss(None)
