"""The annotator's sensitive-content actions, kept beside (not inside) the annotate screen.

The annotate screen calls `sensitive_for(screen).flag_critical()` and so on; everything
about flags, escalations, content warnings, the exposure meter, breaks and the annotator's
own escalations lives here, so the screen's own code stays about transcribing.

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
import re

from earmark.config import load_settings
from earmark.errors import UserError
from earmark.escalation import DeadlinePolicy
from earmark.store.flags import warning_for
from earmark.textsafe import clean
from earmark.wellbeing import Wellbeing, start_of_day

METER_EVERY = 5.0  # seconds between exposure recomputations
POLL_EVERY = 15.0  # seconds between checks of the annotator's own escalations
_WORD = re.compile(r"\S+")


def sensitive_for(screen) -> Sensitive:
    """The screen's Sensitive helper, created on first use."""
    helper = getattr(screen, "_sensitive", None)
    if helper is None:
        helper = Sensitive(screen)
        screen._sensitive = helper
    return helper


def words_in_selection(text: str, start: int, end: int) -> list[int]:
    """Indexes (in text.split()) of the words a selection [start, end) touches."""
    lo, hi = min(start, end), max(start, end)
    if lo == hi:
        return []
    return [i for i, m in enumerate(_WORD.finditer(text)) if m.start() < hi and m.end() > lo]


def _settings() -> dict:
    try:
        return load_settings()
    except UserError:
        return {}  # a broken settings file is reported by the command; keep the defaults here


