"""Asking why a clip is skipped: four reasons, one key each; escape goes back to the clip."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from earmark.store import SKIP_REASONS


class SkipScreen(ModalScreen[str | None]):
    CSS_PATH = "skip.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Back to the clip", id="skip_cancel"),
        *[
            Binding(str(n), f"choose({n - 1})", show=False, id=f"skip_reason_{n}")
            for n in range(1, len(SKIP_REASONS) + 1)
        ],
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="skip-box"):
            yield Label("Skip this clip: why?", id="skip-title")
            yield OptionList(
                *[Option(f"{n}  {r}", id=r) for n, r in enumerate(SKIP_REASONS, 1)],
                id="skip-reasons",
            )
            yield Label("1-4 or ↑↓ enter to choose · esc back", id="skip-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_choose(self, index: int) -> None:
        self.dismiss(SKIP_REASONS[index])

    def action_cancel(self) -> None:
        self.dismiss(None)
