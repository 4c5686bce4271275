"""The session's audit and exposure records: what the annotator heard, and session events
(start, end, reopening a clip), written in order by one background thread.

The player reports what was heard from whatever thread stopped it (often the UI's), and a
durable write must not stall it, so these writes go through a single-thread executor. They are
the escalation area's records: a failing write never stops annotation. Submits and skips are
audited by the store itself, in the same transaction as the write.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from earmark.session.state import STORE_ERRORS
from earmark.store import Clip, Store

Detail = Mapping[str, Any] | str | None  # an audit line's detail: fields, or one line of text


class Records:
    """Queues audit and exposure writes for one annotator (when the store offers them)."""

    def __init__(self, store: Store, user: str) -> None:
        self.store = store
        self.user = user
        self._bg = ThreadPoolExecutor(max_workers=1, thread_name_prefix="earmark-audit")

    def log_play(
        self, current: Clip | None, clip_name: str | None, start: float, end: float, speed: float
    ) -> None:
        """A stretch of audio heard while `current` was open (any thread, never blocks)."""
        if getattr(self.store, "log_play", None) is None or end <= start:
            return
        try:
            self._bg.submit(self._log_play, current, clip_name, start, end, speed)
        except RuntimeError:  # closed: the session is over, write it now
            self._log_play(current, clip_name, start, end, speed)

    def flush(self) -> None:
        """Wait for the records queued so far (tests, shutdown)."""
        with contextlib.suppress(RuntimeError):  # closed: nothing is queued
            self._bg.submit(lambda: None).result(timeout=10)

    def shutdown(self) -> None:
        """Write what is queued and stop the thread; later records are written directly."""
        self._bg.shutdown(wait=True)

    def _log_play(
        self, clip: Clip | None, clip_name: str | None, start: float, end: float, speed: float
    ) -> None:
        log = self.store.log_play
        if clip is None or (clip_name is not None and clip.name != clip_name):
            found = self.store.clip_by_name(clip_name) if clip_name else None
            if found is None:
                return
            clip = found
        # the audit log is the escalation area's; never stop annotation
        with contextlib.suppress(*STORE_ERRORS):
            log(self.user, clip.id, start, end, speed)

    def audit(
        self,
        action: str,
        clip_id: int | None = None,
        detail: Detail = None,
    ) -> None:
        """A session event for the audit log, written in order by the background thread."""
        append = getattr(self.store, "audit_append", None)
        if append is None:
            return

        def write() -> None:
            # the audit log is the escalation area's; never stop annotation
            with contextlib.suppress(*STORE_ERRORS):
                append(self.user, action, clip=clip_id, detail=detail)

        try:
            self._bg.submit(write)
        except RuntimeError:  # closed
            write()
