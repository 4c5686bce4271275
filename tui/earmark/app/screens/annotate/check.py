"""The acoustic check in the annotator: the transcript aligned to the clip as it is typed, and
the words the audio does not support underlined in the editor.

A mixin of AnnotateScreen. When typing pauses for CHECK_DELAY the text is checked in a thread
worker (earmark.align, pocketsphinx) that is handed plain values (clip id, audio path, text)
and reports back with `CheckDone`; it never reads a widget. One check runs at a time: text
typed meanwhile is checked when it finishes, and a result for text that has changed since is
dropped (the marks it would give are for words that may have moved). Keys never wait for it.

Submitting is never blocked by marks. After a submit, the submitted text's word timings and
how many words were marked are kept with the clip (store.record_check), from the result
already shown when it is for exactly that text, else from a check run then, in the
background, so the next clip never waits. Those run one at a time, and at most
RECORD_BACKLOG wait: an annotator submitting faster than the checks run would otherwise
pile up a thread per clip; the oldest waiting falls off, and `earmark asr --timings` (the
backfill) makes its timings later. Without pocketsphinx the check is off and the annotator
is told why once.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from textual import work
from textual.message import Message

from earmark.app.screens.annotate.check_marks import (
    Checked,
    Verdict,
    marked_spans,
    next_mark,
    on_mark,
    word_time,
)
from earmark.store import Word
from earmark.textsafe import clean

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.timer import Timer

    from earmark.app.screens.annotate.deps import AnnotateDeps
    from earmark.app.widgets.editor import TranscriptInput
    from earmark.session import ClipState

    _Base = Screen[None]
else:
    _Base = object

CHECK_DELAY = 0.3  # seconds of no typing before the text is checked
CHECK_MAX_SECONDS = 120.0  # longer clips are not checked while typing (about a second a check)
RECORD_BACKLOG = 8  # submitted texts waiting for their timings; older ones are left to backfill


class CheckEngine:
    """earmark.align in a child process (earmark.align.service: pocketsphinx holds the GIL
    while it aligns, which in a thread here stalled every key), started by `available`."""

    def __init__(self) -> None:
        self._service: Any = None

    def available(self) -> tuple[bool, str]:
        from earmark.align import installed
        from earmark.align.service import CheckService

        ok, reason = installed()  # here first: the one-line reason, and no child without it
        if not ok:
            return ok, reason
        if self._service is None:
            self._service = CheckService()
        return self._service.start()

    def check(self, samples: np.ndarray, samplerate: int, text: str) -> tuple[list[Verdict], str]:
        if self._service is None:
            raise RuntimeError("the acoustic check has not started")
        words, reason = self._service.check(samples, samplerate, text)
        return [Verdict(*w) for w in words], reason


ENGINE = CheckEngine()


class _Audio:
    """The samples of the last two clips checked (the open one, and the one just submitted
    whose timings are still being made), decoded once in a worker thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, tuple[np.ndarray, int]] = {}

    def get(self, path: str) -> tuple[np.ndarray, int]:
        from earmark.audio import load, probe

        with self._lock:
            found = self._data.pop(path, None)
            if found is None:
                if probe(path).duration > CHECK_MAX_SECONDS:  # never decode a long file whole
                    raise ValueError("clip too long")
                found = load(path)
            self._data[path] = found
            while len(self._data) > 2:
                del self._data[next(iter(self._data))]
            return found


@dataclass(eq=False)
class CheckDone(Message):
    """A check finished: the verdicts for `text` of clip `clip_id`, or why there are none."""

    clip_id: int
    text: str
    checked: Checked | None
    reason: str
    typed_at: float  # monotonic time of the keystroke that made `text`


@dataclass(eq=False)
class CheckReady(Message):
    """Whether the check can run on this machine, and if not, why (one line)."""

    ok: bool
    reason: str


@dataclass(eq=False)
class RecordDone(Message):
    """The timings of one submitted text are kept (or failed): the next may start."""


