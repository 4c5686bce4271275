"""The break screen: why it is offered, how long the break has lasted, the lead's text.

Offered after flagging a distressing clip and when the exposure meter passes a limit. It
shows the minutes of flagged audio heard today against the limits, counts the break up from
zero (a break is never a countdown to get back), shows the text the lead configured (e.g.
how to reach support) literally, and lets the annotator opt out of content categories right
here: no reason is asked, and nothing about it is logged.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static

from earmark.textsafe import clean
from earmark.wellbeing import OPT_OUT_CATEGORIES, Wellbeing


class BreakScreen(ModalScreen[float]):
    """Dismisses with the length of the break in seconds."""

    CSS_PATH = "break_screen.tcss"
    BINDINGS = [
        Binding(
            "escape,enter",
            "back",
            "Back to work",
            id="break_back",
            priority=True,
            tooltip="End the break and return to the clip",
        ),
    ]

    def __init__(
        self,
        store,
        user: str,
        reason: str,
        *,
        wellbeing: Wellbeing | None = None,
        settings: dict | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.reason = reason
        self.wellbeing = wellbeing or Wellbeing(store, user, settings=settings)
        self._started = store.clock.monotonic()

    def compose(self) -> ComposeResult:
        wb = self.wellbeing
        policy = wb.policy
        minutes = wb.minutes_today()
        with Vertical(id="break-box"):
            yield Label(Content(clean(self.reason)), id="break-reason")
            yield Label(
                Content(
                    f"Today you have heard {minutes:.0f} min of audio flagged distressing "
                    "or escalated "
                    f"(soft limit {policy.soft_minutes:g}, hard limit {policy.hard_minutes:g})."
                ),
                id="break-exposure",
            )
            yield Static(Content(clean(policy.break_text)), id="break-text")
            yield Label("on break 00:00", id="break-counter")
            yield Label(
                "You may stop hearing these (no reason needed; space toggles):",
                classes="break-heading",
            )
            outs = self.store.opt_outs(self.user)
            yield SelectionList[str](
                *[(Content(c), c, c in outs) for c in OPT_OUT_CATEGORIES], id="break-optouts"
            )
            yield Label("enter or esc: back to work", id="break-hint")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)
        self.query_one("#break-optouts", SelectionList).focus()

    def elapsed(self) -> float:
        return max(0.0, self.store.clock.monotonic() - self._started)

    def tick(self) -> None:
        secs = int(self.elapsed())
        self.query_one("#break-counter", Label).update(f"on break {secs // 60:02d}:{secs % 60:02d}")

    @on(SelectionList.SelectedChanged, "#break-optouts")
    def _opt(self, event: SelectionList.SelectedChanged) -> None:
        chosen = set(event.selection_list.selected)
        current = self.store.opt_outs(self.user)
        for c in OPT_OUT_CATEGORIES:
            if (c in chosen) != (c in current):
                self.store.set_opt_out(self.user, c, c in chosen)

    def action_back(self) -> None:
        self.dismiss(self.elapsed())
