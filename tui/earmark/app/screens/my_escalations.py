"""The annotator's own escalations, with their state and outcome: the loop closed.

An annotator sees only what they raised (the store filters by role), never another
annotator's escalations, and never a reviewer's private note unless the escalation is
resolved: then the outcome and its note are what the annotator is owed.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from earmark.escalation import deadline_text
from earmark.textsafe import clean

STATE_WORDS = {
    "raised": "waiting",
    "acknowledged": "with a reviewer",
    "pending_confirmation": "awaiting 2nd reviewer",
    "resolved": "resolved",
}


def own_escalations(store, user: str):
    """Only what `user` raised, whatever their role (reviewers see the rest in `earmark review`)."""
    return store.escalations(raised_by=user)


class MyEscalationsScreen(ModalScreen[None]):
    CSS_PATH = "my_escalations.tcss"
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="mine_close", tooltip="Back to the clip"),
    ]

    def __init__(self, store, user: str) -> None:
        super().__init__()
        self.store = store
        self.user = user

    def compose(self) -> ComposeResult:
        with Vertical(id="mine-box"):
            yield Label("Your escalations", id="mine-title")
            yield DataTable(id="mine-table", cursor_type="row", zebra_stripes=True)
            yield Label("esc: back", id="mine-hint")

    def on_mount(self) -> None:
        table = self.query_one("#mine-table", DataTable)
        table.add_columns("#", "raised", "tier", "category", "clip", "state", "outcome")
        now = self.store.clock.now()
        items = own_escalations(self.store, self.user)
        for e in items:
            state = STATE_WORDS.get(e.state, e.state)
            if e.overdue(now):
                state += f" ({deadline_text(e, now)})"
            outcome = ""
            if e.outcome:
                outcome = e.outcome.replace("_", " ")
                if e.outcome_note:
                    outcome += f": {clean(e.outcome_note)}"
            table.add_row(
                Text(str(e.id)),
                Text(dt.datetime.fromtimestamp(e.raised_at).strftime("%d %b %H:%M")),
                Text(e.tier),
                Text(clean(e.category)),
                Text(clean(e.clip)),
                Text(state, style="bold" if e.state != "resolved" else ""),
                Text(outcome),
                key=str(e.id),
            )
        if not items:
            self.query_one("#mine-title", Label).update("You have not escalated anything.")
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