_Record = tuple[int, str, str, Checked | None]  # clip id, audio, submitted text, result


@dataclass
class _CheckState:
    ok: bool | None = None  # unknown until the engine says
    checked: Checked | None = None
    running: bool = False
    timer: Timer | None = None
    typed_at: float = 0.0
    note: str = ""  # why the open clip is not checked, for the status line
    # keystroke to marks shown, the last few hundred checks (tests/bench/bench_checkui.py)
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=500))
    to_record: deque[_Record] = field(default_factory=lambda: deque(maxlen=RECORD_BACKLOG))
    recording: bool = False


def _normal(text: str) -> str:
    """The text as the session stores it on submit (cleaned, single spaces)."""
    return " ".join(clean(text).split())


class TranscriptCheck(_Base):
    if TYPE_CHECKING:
        deps: AnnotateDeps
        clip_state: ClipState | None

        @property
        def editor(self) -> TranscriptInput: ...
        def say(self, text: str, timeout: float = 4, severity: Any = "information") -> None: ...
        def refresh_status(self) -> None: ...
        def listen_to_open_clip(self) -> None: ...

    _audio = _Audio()

    @property
    def check_ok(self) -> bool | None:
        """Whether the acoustic check (and with it the second listen) runs here."""
        return self.check_state.ok

    def audio_of(self, path: str) -> tuple[np.ndarray, int]:
        """The samples of a clip checked or listened to now (decoded once, in a worker)."""
        return self._audio.get(path)

    @property
    def check_state(self) -> _CheckState:
        state = self.__dict__.get("_check_state")
        if state is None:
            state = self.__dict__["_check_state"] = _CheckState()
        return state

    # -- set-up and the status line ---------------------------------------------------------
    @work(thread=True, group="check")
    def check_setup(self) -> None:
        """Ask whether the engine is there (and load its model) before the first check."""
        try:
            ok, reason = ENGINE.available()
        except Exception as exc:  # noqa: BLE001  (a broken install must not stop the annotator)
            ok, reason = False, f"acoustic check off: {type(exc).__name__}: {exc}"
        self.post_message(CheckReady(ok, reason))

    def on_check_ready(self, msg: CheckReady) -> None:
        self.check_state.ok = msg.ok
        if not msg.ok:
            self.say(msg.reason or "acoustic check off", timeout=8, severity="warning")
        self._check_due()
        self.listen_to_open_clip()

    def check_status(self) -> str:
        """The status line's part: how many words are marked now ("✗ 2 to hear again")."""
        st = self.check_state
        if not st.ok or self.clip_state is None:
            return ""
        if st.note:
            return st.note
        n = len(marked_spans(st.checked, self.editor.value))
        return f"✗ {n} to hear again" if n else ""

    # -- following the text -----------------------------------------------------------------
    def check_clip_shown(self) -> None:
        """Another clip: no marks until its first check, which starts at once."""
        st = self.check_state
        st.checked, st.note = None, ""
        st.typed_at = time.monotonic()
        self._show_marks()
        if st.timer is not None:
            st.timer.stop()
            st.timer = None
        self._check_due()
        self.listen_to_open_clip()

    def check_edited(self) -> None:
        """The text changed: carry the marks over to it, and check it once typing pauses."""
        st = self.check_state
        st.typed_at = time.monotonic()
        self._show_marks()
        if st.timer is not None:
            st.timer.stop()
        st.timer = self.set_timer(CHECK_DELAY, self._check_due, name="check")

    def _show_marks(self) -> None:
        editor = self.editor
        editor.set_marks(marked_spans(self.check_state.checked, editor.value))

    def _check_due(self) -> None:
        st = self.check_state
        st.timer = None
        s = self.clip_state
        if not st.ok or st.running or s is None or not s.clip.playable:
            return
        text = self.editor.value
        if not text.strip():
            return
        if st.checked is not None and st.checked.clip_id == s.clip.id and st.checked.text == text:
            return  # checked already
        if s.clip.duration is not None and s.clip.duration > CHECK_MAX_SECONDS:
            st.note = "check: clip too long"
            return
        st.running = True
        self._run_check(s.clip.id, s.clip.audio, text, st.typed_at)

    @work(thread=True, group="check")
    def _run_check(self, clip_id: int, audio: str, text: str, typed_at: float) -> None:
        try:
            samples, rate = self._audio.get(audio)
            verdicts, reason = ENGINE.check(samples, rate, text)
        except Exception as exc:  # noqa: BLE001  (a failed check is shown, never raised)
            self.post_message(CheckDone(clip_id, text, None, f"check failed: {exc}", typed_at))
            return
        checked = Checked(clip_id, text, tuple(verdicts)) if verdicts else None
        self.post_message(CheckDone(clip_id, text, checked, reason, typed_at))

    def on_check_done(self, msg: CheckDone) -> None:
        st = self.check_state
        st.running = False
        s = self.clip_state
        if s is not None and msg.clip_id == s.clip.id and msg.text == self.editor.value:
            st.checked = msg.checked
            st.note = f"check: {msg.reason[:30]}" if msg.checked is None and msg.reason else ""
            self._show_marks()
            st.latencies_ms.append(1000 * (time.monotonic() - msg.typed_at))
            self.refresh_status()
        # else stale: the text changed since it was checked, and is checked again now
        if st.timer is None:
            self._check_due()

    # -- keys -------------------------------------------------------------------------------
    def action_next_marked(self) -> None:
        if self.clip_state is None:
            return
        st = self.check_state
        if not st.ok:
            self.say("The acoustic check is off on this machine.", timeout=3)
            return
        editor = self.editor
        target = next_mark(marked_spans(st.checked, editor.value), editor.cursor_position)
        if target is None:
            waiting = st.running or st.timer is not None
            self.say("Still checking…" if waiting else "No word is marked.", timeout=3)
            return
        editor.cursor_position = target

    def word_to_replay(self, asr: tuple[float, float] | None) -> tuple[float, float] | None:
        """The span replay_word plays: the recogniser's timing of the word under the cursor
        (`asr`), unless the clip came without timings or the word is marked, when it is
        where the check aligned the typed word."""
        editor = self.editor
        text, cursor = editor.value, editor.cursor_position
        checked = word_time(self.check_state.checked, text, cursor)
        if (
            checked is None
            or asr is not None
            and not on_mark(self.check_state.checked, text, cursor)
        ):
            return asr
        return checked

    # -- after a submit ---------------------------------------------------------------------
    def check_submitted(self, clip_id: int, audio: str, text: str) -> None:
        """Keep the submitted text's word timings and marks with the clip, in the background."""
        st = self.check_state
        if not st.ok:
            return
        final = _normal(text)
        ready = st.checked
        if ready is not None and (ready.clip_id != clip_id or _normal(ready.text) != final):
            ready = None
        st.to_record.append((clip_id, audio, final, ready))  # a full backlog drops its oldest
        if not st.recording:
            self._record_next()

    def _record_next(self) -> None:
        st = self.check_state
        st.recording = bool(st.to_record)
        if st.to_record:
            self._record_check(*st.to_record.popleft())

    def on_record_done(self, _msg: RecordDone) -> None:
        self._record_next()

    @work(thread=True, group="timings", exit_on_error=False)
    def _record_check(self, clip_id: int, audio: str, text: str, ready: Checked | None) -> None:
        """A failure here loses timings a backfill can make again, never the submit."""
        try:
            if ready is None:
                samples, rate = self._audio.get(audio)
                verdicts, _reason = ENGINE.check(samples, rate, text)
                ready = Checked(clip_id, text, tuple(verdicts)) if verdicts else None
            if ready is None:
                return
            words = [
                Word(v.word, round(v.start, 3), round(v.end, 3), v.score) for v in ready.verdicts
            ]
            self.deps.store.record_check(clip_id, text, words, ready.marked)
        finally:
            self.post_message(RecordDone())
