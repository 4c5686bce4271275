"""The escalate form: category, tier (never pre-chosen), the audio span and a short note.

An annotator who hears what may be an assault must be able to hand it on in seconds, with
nothing pre-filled that they did not choose: the tier decides how fast a reviewer must act,
so there is no default and the form refuses to send without one. The span defaults to a few
seconds around the playhead so that the reviewer hears exactly that part, and no more.
"""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from earmark.errors import UserError
from earmark.escalation import CATEGORIES, TIER_HELP, TIERS, DeadlinePolicy
from earmark.textsafe import clean

BEFORE, AFTER = 3.0, 2.0  # default span around the playhead, seconds
MAX_NOTE = 300


def default_span(playhead: float, duration: float | None) -> tuple[float, float]:
    start = max(0.0, playhead - BEFORE)
    end = playhead + AFTER
    if duration:
        end = min(end, duration)
        start = min(start, max(0.0, end - 0.1))
    return round(start, 2), round(end, 2)


class EscalateScreen(ModalScreen[int | None]):
    """Returns the new escalation's id, or None when cancelled."""

    CSS_PATH = "escalate.tcss"
    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="escalate_cancel",
            tooltip="Back to the clip without escalating",
        ),
        Binding(
            "ctrl+s",
            "send",
            "Escalate",
            id="escalate_send",
            tooltip="Send to the reviewers (category and tier must be chosen)",
        ),
    ]

    def __init__(
        self, store, clip, user: str, playhead: float, *, policy: DeadlinePolicy | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.clip = clip
        self.user = user
        self.playhead = max(0.0, float(playhead or 0.0))
        self.policy = policy or DeadlinePolicy()
        self.category: str | None = None
        self.tier: str | None = None

    def compose(self) -> ComposeResult:
        start, end = default_span(self.playhead, getattr(self.clip, "duration", None))
        with Vertical(id="escalate-box"):
            yield Label(
                Content(f"Escalate clip {clean(self.clip.name)} to a reviewer"), id="escalate-title"
            )
            with Horizontal(id="escalate-choices"):
                with Vertical(id="escalate-left"):
                    yield Label("What did you hear?", classes="escalate-heading")
                    with RadioSet(id="escalate-category", compact=True):
                        for c in CATEGORIES:
                            yield RadioButton(Content(c), name=c)
                with Vertical(id="escalate-right"):
                    yield Label("How soon must someone act?", classes="escalate-heading")
                    with RadioSet(id="escalate-tier", compact=True):
                        for t in TIERS:
                            yield RadioButton(Content(t), name=t)
                    yield Label("", id="escalate-deadline")
            with Horizontal(id="escalate-span"):
                yield Label("span (s) ", classes="escalate-heading")
                yield Input(
                    f"{start:g}",
                    type="number",
                    id="escalate-start",
                    compact=True,
                    tooltip="where the part to hear starts, seconds into the clip",
                )
                yield Label(" to ")
                yield Input(
                    f"{end:g}",
                    type="number",
                    id="escalate-end",
                    compact=True,
                    tooltip="where it ends",
                )
            yield Input(
                placeholder="note: short and factual (what, at what second)",
                max_length=MAX_NOTE,
                id="escalate-note",
                compact=True,
            )
            yield Label("", id="escalate-error")
            with Horizontal(id="escalate-buttons"):
                yield Button("Escalate", variant="error", id="escalate-send", compact=True)
                yield Button("Cancel", id="escalate-cancel", compact=True)
            yield Label(
                "tab: next field · ↑↓ enter: choose · ctrl+s or enter in the note: "
                "send · esc: cancel",
                id="escalate-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#escalate-category", RadioSet).focus()

    @on(RadioSet.Changed, "#escalate-category")
    def _category(self, event: RadioSet.Changed) -> None:
        self.category = event.pressed.name

    @on(RadioSet.Changed, "#escalate-tier")
    def _tier(self, event: RadioSet.Changed) -> None:
        self.tier = event.pressed.name
        if self.tier is None:
            return
        due = self.policy.deadline(self.tier, self.store.clock.now())
        when = dt.datetime.fromtimestamp(due).strftime("%a %d %b %H:%M")
        self.query_one("#escalate-deadline", Label).update(
            Content(f"{TIER_HELP[self.tier]}\na reviewer must act by {when}")
        )

    @on(Input.Submitted, "#escalate-note")
    @on(Button.Pressed, "#escalate-send")
    def _send_event(self) -> None:
        self.action_send()

    @on(Button.Pressed, "#escalate-cancel")
    def _cancel_event(self) -> None:
        self.action_cancel()

    def _error(self, text: str, focus: str | None = None) -> None:
        self.query_one("#escalate-error", Label).update(Content(text))
        if focus:
            self.query_one(focus).focus()

    def _span(self) -> tuple[float, float] | None:
        try:
            start = float(self.query_one("#escalate-start", Input).value)
            end = float(self.query_one("#escalate-end", Input).value)
        except ValueError:
            self._error("the span needs two numbers of seconds", "#escalate-start")
            return None
        duration = getattr(self.clip, "duration", None)
        if start < 0 or end <= start or (duration and start >= duration):
            self._error("the span must start before it ends, inside the clip", "#escalate-start")
            return None
        if duration:
            end = min(end, duration)
        return start, end

    def action_send(self) -> None:
        if self.category is None:
            self._error("choose what you heard (category)", "#escalate-category")
            return
        if self.tier is None:
            self._error("choose a tier: imminent, urgent or standard", "#escalate-tier")
            return
        span = self._span()
        if span is None:
            return
        note = self.query_one("#escalate-note", Input).value
        try:
            esc_id = self.store.raise_escalation(
                self.clip.id,
                self.user,
                tier=self.tier,
                category=self.category,
                start=span[0],
                end=span[1],
                note=note,
                policy=self.policy,
            )
        except UserError as exc:
            self._error(str(exc))
            return
        self.dismiss(esc_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
