"""The annotate screen's thread workers: moving between clips, pace counts, the suggester,
learning from a submit and saving the draft.

A mixin of AnnotateScreen, kept apart so the screen module stays about drawing and routing
keys. Everything slow or durable runs here, off the UI thread: each worker is handed plain
values (never a widget) and reports back with a typed message (messages.py), so a slow disk or
a locked database never freezes the terminal. A step that fails leaves the open clip as it was.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import Worker, WorkerState, get_current_worker

from earmark.app.screens.annotate.messages import (
    ClipShown,
    PaceCounted,
    SuggesterReady,
    WorkMayHaveCome,
)
from earmark.app.screens.annotate.suggestions import Learned, learn
from earmark.app.widgets.playback import prefetched
from earmark.session import STORE_ERRORS, ClipState, SessionError
from earmark.suggest import Suggester
from earmark.textsafe import clean

if TYPE_CHECKING:
    from textual.screen import Screen

    from earmark.app.screens.annotate.deps import AnnotateDeps
    from earmark.session import Session

    _Base = Screen[None]
else:
    _Base = object


# At the end of the queue, how long to wait for an announcement before looking for a clip
# anyway: a lease that ran out announces nothing, and SQLite announces nothing at all.
LOOK_AGAIN = 10.0


class ScreenWorkers(_Base):
    if TYPE_CHECKING:
        deps: AnnotateDeps
        session: Session

        def say(self, text: str, timeout: float = 4, severity: Any = "information") -> None: ...

    @work(thread=True, group="clip")
    def _transition(
        self,
        step: Callable[..., ClipState | None],
        args: tuple[Any, ...],
        width: int,
        learned: Learned | None,
    ) -> None:
        """Run one session step (submit, skip, move) off the UI thread, then report."""
        session = self.session
        try:
            state = step(*args)
        except (SessionError, ValueError) as exc:
            self.post_message(ClipShown(session.state(), str(exc)))
            return
        except STORE_ERRORS as exc:  # the disk is full, the database is locked, ...
            self.post_message(ClipShown(session.state(), f"not saved: {clean(str(exc))}"))
            return
        clip = state.clip if state else None
        try:
            flags = session.flags(clip.id) if clip else []
        except STORE_ERRORS:
            flags = []
        decoded = prefetched(self.deps.prefetcher, clip, width)
        self.post_message(ClipShown(state, None, flags, decoded, learned))
        if clip is not None:
            try:
                session.claim()  # durable, but the screen need not wait for it
            except STORE_ERRORS as exc:
                self.post_message(ClipShown(session.state(), f"could not claim the clip: {exc}"))
            self.deps.prefetcher.prefetch(clip.audio)
            upcoming = session.upcoming()
            if upcoming is not None:
                self.deps.prefetcher.prefetch(upcoming.audio)
        self._pace_now()

    def _pace_now(self) -> None:
        # on a store error the figures stay as they were; the next count tries again
        with contextlib.suppress(*STORE_ERRORS):
            self.post_message(PaceCounted(self.session.done_today(), self.session.clips_per_hour()))

    @work(thread=True, exclusive=True, group="pace")
    def _count_pace(self) -> None:
        self._pace_now()

    @work(thread=True, group="suggest")
    def _build_suggester(self, make: Callable[[], Suggester | None]) -> None:
        try:
            suggester = make()
        except STORE_ERRORS as exc:
            self.post_message(SuggesterReady(None, f"suggestions unavailable: {exc}"))
            return
        self.post_message(SuggesterReady(suggester, None if suggester else "suggestions off"))

    @work(thread=True, group="learn", exit_on_error=False)
    def _learn(self, suggester: Suggester, item: Learned) -> None:
        """A failure here never touches the submit, which is on disk already."""
        learn(suggester, item, self.session.redaction_marks)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "learn" and event.state == WorkerState.ERROR:
            self.say("suggestions could not learn from that transcript", severity="warning")

    @work(thread=True, exclusive=True, group="wake")
    def wait_for_work(self) -> None:
        """At the end of the queue: report when work may have come (announced, or LOOK_AGAIN
        passed), so the annotator is given it without a key. Cancelled when a clip shows."""
        worker = get_current_worker()
        waited = 0.0
        while not worker.is_cancelled and waited < LOOK_AGAIN:
            try:
                if self.session.wait_for_work(1.0):
                    break
            except STORE_ERRORS:
                time.sleep(1.0)  # the connection is down: the next look says so
            waited += 1.0
        if not worker.is_cancelled:
            self.post_message(WorkMayHaveCome())

    @work(thread=True, group="draft")
    def _save_draft(self) -> None:
        try:
            self.session.save_draft()
        except STORE_ERRORS as exc:
            self.app.call_from_thread(self.say, f"draft not saved: {exc}", 6, "error")
