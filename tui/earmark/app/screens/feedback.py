"""The annotator's feedback: the outcome of their reviewed clips, and the key that opens it.

Each row is one of the annotator's own transcripts a reviewer checked: the outcome, how
many words changed, the reviewer's note; the box below shows the word diff of what they
submitted against the final text (symbols and colour, as in `earmark qa`), and the line at
the top their own gold score when gold clips are scored. Nothing about other annotators is
read: earmark/session/feedback.py asks the store for this annotator's reviews only, and on
PostgreSQL the server refuses anyone else's. A short notice tells the annotator when a new
outcome arrives (checked in a worker every minute); opening the screen marks them seen.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from earmark.app.qa.diff_view import diff_text
from earmark.quality.review import DiffLine, Piece
from earmark.session import STORE_ERRORS
from earmark.session.feedback import Feedback, feedback_for, gold_summary, mark_seen, unseen
from earmark.textsafe import clean

if TYPE_CHECKING:
    from earmark.store import Store

CHECK_EVERY = 60.0  # seconds between looks for new review outcomes
HINT = "+ inserted  - deleted  ~ changed (final against yours)  ·  esc: back"
OUTCOME = {"accepted": "accepted", "fixed": "fixed", "rejected": "REJECTED"}


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class FeedbackScreen(ModalScreen[None]):
    CSS_PATH = "feedback.tcss"
    BINDINGS = [Binding("escape,q,alt+o", "close", "Back", id="feedback_close")]

    def __init__(self, store: Store, user: str) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.items: list[Feedback] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="feedback-box"):
            yield Label("Your reviewed clips", id="feedback-title")
            yield DataTable(id="feedback-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="feedback-diff")
            yield Label(Content(HINT), id="feedback-hint")

    def on_mount(self) -> None:
        table = self.query_one("#feedback-table", DataTable)
        table.add_columns("clip", "reviewed", "outcome", "changed", "reviewer's note")
        try:
            self.items = feedback_for(self.store, self.user)
            gold = gold_summary(self.store, self.user)
            mark_seen(self.store, self.user, self.items)
        except STORE_ERRORS as exc:
            self._title(f"Your reviews could not be read: {exc}")
            return
        n = len(self.items)
        title = f"Your reviewed clips ({n})" if n else "None of your clips has been reviewed yet."
        self._title(title + (f"  ·  {gold}" if gold else ""))
        for f in self.items:
            when = dt.datetime.fromtimestamp(f.at).strftime("%d %b %H:%M")
            table.add_row(
                Text(clean(f.clip)[:20]),
                Text(when),
                Text(
                    OUTCOME.get(f.outcome, f.outcome),
                    style="bold" if f.outcome != "accepted" else "",
                ),
                Text(str(f.changed) if f.outcome == "fixed" else "-"),
                Text(_short(clean(f.note), 24)),
                key=str(f.id),
            )
        self._detail(0)
        table.focus()

    def _title(self, text: str) -> None:
        self.query_one("#feedback-title", Label).update(Content(clean(text)))

    @on(DataTable.RowHighlighted, "#feedback-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        box = self.query_one("#feedback-diff", Static)
        if not 0 <= row < len(self.items):
            box.update("")
            return
        f = self.items[row]
        yours = DiffLine("yours", tuple(Piece("equal", w) for w in f.submitted.split()))
        lines = [yours, DiffLine("final", f.pieces)] if f.outcome == "fixed" else [yours]
        if f.note:
            lines.append(DiffLine("note", tuple(Piece("equal", w) for w in f.note.split())))
        box.update(diff_text(lines))

    def action_close(self) -> None:
        self.dismiss(None)


class FeedbackActions:
    """The annotate screen's feedback key and new-outcome notice (mixed into AnnotateScreen)."""

    deps: Any
    session: Any
    _feedback_told = 0

    def on_mount(self) -> None:
        self.set_interval(CHECK_EVERY, self._check_feedback, name="feedback")  # type: ignore[attr-defined]
        self._check_feedback()

    @work(thread=True, exclusive=True, group="feedback")
    def _check_feedback(self) -> None:
        try:
            fresh = unseen(self.deps.store, self.session.user)
        except STORE_ERRORS:
            return
        newest = max((f.id for f in fresh), default=0)
        if newest > self._feedback_told:
            self._feedback_told = newest
            self.app.call_from_thread(self._tell_feedback, len(fresh))  # type: ignore[attr-defined]

    def _tell_feedback(self, count: int) -> None:
        key = self.key("feedback")  # type: ignore[attr-defined]
        what = "a clip" if count == 1 else f"{count} clips"
        self.say(f"A reviewer checked {what} of yours: {key} shows the outcome.", timeout=8)  # type: ignore[attr-defined]

    def action_feedback(self) -> None:
        self._feedback_told = 0
        self.app.push_screen(FeedbackScreen(self.deps.store, self.session.user))  # type: ignore[attr-defined]
