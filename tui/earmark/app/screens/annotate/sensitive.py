"""The annotator's sensitive-content actions, beside (not inside) the annotate screen.

It reaches the screen only through `Host`, a narrow interface of a dozen small methods, and
the store and wellbeing it is handed; the rules themselves (break offers, notices, which
words a selection marks) are in earmark/wellbeing.py and earmark/escalation.py.

What each key does:
- flag_critical records the flag at the playhead (or on the selected words) by itself, then
  opens a small panel whose enter keeps the defaults.
- flag_distressing stops playback before anything else, records the flag, puts a content
  warning on the clip (no autoplay for it, for anyone, from now on) and offers a break.
- escalate pauses playback and opens the escalate form (tier has no default).
The exposure meter is recomputed every few seconds (a cheap indexed query) and offers a
break once when the soft and once when the hard limit is passed each day. The annotator is
told when one of their escalations changes state, and can list them with state and outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from textual.screen import Screen

from earmark.app.screens.break_screen import BreakScreen
from earmark.app.screens.critical import CriticalFlagScreen
from earmark.app.screens.escalate import EscalateScreen, default_span
from earmark.app.screens.my_escalations import MyEscalationsScreen
from earmark.escalation import DeadlinePolicy, state_change_notice, words_in_selection
from earmark.session import STORE_ERRORS
from earmark.store import Clip, Flag, Store
from earmark.store.flags import warning_for
from earmark.wellbeing import BreakOffers, Wellbeing, break_reason, meter_text, start_of_day

METER_EVERY = 5.0  # seconds between exposure recomputations
POLL_EVERY = 15.0  # seconds between checks of the annotator's own escalations


class Host(Protocol):
    """What the sensitive-content part needs from the screen it serves."""

    def open_clip(self) -> Clip | None: ...
    def playhead(self) -> float: ...
    def stop_audio(self) -> None: ...
    def pause_audio(self) -> None: ...
    def selection(self) -> tuple[str, int, int]: ...  # text, selection start, end
    def set_flags(self, flags: list[Flag]) -> None: ...
    def show_message(self, text: str) -> None: ...
    def refresh_status(self) -> None: ...
    def is_top(self) -> bool: ...
    def open_panel(self, screen: Screen[Any], done: Callable[[Any], None] | None) -> None: ...
    def say(self, text: str, timeout: float = 4) -> None: ...
    def key(self, binding_id: str) -> str: ...


class Sensitive:
    def __init__(
        self,
        host: Host,
        store: Store,
        user: str,
        *,
        wellbeing: Wellbeing,
        policy: DeadlinePolicy,
    ) -> None:
        self.host = host
        self.store = store
        self.user = user
        self.wellbeing = wellbeing
        self.policy = policy
        self._meter_at: float | None = None
        self._meter = ""
        self._offers = BreakOffers()
        self._poll_at: float | None = None
        self._states = self._own_states()

    # -- the three keys -----------------------------------------------------------------
    def flag_critical(self) -> int | None:
        clip = self.host.open_clip()
        if clip is None or not self.host.is_top():
            return None
        at = self.host.playhead()
        text, start, end = self.host.selection()
        marked = words_in_selection(text, start, end)
        # The span to mute downstream: the words just heard, as for an escalation (a span of
        # length zero at the playhead would mute nothing).
        start_s, end_s = default_span(at, clip.duration)
        flag_id = self.store.add_flag(
            clip.id, "critical", self.user, start=start_s, end=end_s, redact=marked or None
        )
        self._refresh_marks(clip.id)

        def done(_changed: bool | None) -> None:
            self._refresh_marks(clip.id)
            f = self.store.flag(flag_id)
            if f is not None:
                what = f"{f.category or 'critical'}, {len(f.redact)} word(s) to redact"
                self.host.say(
                    f"Critical flag kept ({what}). This clip stays out of training exports."
                )

        panel = CriticalFlagScreen(self.store, flag_id, clip, text.split(), user=self.user)
        self.host.open_panel(panel, done)
        return flag_id

    def flag_distressing(self) -> int | None:
        clip = self.host.open_clip()
        if clip is None:
            return None
        at = self.host.playhead()
        self.host.stop_audio()  # first, before anything that could take time
        flag_id = self.store.add_flag(clip.id, "distressing", self.user, start=at, end=at)
        self._refresh_marks(clip.id)
        warning = self.content_warning(clip.id)
        if warning:
            self.host.show_message(warning)
        self._meter_at = None
        self.host.refresh_status()
        if self.host.is_top():
            self.offer_break(
                "You flagged this clip as distressing. Playback stopped, and it will "
                "not play by itself again, for you or anyone."
            )
        return flag_id

    def escalate(self) -> None:
        clip = self.host.open_clip()
        if clip is None or not self.host.is_top():
            return
        at = self.host.playhead()
        self.host.pause_audio()

        def done(esc_id: int | None) -> None:
            if esc_id is None:
                return
            e = self.store.escalation(esc_id)
            if e is None:
                return
            self._states[esc_id] = e.state
            self._refresh_marks(clip.id)
            warning = self.content_warning(clip.id)
            if warning:
                self.host.show_message(warning)
            when = dt.datetime.fromtimestamp(e.deadline).strftime("%a %H:%M")
            self.host.say(
                f"Escalation #{esc_id} sent ({e.tier}): a reviewer must act by {when}. "
                f"You will see its outcome here ({self.host.key('my_escalations')} lists yours).",
                timeout=6,
            )

        self.host.open_panel(
            EscalateScreen(self.store, clip, self.user, at, policy=self.policy), done
        )

    # -- what opening a clip asks --------------------------------------------------------
    def content_warning(self, clip_id: int, flags: Iterable[Flag] | None = None) -> str | None:
        """From the flags the screen already holds for this clip when given (no query on the
        UI thread), else from the store."""
        if flags is not None:
            return warning_for(
                f.kind
                for f in flags
                if f.clip_id == clip_id and getattr(f, "state", "active") == "active"
            )
        try:
            return self.store.content_warning(clip_id)
        except STORE_ERRORS:
            return None

    def autoplay_allowed(self, clip_id: int, flags: Iterable[Flag] | None = None) -> bool:
        return self.content_warning(clip_id, flags) is None

    def note_with_warning(self, clip_id: int, flags: Iterable[Flag], note: str) -> str:
        """The screen's message for a clip just opened: the content warning first."""
        warning = self.content_warning(clip_id, flags)
        return f"{warning} {note}".strip() if warning else note

    def _refresh_marks(self, clip_id: int) -> None:
        """Reload the open clip's flags after a change; the screen redraws its marks."""
        try:
            self.host.set_flags(self.store.flags_for_clip(clip_id))
        except STORE_ERRORS as exc:
            self.host.say(f"could not reload the flags: {exc}")

    # -- breaks and the meter ------------------------------------------------------------
    def offer_break(self, reason: str) -> None:
        if self.host.is_top():
            self.host.open_panel(
                BreakScreen(self.store, self.user, reason, wellbeing=self.wellbeing), None
            )

    def take_break(self) -> None:
        self.offer_break("A break, whenever you want one.")

    def meter(self) -> str:
        """The status line's exposure text; also offers a break once per limit per day."""
        now = self.store.clock.monotonic()
        if self._meter_at is not None and now - self._meter_at < METER_EVERY:
            return self._meter
        try:
            minutes = self.wellbeing.minutes_today()
            policy = self.wellbeing.policy
        except STORE_ERRORS:
            return self._meter  # asked again at the next refresh, not METER_EVERY later
        self._meter_at = now
        # nothing flagged heard yet today: keep the status line for the work
        self._meter = meter_text(minutes, policy) if minutes >= 0.05 else ""
        level = policy.level(minutes)
        day = start_of_day(self.store.clock.now())
        if self.host.is_top() and self._offers.due(level, day):
            self.offer_break(break_reason(level, minutes))
        self.poll_own()
        return self._meter

    # -- the annotator's own escalations -------------------------------------------------
    def _own_states(self) -> dict[int, str]:
        try:
            return {e.id: e.state for e in self.store.escalations(raised_by=self.user)}
        except STORE_ERRORS:
            return {}

    def poll_own(self, *, force: bool = False) -> list[str]:
        """Tell the annotator when one of their escalations moved; returns what was said."""
        now = self.store.clock.monotonic()
        if not force and self._poll_at is not None and now - self._poll_at < POLL_EVERY:
            return []
        self._poll_at = now
        said = []
        try:
            items = self.store.escalations(raised_by=self.user)
        except STORE_ERRORS:
            return []
        for e in items:
            before = self._states.get(e.id)
            if before is not None and before != e.state:
                text = state_change_notice(e)
                said.append(text)
                self.host.say(text, timeout=8)
            self._states[e.id] = e.state
        return said

    def show_mine(self) -> None:
        if self.host.is_top():
            self._states = self._own_states()
            self.host.open_panel(MyEscalationsScreen(self.store, self.user), None)
