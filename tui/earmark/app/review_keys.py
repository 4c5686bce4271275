"""The reviewer's keys: the one table the review app's bindings, footer and key list (F1)
are made from, and that list: every key under the keys in force, and what it does.

At 80 columns the footer has room for the everyday keys only; this screen is where the rest
(stop, downgrade, history, refresh) are found. Textual's own key panel lists the table's
cursor keys first and is too narrow there to read.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from earmark.app.bindings import key_label

# (keys, action, footer label, what it does, binding id)
REVIEW_KEYS = (
    ("space,p", "play_span", "Play",
     "Play only the flagged span of this clip (every play is logged)", "play_span"),
    ("s", "stop", "Stop", "Stop playback", "stop"),
    ("a", "acknowledge", "Ack",
     "Tell the annotator and the team that you have this one", "acknowledge"),
    ("r", "resolve", "Resolve", "Resolve with an outcome and a note", "resolve"),
    ("c", "confirm", "Confirm",
     "Second reviewer: confirm another reviewer's referral or downgrade", "confirm"),
    ("x", "decline", "Decline",
     "Do not confirm: send the proposal back for a new decision", "decline"),
    ("d", "downgrade", "Downgrade",
     "Ask to downgrade this critical flag (a second reviewer confirms)", "downgrade"),
    ("v", "toggle_view", "View", "Switch between escalations and critical flags",
     "toggle_view"),
    ("h", "toggle_history", "History",
     "Also list escalations resolved more than a week ago", "history"),
    ("f5,ctrl+r", "refresh", "Refresh", "Reload from the database", "refresh"),
    ("f1,question_mark", "toggle_keys", "Keys", "This list of every key", "keys"),
    ("q,ctrl+q", "quit", "Quit", "Stop playback and quit", "quit"),
)  # fmt: skip
# Left out of the footer so the rest fits 80 columns; F1 lists every key.
NOT_IN_FOOTER = frozenset({"stop", "downgrade", "history", "refresh"})


class ReviewKeysScreen(ModalScreen[None]):
    CSS_PATH = "review_keys.tcss"
    BINDINGS = [Binding("escape,f1,question_mark,enter", "close", "Close", id="review_keys_close")]

    def __init__(self, rows: Sequence[tuple[str, str]]) -> None:
        """`rows`: (keys as bound, what it does), in the footer's order."""
        super().__init__()
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        lines = [Content.assemble(("Review keys", "bold underline"), "  (esc closes)")]
        for keys, what in self.rows:
            shown = ", ".join(key_label(k) for k in keys.split(",") if k)
            lines.append(Content.assemble((f"{shown:>10}", "bold"), "  ", what))
        with Vertical(id="review-keys"):
            yield Static(Content("\n").join(lines))

    def action_close(self) -> None:
        self.dismiss(None)
