"""The Session's part in listening before submitting and in time on task (the rules are in
listening.py): which batch rule applies to the open clip, the stretches heard, the status
line's "heard 40%, need 80%", the refusal, and the audit line of what was heard.

A mixin of Session, so workflow.py only calls in at the points that matter (opening a
clip, an edit, a stretch played, a submit).
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

from earmark.errors import UserError
from earmark.session.listening import Coverage, Span, TaskClock
from earmark.session.records import Detail
from earmark.session.state import STORE_ERRORS, SessionError
from earmark.store import Clip, Store

if TYPE_CHECKING:
    from earmark.clock import Clock

MAX_SPANS = 50  # spans kept in the audit line; the share and seconds cover the rest


class ListenFirst(SessionError):
    """A submit refused because too little of the clip has been heard; nothing is lost."""


class HeardMixin:
    if TYPE_CHECKING:
        store: Store
        user: str
        clock: Clock
        current: Clip | None
        _lock: threading.RLock

        def _audit(
            self,
            action: str,
            clip_id: int | None = None,
            detail: Detail = None,
        ) -> None: ...

    _coverage: Coverage
    _task: TaskClock

    def min_listen(self, clip: Clip) -> float:
        """The share of the clip its batch requires heard (0: no rule)."""
        if not clip.batch:
            return 0.0
        try:
            value = self.store.batch_settings(clip.batch).min_listen
        except STORE_ERRORS:
            return 0.0  # the rule cannot be read now: the store's error shows elsewhere
        except (LookupError, UserError):
            return 0.0  # no settings for this batch
        return float(value or 0.0)

    def _start_timing(self, clip: Clip | None, prior: float) -> None:
        """A clip was opened: its time so far (from its draft), its batch's rule and what
        was heard of it in earlier visits."""
        self._task = TaskClock(self.clock.monotonic(), prior)
        if clip is None:
            self._coverage = Coverage(None, 0.0)
            return
        required = self.min_listen(clip)
        spans: list[Span] = []
        if required > 0:
            with contextlib.suppress(*STORE_ERRORS):
                spans = [(p["start"], p["end"]) for p in self.store.plays(clip.id, self.user)]
        self._coverage = Coverage(clip.duration, required, spans)

    def touch(self) -> None:
        """A key was pressed or playback is running: the annotator is not idle."""
        self._task.touch(self.clock.monotonic())

    def _heard(self, clip_name: str | None, start: float, end: float, speed: float) -> None:
        current = self.current
        if current is None or (clip_name is not None and clip_name != current.name):
            return
        self._coverage.add(start, end, speed)
        self._task.touch(self.clock.monotonic(), busy=(end - start) / max(speed, 0.01))

    def listen_left(self, live: Span | None = None) -> str:
        """For the status line: what is still to hear ('' when nothing is asked or it is met).
        `live` is the stretch playing now, not yet reported."""
        return self._coverage.left_text(live) if self.current is not None else ""

    def listen_refusal(self, live: Span | None = None, hint: str = "") -> str | None:
        """The message the screen shows instead of submitting, or None when allowed."""
        if self.current is None or self._coverage.satisfied(live):
            return None
        return self._coverage.refusal(hint)

    def _require_heard(self, clip: Clip, how: str) -> None:
        """Called under the session's lock before a submit or accept_asr is written."""
        cov = self._coverage
        if not cov.satisfied():
            raise ListenFirst(cov.refusal())
        detail = {
            "how": how,
            "heard_share": round(cov.share(), 3),
            "required": cov.required,
            "listening_seconds": round(cov.listening_seconds, 2),
            "spans": [[round(a, 2), round(b, 2)] for a, b in cov.spans()[:MAX_SPANS]],
        }
        self._audit("heard", clip.id, detail)
