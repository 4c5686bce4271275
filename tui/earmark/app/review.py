"""The reviewer's TUI: the escalation queue and the critical flags awaiting a decision.

The queue is ordered by tier, then deadline; overdue escalations are highlighted and counted
in the title. A reviewer plays only the flagged span (every play goes through the audit log
via Player.on_played -> store.log_play), acknowledges, resolves with an outcome and a note,
and confirms or declines what another reviewer proposed (two-person rule). The same rules
as the command line apply because the store enforces them; this screen only asks.

Nothing untrusted is ever rendered as markup: notes, user names and categories go through
textsafe.clean and into rich Text / Textual Content. The app is here; its forms are in
screens/resolve.py and screens/confirm.py, its detail box in widgets/escalation_detail.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import DataTable, Footer, Static

from earmark.app.review_keys import NOT_IN_FOOTER, REVIEW_KEYS
from earmark.app.screens.confirm import ConfirmScreen
from earmark.app.screens.resolve import ResolveScreen
from earmark.app.widgets.escalation_detail import EscalationDetail, span_text
from earmark.app.widgets.review_tables import CriticalTable, QueueTable
from earmark.clock import SYSTEM, Clock
from earmark.errors import UserError
from earmark.escalation import Escalation
from earmark.roles import can_review
from earmark.session import STORE_ERRORS
from earmark.store import Store

if TYPE_CHECKING:
    from earmark.audio.player import Player
from earmark.store.flags import Flag
from earmark.textsafe import clean

RECENT = 7 * 86400  # resolved escalations older than this are listed only on request


class ReviewApp(App[int]):
    CSS_PATH = "review.tcss"
    TITLE = "earmark review"
    ENABLE_COMMAND_PALETTE = False  # its footer entry would take room the review keys need

    KEYS = REVIEW_KEYS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(keys, action, label, tooltip=tip, id=bid, show=bid not in NOT_IN_FOOTER)
        for keys, action, label, tip, bid in KEYS
    ]

    def __init__(
        self,
        store: Store,
        user: str,
        *,
        player: Player | None = None,
        clock: Clock | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.clock: Clock = clock or store.clock or SYSTEM
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
        yield QueueTable(id="queue")
        yield CriticalTable(id="critical")
        yield EscalationDetail("", id="detail")
        yield Static("", id="review-status")
        yield Footer()

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        queue = self.query_one("#queue", QueueTable)
        self.query_one("#critical", CriticalTable).display = False
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
    def action_toggle_keys(self) -> None:
        from earmark.app.review_keys import ReviewKeysScreen

        rows = [(self._keymap.get(bid, keys), tip) for keys, _a, _l, tip, bid in self.KEYS]
        self.push_screen(ReviewKeysScreen(rows))

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
        self.query_one("#queue", QueueTable).fill(self.items, now)
        self.query_one("#critical", CriticalTable).fill(self.flags, self._clip_name)
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

    def _clip_name(self, clip_id: int) -> str:
        clip = self.store.clip(clip_id)
        return clip.name if clip else f"#{clip_id}"

    def selected(self) -> Escalation | None:
        key = self.query_one("#queue", QueueTable).selected_key()
        return next((e for e in self.items if str(e.id) == key), None)

    def selected_flag(self) -> Flag | None:
        key = self.query_one("#critical", CriticalTable).selected_key()
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
        except NoMatches:  # asked before the tables exist
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
        from earmark.audio import AudioError
        from earmark.audio.clip import open_clip

        try:
            # streamed when long: a reviewer checking a span never decodes a whole long file
            decoded = open_clip(clip.audio)
        except AudioError as exc:
            self._status(clean(str(exc)))
            return
        self.player.load(decoded.samples, decoded.samplerate, key=str(clip_id), gain=decoded.gain)
        self.player.play(start, end)
        self._status(f"playing clip {clean(clip.name)}, {span_text(start, end)}")

    def action_stop(self) -> None:
        if self.player is not None:
            self.player.stop()

    def _played(self, key: str | None, start: float, end: float, speed: float) -> None:
        """Player.on_played (any thread): every stretch a reviewer hears is logged."""
        if key is None:
            return
        try:
            self.store.log_play(self.user, int(key), start, end, speed)
        except STORE_ERRORS:  # never lose the UI over the log; verify would show the gap
            self.log.error("could not log a play")

    async def action_quit(self) -> None:
        if self.player is not None:
            self.player.stop()
            drain = getattr(self.player, "drain_events", None)
            if drain is not None:
                drain(1.0)
        self.exit(0)
