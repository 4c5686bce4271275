"""A yes/no question for the reviewer (y, or n / esc)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class ConfirmScreen(ModalScreen[bool]):
    """y confirms, n or escape does not; the question is plain text."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm_no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(Content(self.question), classes="modal-title")
            yield Label("y: yes · n or esc: no", classes="modal-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