class Sensitive:
    def __init__(self, screen, *, settings: dict | None = None) -> None:
        self.screen = screen
        app = screen.app
        self.store = app.store
        self.user = app.session.user
        self.settings = _settings() if settings is None else settings
        self.wellbeing = Wellbeing(self.store, self.user, settings=self.settings)
        app.session.wellbeing = self.wellbeing  # the queue routes with the same limits
        try:
            self.policy = DeadlinePolicy.from_settings(self.settings)
        except UserError:
            self.policy = DeadlinePolicy()
        self._meter_at: float | None = None
        self._meter = ""
        self._offered: set[tuple[float, str]] = set()  # (day, level) a break was offered for
        self._poll_at: float | None = None
        self._states = self._own_states()

    # -- helpers --------------------------------------------------------------------------
    def _clip(self):
        state = self.screen.clip_state
        return state.clip if state is not None else None

    def _say(self, text: str, **kw) -> None:
        self.screen.notify(clean(text), markup=False, **kw)

    def _top(self) -> bool:
        """Only the annotate screen itself may open a panel (never over another one)."""
        try:
            return self.screen.app.screen is self.screen
        except Exception:
            return False

    def _editor(self):
        from earmark.app.widgets.editor import TranscriptInput

        return self.screen.query_one(TranscriptInput)

    # -- the three keys -----------------------------------------------------------------
    def flag_critical(self) -> int | None:
        clip = self._clip()
        if clip is None or not self._top():
            return None
        at = self.screen.playhead()
        editor = self._editor()
        text = editor.value
        sel = getattr(editor, "selection", None)
        marked = words_in_selection(text, sel.start, sel.end) if sel is not None else []
        flag_id = self.store.add_flag(
            clip.id, "critical", self.user, start=at, end=at, redact=marked or None
        )
        self._refresh_marks(clip.id)
        from earmark.app.screens.critical import CriticalFlagScreen

        def done(changed: bool | None) -> None:
            self._refresh_marks(clip.id)
            f = self.store.flag(flag_id)
            if f is not None:
                what = f"{f.category or 'critical'}, {len(f.redact)} word(s) to redact"
                self._say(
                    f"Critical flag kept ({what}). This clip stays out of training exports.",
                    timeout=4,
                )

        self.screen.app.push_screen(
            CriticalFlagScreen(self.store, flag_id, clip, text.split(), user=self.user), done
        )
        return flag_id

    def flag_distressing(self) -> int | None:
        clip = self._clip()
        if clip is None:
            return None
        at = self.screen.playhead()
        player = self.screen.player
        if player is not None:
            try:
                player.stop()  # first, before anything that could take time
            except Exception:
                pass
        flag_id = self.store.add_flag(clip.id, "distressing", self.user, start=at, end=at)
        self._refresh_marks(clip.id)
        warning = self.content_warning(clip.id)
        if warning:
            self.screen._set_message(warning)
        self._meter_at = None
        try:
            self.screen._refresh_status()
        except Exception:
            pass
        if self._top():
            self.offer_break(
                "You flagged this clip as distressing. Playback stopped, and it will "
                "not play by itself again, for you or anyone."
            )
        return flag_id

    def escalate(self) -> None:
        clip = self._clip()
        if clip is None or not self._top():
            return
        at = self.screen.playhead()
        player = self.screen.player
        if player is not None and getattr(player, "state", "") == "playing":
            try:
                player.pause()
            except Exception:
                pass
        from earmark.app.screens.escalate import EscalateScreen

        def done(esc_id: int | None) -> None:
            if esc_id is None:
                return
            e = self.store.escalation(esc_id)
            self._states[esc_id] = e.state
            self._refresh_marks(clip.id)
            warning = self.content_warning(clip.id)
            if warning:
                self.screen._set_message(warning)
            when = dt.datetime.fromtimestamp(e.deadline).strftime("%a %H:%M")
            try:
                key = f" ({self.screen._key('my_escalations')} lists yours)"
            except Exception:
                key = ""
            self._say(
                f"Escalation #{esc_id} sent ({e.tier}): a reviewer must act by {when}. "
                f"You will see its outcome here{key}.",
                timeout=6,
            )

        self.screen.app.push_screen(
            EscalateScreen(self.store, clip, self.user, at, policy=self.policy), done
        )

    # -- what opening a clip asks --------------------------------------------------------
    def content_warning(self, clip_id: int, flags=None) -> str | None:
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
        except Exception:
            return None

    def autoplay_allowed(self, clip_id: int, flags=None) -> bool:
        return self.content_warning(clip_id, flags) is None

    def note_with_warning(self, clip_id: int, flags, note: str) -> str:
        """The screen's message for a clip just opened: the content warning first."""
        warning = self.content_warning(clip_id, flags)
        return f"{warning} {note}".strip() if warning else note

    def _refresh_marks(self, clip_id: int) -> None:
        """The screen keeps the open clip's flags; reload them after a change, redraw marks."""
        try:
            if hasattr(self.screen, "flags"):
                self.screen.flags = self.store.flags_for_clip(clip_id)
            self.screen._update_marks()
        except Exception:
            pass

    # -- breaks and the meter ------------------------------------------------------------
    def offer_break(self, reason: str) -> None:
        if not self._top():
            return
        from earmark.app.screens.rest import BreakScreen

        self.screen.app.push_screen(
            BreakScreen(self.store, self.user, reason, wellbeing=self.wellbeing)
        )

    def take_break(self) -> None:
        self.offer_break("A break, whenever you want one.")

    def meter(self) -> str:
        """The status line's exposure text; also offers a break once per limit per day."""
        now = self.store.clock.monotonic()
        if self._meter_at is not None and now - self._meter_at < METER_EVERY:
            return self._meter
        self._meter_at = now
        try:
            minutes = self.wellbeing.minutes_today()
            policy = self.wellbeing.policy
        except Exception:
            return self._meter
        from earmark.wellbeing import meter_text

        # nothing flagged heard yet today: keep the status line for the work
        self._meter = meter_text(minutes, policy) if minutes >= 0.05 else ""
        level = policy.level(minutes)
        day = start_of_day(self.store.clock.now())
        if level != "ok" and (day, level) not in self._offered and self._top():
            self._offered.add((day, level))
            if level == "hard":
                self.offer_break(
                    f"You have heard {minutes:.0f} min of flagged audio today, the "
                    "limit. Clips others flagged distressing will not be given to you "
                    "today."
                )
            else:
                self.offer_break(
                    f"You have heard {minutes:.0f} min of flagged audio today. Time for a break."
                )
        self.poll_own()
        return self._meter

    # -- the annotator's own escalations -------------------------------------------------
    def _own_states(self) -> dict[int, str]:
        try:
            return {e.id: e.state for e in self.store.escalations(raised_by=self.user)}
        except Exception:
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
        except Exception:
            return []
        for e in items:
            before = self._states.get(e.id)
            if before is not None and before != e.state:
                if e.state == "resolved":
                    text = (
                        f"Your escalation #{e.id} ({e.category}) was resolved: "
                        f"{(e.outcome or '').replace('_', ' ')}."
                    )
                elif e.state == "acknowledged":
                    text = f"Your escalation #{e.id} ({e.category}): a reviewer has it."
                else:
                    text = f"Your escalation #{e.id} ({e.category}): decided, awaiting a second reviewer."
                said.append(text)
                self._say(text, timeout=8)
            self._states[e.id] = e.state
        return said

    def show_mine(self) -> None:
        if not self._top():
            return
        from earmark.app.screens.mine import MyEscalationsScreen

        self._states = self._own_states()
        self.screen.app.push_screen(MyEscalationsScreen(self.store, self.user))
