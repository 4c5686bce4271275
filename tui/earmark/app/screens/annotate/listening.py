"""A second listen in the annotator: earmark decodes the open clip itself, and the words its
runners-up heard in place of each guess word rank higher among the slots.

A mixin of AnnotateScreen, beside the acoustic check (check.py) and gated by it: where the
check cannot run (no pocketsphinx) there is no second listen either, and the suggestions
rank as before. When a clip is shown a thread worker is handed plain values (clip id,
audio path, guess) and asks a child process of its own (earmark.align.service: decoding
holds the GIL for seconds, and the check's child must stay free for the checks typed while
it runs) for the clip's n-best hypotheses; it posts `HeardDone`, and the suggester is told
(`Suggester.set_heard`) if that clip is still open. Decoding takes about a third of the
clip's length: by the time the clip has been heard once, its second listen is in.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from earmark.suggest.heard import MAX_HYPOTHESES, Heard

if TYPE_CHECKING:
    from textual.screen import Screen

    from earmark.app.screens.annotate.deps import AnnotateDeps
    from earmark.app.screens.annotate.suggestions import Suggestions
    from earmark.session import ClipState

    _Base = Screen[None]
else:
    _Base = object

LISTEN_MAX_SECONDS = 60.0  # longer clips are not decoded again (seconds of CPU a clip)


class Listener:
    """The second listen's child process, started at its first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._service: Any = None

    def hypotheses(self, samples: Any, samplerate: int) -> list[str]:
        from earmark.align.service import CheckService

        with self._lock:
            if self._service is None:
                self._service = CheckService()
            service = self._service
        return list(service.listen(samples, samplerate, MAX_HYPOTHESES))

    def pids(self) -> list[int]:
        return self._service.pids() if self._service is not None else []


LISTENER = Listener()


@dataclass(eq=False)
class HeardDone(Message):
    """The second listen to clip `clip_id` finished: what it heard against the guess."""

    clip_id: int
    heard: Heard


class SecondListen(_Base):
    if TYPE_CHECKING:
        clip_state: ClipState | None
        suggest: Suggestions
        deps: AnnotateDeps

        def _update_suggestions(self) -> None: ...

        @property
        def check_ok(self) -> bool | None: ...

        def audio_of(self, path: str) -> tuple[Any, int]: ...

    def listen_to_open_clip(self) -> None:
        """Start the second listen of the clip now shown (once the check can run)."""
        s = self.clip_state
        if not self.deps.second_listen or not self.check_ok or s is None:
            return
        if not s.clip.playable or not s.clip.asr.strip():
            return
        if s.clip.duration is not None and s.clip.duration > LISTEN_MAX_SECONDS:
            return
        self._listen(s.clip.id, s.clip.audio, s.clip.asr)

    @work(thread=True, group="listen", exclusive=True, exit_on_error=False)
    def _listen(self, clip_id: int, audio: str, guess: str) -> None:
        """A failed listen leaves the suggestions as they were: it is a help, not a step."""
        samples, rate = self.audio_of(audio)
        heard = Heard(guess, LISTENER.hypotheses(samples, rate))
        self.post_message(HeardDone(clip_id, heard))

    def on_heard_done(self, msg: HeardDone) -> None:
        s = self.clip_state
        if s is None or s.clip.id != msg.clip_id:
            return  # another clip is open: its own listen is on its way
        if self.suggest.hear(msg.clip_id, msg.heard):
            self._update_suggestions()
