"""The reviewer's TUI: the escalation queue and the critical flags awaiting a decision.

The queue is ordered by tier, then deadline; overdue escalations are highlighted and counted
in the title. A reviewer plays only the flagged span (every play goes through the audit log
via Player.on_played -> store.log_play), acknowledges, resolves with an outcome and a note,
and confirms or declines what another reviewer proposed (two-person rule). The same rules
as the command line apply because the store enforces them; this screen only asks.

Nothing untrusted is ever rendered as markup: notes, user names and categories go through
textsafe.clean and into rich Text / Textual Content.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from earmark.clock import SYSTEM, Clock
from earmark.errors import UserError
from earmark.escalation import NEEDS_CONFIRMATION, OUTCOMES, Escalation, deadline_text
from earmark.roles import can_review
from earmark.store.flags import Flag
from earmark.textsafe import clean

OUTCOME_HELP = {
    "no_action": "nothing to do",
    "false_alarm": "not what it sounded like",
    "referred_safety_team": "handed to the safety team",
    "referred_law_enforcement": "handed to the police (2nd reviewer confirms)",
}
TIER_STYLE = {"imminent": "bold red", "urgent": "bold yellow", "standard": ""}
RECENT = 7 * 86400  # resolved escalations older than this are listed only on request


def _local(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%a %d %b %H:%M") if ts else "-"


def _span(start: float | None, end: float | None) -> str:
    if start is None and end is None:
        return "whole clip"
    return f"{start or 0:.1f}-{end:.1f} s" if end is not None else f"from {start:.1f} s"


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


class EscalationDetail(Static):
    """The selected escalation or flag in full; posts Selected so the app can retitle."""

    class Selected(Message):
        def __init__(self, overdue: bool) -> None:
            super().__init__()
            self.overdue = overdue

    def show_escalation(self, e: Escalation | None, now: float, viewer: str) -> None:
        if e is None:
            self.update(Content("No escalation selected."))
            self.set_class(False, "overdue")
            return
        lines = [
            f"#{e.id}  {e.tier.upper()}  {clean(e.category)}  clip {clean(e.clip)}",
            f"state: {e.state.replace('_', ' ')}   deadline: {_local(e.deadline)} "
            f"({deadline_text(e, now)})",
            f"raised by {clean(e.raised_by)} at {_local(e.raised_at)}; span {_span(e.start, e.end)}",
            f"note: {clean(e.note) or '(none)'}",
        ]
        if e.acked_by:
            lines.append(f"acknowledged by {clean(e.acked_by)} at {_local(e.acked_at)}")
        if e.state == "pending_confirmation":
            who = "you" if e.proposed_by == viewer else clean(e.proposed_by)
            lines.append(
                f"proposed: {e.proposed_outcome} by {who}: {clean(e.proposed_note) or '(no note)'}"
            )
            lines.append(
                "awaiting a second reviewer: c confirms, x declines"
                if e.proposed_by != viewer
                else "awaiting a second reviewer"
            )
        if e.outcome:
            lines.append(
                f"outcome: {e.outcome} by {clean(e.resolved_by)}"
                + (f", confirmed by {clean(e.confirmed_by)}" if e.confirmed_by else "")
                + f": {clean(e.outcome_note) or '(no note)'}"
            )
        self.update(Content("\n".join(lines)))
        overdue = e.overdue(now)
        self.set_class(overdue, "overdue")
        self.post_message(self.Selected(overdue))

    def show_flag(self, f: Flag | None, clip_name: str, viewer: str) -> None:
        self.set_class(False, "overdue")
        if f is None:
            self.update(Content("No critical flag selected."))
            return
        lines = [
            f"critical flag {f.id}  {clean(f.category or 'no category')}  clip {clean(clip_name)}",
            f"raised by {clean(f.raised_by)} at {_local(f.raised_at)}; span {_span(f.start, f.end)}; "
            f"{len(f.redact)} word(s) to redact",
            "while active, this clip stays out of the training export",
        ]
        if f.downgrade_requested_by:
            who = "you" if f.downgrade_requested_by == viewer else clean(f.downgrade_requested_by)
            lines.append(
                f"downgrade requested by {who}: "
                + (
                    "a second reviewer confirms (c) or declines (x)"
                    if f.downgrade_requested_by != viewer
                    else "awaiting a second reviewer"
                )
            )
        self.update(Content("\n".join(lines)))


class ReviewApp(App[int]):
    CSS_PATH = "review.tcss"
    TITLE = "earmark review"

    BINDINGS = [
        Binding(
            "space,p",
            "play_span",
            "Play span",
            tooltip="Play only the flagged span of this clip (every play is logged)",
            id="play_span",
        ),
        Binding("s", "stop", "Stop", tooltip="Stop playback", id="stop"),
        Binding(
            "a",
            "acknowledge",
            "Ack",
            tooltip="Tell the annotator and the team that you have this one",
            id="acknowledge",
        ),
        Binding(
            "r", "resolve", "Resolve", tooltip="Resolve with an outcome and a note", id="resolve"
        ),
        Binding(
            "c",
            "confirm",
            "Confirm",
            tooltip="Second reviewer: confirm another reviewer's referral or downgrade",
            id="confirm",
        ),
        Binding(
            "x",
            "decline",
            "Decline",
            tooltip="Do not confirm: send the proposal back for a new decision",
            id="decline",
        ),
        Binding(
            "d",
            "downgrade",
            "Downgrade",
            tooltip="Ask to downgrade this critical flag (a second reviewer confirms)",
            id="downgrade",
        ),
        Binding(
            "v",
            "toggle_view",
            "View",
            tooltip="Switch between escalations and critical flags",
            id="toggle_view",
        ),
        Binding(
            "h",
            "toggle_history",
            "History",
            tooltip="Also list escalations resolved more than a week ago",
            id="history",
        ),
        Binding(
            "f5,ctrl+r", "refresh", "Refresh", tooltip="Reload from the database", id="refresh"
        ),
        Binding("q,ctrl+q", "quit", "Quit", tooltip="Stop playback and quit", id="quit"),
    ]

    def __init__(
        self,
        store,
        user: str,
        *,
        player=None,
        clock: Clock | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.clock = clock or getattr(store, "clock", SYSTEM)
        self.player = player
        self.view = "escalations"
        self.history = False
        self.items: list[Escalation] = []
        self.flags: list[Flag] = []
        self.role = store.ensure_user(user)
        self._keymap = keymap or {}
        if player is not None:
            player.on_played = self._played

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="review-title")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="critical", cursor_type="row", zebra_stripes=True)
        yield EscalationDetail("", id="detail")
        yield Static("", id="review-status")
        yield Footer()

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        queue = self.query_one("#queue", DataTable)
        queue.add_columns("#", "tier", "state", "deadline", "due", "category", "clip", "raised by")
        crit = self.query_one("#critical", DataTable)
        crit.add_columns("flag", "category", "clip", "span", "raised by", "downgrade")
        crit.display = False
        if not can_review(self.role):
            self.query_one("#review-title", Static).update(
                Content(
                    f"{self.user} is {self.role}: only a reviewer or lead may review escalations. "
                    "Ask a lead (earmark roles grant USER reviewer)."
                )
            )
            queue.display = False
            self.query_one("#detail").display = False
            return
        if self.player is not None and not self.player.available:
            reason = self.player.reason or "no audio output"
            if not reason.startswith("no audio"):
                reason = f"no audio: {reason}"
            self._status(f"{reason} (reviewing still works)")
        self.action_refresh()
        self.set_interval(30, self.action_refresh)
        queue.focus()

    # -- data -----------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        if not can_review(self.role):
            return
        now = self.clock.now()
        self.items = [
            e
            for e in self.store.visible_escalations(self.user)
            if self.history or e.state != "resolved" or now - (e.resolved_at or now) < RECENT
        ]
        self.flags = self.store.critical_flags()
        self._fill_queue(now)
        self._fill_critical()
        open_items = [e for e in self.items if e.state != "resolved"]
        overdue = sum(e.overdue(now) for e in open_items)
        pending = sum(e.state == "pending_confirmation" for e in open_items)
        title = Text(f"Escalations: {len(open_items)} open")
        if overdue:
            title.append(f", {overdue} OVERDUE", style="bold red")
        if pending:
            title.append(f", {pending} awaiting a second reviewer")
        title.append(f"  ·  critical flags: {len(self.flags)}  ·  {clean(self.user)} ({self.role})")
        self.query_one("#review-title", Static).update(title)
        self.query_one("#review-title").set_class(bool(overdue), "overdue")
        self._show_selected()

    def _fill_queue(self, now: float) -> None:
        table = self.query_one("#queue", DataTable)
        keep = self._selected_key(table)
        table.clear()
        for e in self.items:
            overdue = e.overdue(now)
            base = "bold white on dark_red" if overdue else ("dim" if e.state == "resolved" else "")
            state = e.state.replace("_", " ") + (f" -> {e.outcome}" if e.outcome else "")
            table.add_row(
                Text(str(e.id), style=base),
                Text(e.tier, style=base or TIER_STYLE[e.tier]),
                Text(state, style=base),
                Text(_local(e.deadline), style=base),
                Text(
                    deadline_text(e, now).upper() if overdue else deadline_text(e, now), style=base
                ),
                Text(clean(e.category), style=base),
                Text(clean(e.clip), style=base),
                Text(clean(e.raised_by), style=base),
                key=str(e.id),
            )
        self._restore(table, keep)

    def _fill_critical(self) -> None:
        table = self.query_one("#critical", DataTable)
        keep = self._selected_key(table)
        table.clear()
        for f in self.flags:
            clip = self.store.clip(f.clip_id)
            table.add_row(
                Text(str(f.id)),
                Text(clean(f.category or "-")),
                Text(clean(clip.name if clip else f"#{f.clip_id}")),
                Text(_span(f.start, f.end)),
                Text(clean(f.raised_by)),
                Text(
                    f"asked by {clean(f.downgrade_requested_by)}"
                    if f.downgrade_requested_by
                    else "",
                    style="bold yellow",
                ),
                key=str(f.id),
            )
        self._restore(table, keep)

    @staticmethod
    def _selected_key(table: DataTable) -> str | None:
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None

    @staticmethod
    def _restore(table: DataTable, key: str | None) -> None:
        if key is None or table.row_count == 0:
            return
        try:
            table.move_cursor(row=table.get_row_index(key))
        except Exception:
            pass

    def selected(self) -> Escalation | None:
        table = self.query_one("#queue", DataTable)
        key = self._selected_key(table)
        return next((e for e in self.items if str(e.id) == key), None)

    def selected_flag(self) -> Flag | None:
        table = self.query_one("#critical", DataTable)
        key = self._selected_key(table)
        return next((f for f in self.flags if str(f.id) == key), None)

    @on(DataTable.RowHighlighted)
    def _row_moved(self, event: DataTable.RowHighlighted) -> None:
        self._show_selected()

    @on(EscalationDetail.Selected)
    def _detail_shown(self, event: EscalationDetail.Selected) -> None:
        self.sub_title = "overdue" if event.overdue else ""

    def _show_selected(self) -> None:
        detail = self.query_one("#detail", EscalationDetail)
        if self.view == "escalations":
            detail.show_escalation(self.selected(), self.clock.now(), self.user)
        else:
            f = self.selected_flag()
            clip = self.store.clip(f.clip_id) if f else None
            detail.show_flag(f, clip.name if clip else "", self.user)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Hide what does not apply to this view; grey out what does not apply to this row."""
        if action in ("acknowledge", "resolve") and self.view != "escalations":
            return False
        if action == "downgrade" and self.view != "critical":
            return False
        if not can_review(self.role):
            return True
        try:
            return self._applies(action)
        except Exception:  # asked before the tables exist
            return True

    def _applies(self, action: str) -> bool | None:
        if self.view == "escalations":
            e = self.selected()
            if action == "acknowledge":
                return None if e is None or e.state != "raised" else True
            if action == "resolve":
                return None if e is None or e.state not in ("raised", "acknowledged") else True
            if action in ("confirm", "decline"):
                if e is None or e.state != "pending_confirmation":
                    return None
                return None if action == "confirm" and e.proposed_by == self.user else True
        else:
            f = self.selected_flag()
            if action == "downgrade":
                return None if f is None or f.downgrade_requested_by else True
            if action in ("confirm", "decline"):
                if f is None or not f.downgrade_requested_by:
                    return None
                return (
                    None if action == "confirm" and f.downgrade_requested_by == self.user else True
                )
        return True

    # -- actions -------------------------------------------------------------------------------
    def _status(self, text: str) -> None:
        self.query_one("#review-status", Static).update(Content(text))

    def _do(self, what, done: str) -> bool:
        try:
            what()
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self._status(str(exc))
            return False
        self._status(done)
        self.action_refresh()
        return True

    def action_toggle_view(self) -> None:
        self.view = "critical" if self.view == "escalations" else "escalations"
        queue = self.query_one("#queue", DataTable)
        crit = self.query_one("#critical", DataTable)
        queue.display = self.view == "escalations"
        crit.display = self.view == "critical"
        (queue if queue.display else crit).focus()
        self._show_selected()

    def action_toggle_history(self) -> None:
        self.history = not self.history
        self._status(
            "listing every resolved escalation"
            if self.history
            else "listing escalations resolved in the last week"
        )
        self.action_refresh()

    def action_acknowledge(self) -> None:
        e = self.selected()
        if e is not None:
            self._do(
                lambda: self.store.acknowledge_escalation(e.id, self.user),
                f"escalation #{e.id} acknowledged",
            )

    def action_resolve(self) -> None:
        e = self.selected()
        if e is None:
            return

        def done(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            outcome, note = result
            state = {}

            def go() -> None:
                state["s"] = self.store.resolve_escalation(e.id, self.user, outcome, note)

            if (
                self._do(go, f"escalation #{e.id}: {outcome}")
                and state["s"] == "pending_confirmation"
            ):
                self._status(
                    f"escalation #{e.id}: {outcome} proposed; a second reviewer must confirm"
                )

        self.push_screen(ResolveScreen(e), done)

    def action_confirm(self) -> None:
        if self.view == "critical":
            f = self.selected_flag()
            if f is None:
                return
            question = (
                f"Downgrade critical flag {f.id} ({f.category or 'no category'})? "
                f"Requested by {f.downgrade_requested_by}. The clip may then reach the "
                "training export."
            )
            act = (lambda: self.store.confirm_downgrade(f.id, self.user), f"flag {f.id} downgraded")
        else:
            e = self.selected()
            if e is None:
                return
            question = (
                f"Confirm escalation #{e.id}: {e.proposed_outcome}, proposed by "
                f"{e.proposed_by}? Note: {e.proposed_note or '(none)'}"
            )
            act = (
                lambda: self.store.confirm_escalation(e.id, self.user),
                f"escalation #{e.id} confirmed",
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self._do(*act)

        self.push_screen(ConfirmScreen(clean(question)), answered)

    def action_decline(self) -> None:
        if self.view == "critical":
            f = self.selected_flag()
            if f is not None:
                self._do(
                    lambda: self.store.cancel_downgrade(f.id, self.user),
                    f"downgrade of flag {f.id} declined",
                )
        else:
            e = self.selected()
            if e is not None:
                self._do(
                    lambda: self.store.decline_escalation(e.id, self.user),
                    f"escalation #{e.id}: proposal declined, back to acknowledged",
                )

    def action_downgrade(self) -> None:
        f = self.selected_flag()
        if f is not None:
            self._do(
                lambda: self.store.request_downgrade(f.id, self.user),
                f"downgrade of flag {f.id} requested: a second reviewer confirms",
            )

    # -- playback ------------------------------------------------------------------------------
    def action_play_span(self) -> None:
        if self.view == "escalations":
            e = self.selected()
            target = (e.clip_id, e.start, e.end) if e else None
        else:
            f = self.selected_flag()
            target = (f.clip_id, f.start, f.end) if f else None
        if target is None:
            return
        if self.player is None or not self.player.available:
            reason = (self.player.reason if self.player is not None else None) or "no audio output"
            self._status(reason if reason.startswith("no audio") else f"no audio: {reason}")
            return
        clip_id, start, end = target
        clip = self.store.clip(clip_id)
        if clip is None or not clip.playable:
            self._status("this clip cannot be played")
            return
        from earmark.audio import AudioError, load

        try:
            samples, sr = load(clip.audio)
        except AudioError as exc:
            self._status(clean(str(exc)))
            return
        self.player.load(samples, sr, key=str(clip_id))
        self.player.play(start, end)
        self._status(f"playing clip {clean(clip.name)}, {_span(start, end)}")

    def action_stop(self) -> None:
        if self.player is not None:
            self.player.stop()

    def _played(self, key: str | None, start: float, end: float, speed: float) -> None:
        """Player.on_played (any thread): every stretch a reviewer hears is logged."""
        if key is None:
            return
        try:
            self.store.log_play(self.user, int(key), start, end, speed)
        except Exception:  # never lose the UI over the log; verify would show the gap
            self.log.error("could not log a play")

    async def action_quit(self) -> None:
        if self.player is not None:
            self.player.stop()
            drain = getattr(self.player, "drain_events", None)
            if drain is not None:
                drain(1.0)
        self.exit(0)
