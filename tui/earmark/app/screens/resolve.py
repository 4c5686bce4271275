"""The reviewer's resolve form: an outcome (no default) and a short note."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from earmark.escalation import NEEDS_CONFIRMATION, OUTCOMES, Escalation
from earmark.textsafe import clean

OUTCOME_HELP = {
    "no_action": "nothing to do",
    "false_alarm": "not what it sounded like",
    "referred_safety_team": "handed to the safety team",
    "referred_law_enforcement": "handed to the police (2nd reviewer confirms)",
}


class ResolveScreen(ModalScreen[tuple[str, str] | None]):
    """Outcome (1-4, no default) and a short note; enter in the note resolves."""

    BINDINGS = [
        Binding("escape", "cancel", "Back", id="resolve_cancel", tooltip="Leave it unresolved"),
        *[
            Binding(str(n), f"choose({n - 1})", show=False, id=f"resolve_outcome_{n}")
            for n in range(1, len(OUTCOMES) + 1)
        ],
    ]

    def __init__(self, escalation: Escalation) -> None:
        super().__init__()
        self.escalation = escalation
        self.outcome: str | None = None

    def compose(self) -> ComposeResult:
        e = self.escalation
        with Vertical(id="resolve-box", classes="modal-box"):
            yield Label(
                Content(f"Resolve escalation #{e.id} ({e.tier}, {clean(e.category)})"),
                classes="modal-title",
            )
            yield OptionList(
                *[
                    Option(Content(f"{n}  {o}: {OUTCOME_HELP[o]}"), id=o)
                    for n, o in enumerate(OUTCOMES, 1)
                ],
                id="resolve-outcomes",
            )
            yield Input(
                placeholder="note: what you did and why (short, factual)",
                max_length=500,
                id="resolve-note",
            )
            yield Label("", id="resolve-error", classes="modal-error")
            yield Label(
                "1-4 or ↑↓ enter: outcome · enter in the note: resolve · esc: back",
                classes="modal-hint",
            )

    def on_mount(self) -> None:
        # No outcome is pre-selected: enter on an untouched list chooses nothing.
        self.query_one("#resolve-outcomes", OptionList).highlighted = None

    def action_choose(self, index: int) -> None:
        self._chosen(OUTCOMES[index])

    @on(OptionList.OptionSelected, "#resolve-outcomes")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._chosen(event.option.id)

    def _chosen(self, outcome: str) -> None:
        self.outcome = outcome
        self.query_one("#resolve-outcomes", OptionList).highlighted = OUTCOMES.index(outcome)
        hint = " (needs a second reviewer)" if outcome in NEEDS_CONFIRMATION else ""
        self.query_one("#resolve-error", Label).update(Content(f"outcome: {outcome}{hint}"))
        self.query_one("#resolve-note", Input).focus()

    @on(Input.Submitted, "#resolve-note")
    def _submit(self, event: Input.Submitted) -> None:
        if self.outcome is None:
            self.query_one("#resolve-error", Label).update("choose an outcome first (1-4)")
            self.query_one("#resolve-outcomes", OptionList).focus()
            return
        self.dismiss((self.outcome, event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
