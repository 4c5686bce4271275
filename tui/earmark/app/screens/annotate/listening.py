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

The same child also answers the offer's `Choice` once a letter is typed: which of the best
candidates the audio supports between the words before and after (earmark.align.choose, a
decode of the clip: 0.1 s for 7 seconds of audio). The answer leads the slots when it comes
back, if the bar still shows that offer; answers are kept for the open clip, so typing back
to the same letters is answered at once. Choices too run one at a time, the latest waiting.
An answer later than CHOICE_SETTLE after its question was first shown does not redraw the
bar (it is kept for the next time that text is offered): by then the annotator may be
reading the bar, and a slot key must take the word they read, not one
that moved into its place as they pressed it (a keys test in tmux caught `them` taken for
`the` that way). On clips of a few seconds the answer is in within a tenth of a second.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from earmark.suggest import Choice
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
CHOICE_SETTLE = 0.25  # seconds after a question is shown when its answer may still reorder
# the slots (less than the time to read a bar of five words and press a key)


class Listener:
    """The second listen's child process, started at its first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._service: Any = None

    def _service_(self) -> Any:
        from earmark.align.service import CheckService

        with self._lock:
            if self._service is None:
                self._service = CheckService()
            return self._service

    def hypotheses(self, samples: Any, samplerate: int) -> list[str]:
        return list(self._service_().listen(samples, samplerate, MAX_HYPOTHESES))

    def choose(self, samples: Any, samplerate: int, choice: Choice) -> str | None:
        before, cands, after = list(choice.before), list(choice.candidates), list(choice.after)
        won = self._service_().choose(samples, samplerate, before, cands, after)
        return None if won is None else str(won)


LISTENER = Listener()


@dataclass(eq=False)
class HeardDone(Message):
    """The second listen to clip `clip_id` finished: what it heard against the guess, or
    None when it failed (a help, not a step: the suggestions stay as they were)."""

    clip_id: int
    heard: Heard | None


@dataclass(eq=False)
class ChoiceDone(Message):
    """The audio answered `choice` for clip `clip_id`: the candidate it supports, or None
    (nothing fits, or the decode failed: the slots stay as they are)."""

    clip_id: int
    choice: Choice
    won: str | None


@dataclass
class _ListenState:
    running: bool = False
    pending: tuple[int, str, str] | None = None  # the clip opened while one was decoded
    choosing: bool = False
    choice_pending: tuple[int, str, Choice] | None = None  # asked while one was decoded
    asked_at: dict[Choice, float] = field(default_factory=dict)  # first shown (monotonic)


class SecondListen(_Base):
    """One listen at a time, and only ever the latest clip waiting: Textual runs thread
    workers on asyncio's default executor (a handful of threads), so listens piling up while
    the annotator moves faster than decoding would take every thread and hold up the very
    transitions to the next clip (measured: submit-to-next at 0.7-1.9 s on 1,000,000 clips,
    against 0.05 s without them). A clip left before its turn is never decoded."""

    if TYPE_CHECKING:
        clip_state: ClipState | None
        suggest: Suggestions
        deps: AnnotateDeps

        def _update_suggestions(self) -> None: ...

        @property
        def check_ok(self) -> bool | None: ...

        def audio_of(self, path: str) -> tuple[Any, int]: ...

    @property
    def listen_state(self) -> _ListenState:
        state = self.__dict__.get("_listen_state")
        if state is None:
            state = self.__dict__["_listen_state"] = _ListenState()
        return state

    def _listenable(self) -> bool:
        s = self.clip_state
        if not self.deps.second_listen or not self.check_ok or s is None:
            return False
        if not s.clip.playable or not s.clip.asr.strip():
            return False
        return s.clip.duration is None or s.clip.duration <= LISTEN_MAX_SECONDS

    def listen_to_open_clip(self) -> None:
        """Start the second listen of the clip now shown (once the check can run)."""
        s = self.clip_state
        if s is None or not self._listenable():
            return
        st = self.listen_state
        request = (s.clip.id, s.clip.audio, s.clip.asr)
        if st.running:
            st.pending = request  # after the one being decoded; any earlier one is dropped
            return
        st.running = True
        self._listen(*request)

    @work(thread=True, group="listen", exit_on_error=False)
    def _listen(self, clip_id: int, audio: str, guess: str) -> None:
        heard: Heard | None = None
        try:
            samples, rate = self.audio_of(audio)
            heard = Heard(guess, LISTENER.hypotheses(samples, rate))
        except Exception:  # noqa: BLE001  (a failed listen changes nothing)
            pass
        self.post_message(HeardDone(clip_id, heard))

    def on_heard_done(self, msg: HeardDone) -> None:
        st = self.listen_state
        st.running = False
        s = self.clip_state
        open_id = s.clip.id if s is not None else None
        heard = msg.heard
        if heard is not None and open_id == msg.clip_id and self.suggest.hear(open_id, heard):
            self._update_suggestions()
        waiting, st.pending = st.pending, None
        if waiting is not None and waiting[0] == open_id and waiting[0] != msg.clip_id:
            st.running = True
            self._listen(*waiting)

    def ask_audio(self, choice: Choice | None) -> None:
        """Ask the audio which candidate of the offer shown it supports, unless known."""
        s = self.clip_state
        if choice is None or s is None or self.suggest.knows(s.clip.id, choice):
            return
        if not self._listenable():
            return
        st = self.listen_state
        if len(st.asked_at) >= 256:
            st.asked_at.clear()
        st.asked_at.setdefault(choice, time.monotonic())
        request = (s.clip.id, s.clip.audio, choice)
        if st.choosing:
            st.choice_pending = request  # after the one being decoded; an earlier one dropped
            return
        st.choosing = True
        self._choose(*request)

    @work(thread=True, group="choose", exit_on_error=False)
    def _choose(self, clip_id: int, audio: str, choice: Choice) -> None:
        won: str | None = None
        try:
            samples, rate = self.audio_of(audio)
            won = LISTENER.choose(samples, rate, choice)
        except Exception:  # noqa: BLE001  (a failed choice changes nothing)
            pass
        self.post_message(ChoiceDone(clip_id, choice, won))

    def on_choice_done(self, msg: ChoiceDone) -> None:
        st = self.listen_state
        st.choosing = False
        asked = st.asked_at.pop(msg.choice, None)
        late = asked is None or time.monotonic() - asked > CHOICE_SETTLE
        # a late answer is kept for the next time the same text is offered (typed back to),
        # but the bar the annotator may be reading now stays as it is
        if self.suggest.chose(msg.clip_id, msg.choice, msg.won) and not late:
            self._update_suggestions()
        waiting, st.choice_pending = st.choice_pending, None
        s = self.clip_state
        if waiting is None or s is None or waiting[0] != s.clip.id:
            return
        if not self.suggest.knows(waiting[0], waiting[2]):
            st.choosing = True
            self._choose(*waiting)
