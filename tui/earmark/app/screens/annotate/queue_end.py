"""The annotate screen at the end of the queue: nothing to edit, what is left and why, and
the next clip given as soon as work comes (announced by PostgreSQL, or found on a later look),
so an annotator who finished early never has to restart earmark to get more.

A mixin of AnnotateScreen over its workers; the waiting runs in
ScreenWorkers.wait_for_work and reports with WorkMayHaveCome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from earmark.app.screens.annotate.messages import WorkMayHaveCome
from earmark.app.screens.annotate.workers import ScreenWorkers
from earmark.app.widgets.asr import AsrView
from earmark.app.widgets.suggestions import SuggestionsBar

if TYPE_CHECKING:
    from earmark.app.widgets.editor import TranscriptInput
    from earmark.app.widgets.playback import Playback
    from earmark.session import ClipState, Session


class QueueEnd(ScreenWorkers):
    if TYPE_CHECKING:
        session: Session
        clip_state: ClipState | None
        busy: bool

        @property
        def editor(self) -> TranscriptInput: ...
        @property
        def playback(self) -> Playback: ...
        def key(self, binding_id: str) -> str: ...
        def show_message(self, text: str) -> None: ...
        def _refresh_status(self) -> None: ...

    def show_end(self) -> None:
        editor = self.editor
        editor.load("", 0)
        editor.reset_history()
        editor.disabled = True
        self.query_one(AsrView).show(None)
        self.playback.show_clip(None, None, may_start=False)
        self.playback.show_message(f"End of the queue. {self.key('prev_clip')} goes back.")
        self.query_one(SuggestionsBar).show([], [], status="")
        self.show_message(self.session.queue_left().describe())
        self._refresh_status()
        self.wait_for_work()

    def on_work_may_have_come(self, _msg: WorkMayHaveCome) -> None:
        if self.clip_state is None and not self.busy:
            self.busy = True
            self._transition(self.session.resume, (), self.playback.wave.size.width, None)
