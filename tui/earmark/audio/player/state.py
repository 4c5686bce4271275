"""The Player's state and what it reports (its facts), apart from the commands that change it.

Everything here reads or updates state under the Player's one lock; `core` holds the commands
and the render path.
"""

from __future__ import annotations

import threading

import numpy as np

from earmark.audio.outputs import Output
from earmark.audio.player.events import Played, PlayedCallback, PlayEvents
from earmark.audio.player.timeline import Timeline
from earmark.audio.stretch import Stretcher
from earmark.clock import SYSTEM, Clock

EMPTY, STOPPED, PLAYING, PAUSED = "empty", "stopped", "playing", "paused"
MIN_SPEED, MAX_SPEED = 0.5, 2.0
MAX_VOLUME = 2.0
MAX_REWIND = 2.0
MIN_LOOP = 0.1  # seconds


class PlayerState:
    """State, facts and lock-held helpers shared by the Player's commands and render path."""

    def __init__(
        self, output: Output, *, clock: Clock = SYSTEM, rewind_on_resume: float = 0.0
    ) -> None:
        self._out = output
        self._clock = clock
        self.rewind_on_resume = max(0.0, min(float(rewind_on_resume), MAX_REWIND))
        self._events = PlayEvents(threaded=bool(output.available))
        self._lock = threading.Lock()
        self._state = EMPTY
        self._sr = 0
        self._frames = 0
        self._key: str | None = None
        self._gain = 1.0
        self._reader: Stretcher | None = None
        self._speed = 1.0
        self._volume = 1.0
        self._span_end = 0
        self._loop = False
        self._loop_start = 0
        self._frozen = 0.0  # source frame shown when not playing
        self._draining = False  # ended naturally; the tail is still reaching the ear
        self._next_index = 0  # output index of the next frame to render
        self._epoch_index = 0  # output index where the current run of playback began
        self._epoch_src = 0.0
        self._stretch_src = 0.0  # source frame where the current on_played stretch began
        self.frames_rendered = 0  # real frames rendered since load (tests, diagnostics)
        self._timeline = Timeline()
        self._closed = False
        # An output that was never usable (no PortAudio, no device) makes every call a no-op;
        # one that fails later (a device error) may recover on the next load, so calls go on.
        self._usable = bool(output.available)

    # -- facts ---------------------------------------------------------------------------------
    @property
    def on_played(self) -> PlayedCallback | None:
        return self._events.callback

    @on_played.setter
    def on_played(self, fn: PlayedCallback | None) -> None:
        self._events.callback = fn

    @property
    def available(self) -> bool:
        return self._usable and bool(self._out.available) and not self._closed

    @property
    def reason(self) -> str | None:
        return self._out.reason

    @property
    def output(self) -> Output:
        return self._out

    @property
    def link_state(self) -> str | None:
        """Remote only: None locally; "connected"; or one line on what is wrong, retrying."""
        return self._out.link_state

    @property
    def state(self) -> str:
        return self._state

    @property
    def key(self) -> str | None:
        return self._key

    @property
    def duration(self) -> float:
        return self._frames / self._sr if self._sr else 0.0

    @property
    def samplerate(self) -> int:
        return self._sr

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        v = max(MIN_SPEED, min(float(value), MAX_SPEED))
        ev = None
        with self._lock:
            if v == self._speed:
                return
            if self._state == PLAYING:
                pos = self._heard_src()
                ev = self._close_stretch(pos)
                self._stretch_src = pos
            self._speed = v
        self._events.now(ev)

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = max(0.0, min(float(value), MAX_VOLUME))

    @property
    def gain(self) -> float:
        return self._gain

    def live_stretch(self) -> tuple[float, float] | None:
        """While playing: the stretch heard since it was last reported to on_played (start
        and now, seconds into the clip), for whoever counts what was heard before it ends."""
        with self._lock:
            if self._state != PLAYING or not self._sr:
                return None
            return (self._stretch_src / self._sr, self._heard_src() / self._sr)

    def position(self) -> float:
        """Seconds into the clip that the listener hears now (output latency subtracted)."""
        with self._lock:
            if self._state == EMPTY or not self._sr:
                return 0.0
            if self._state == PLAYING or self._draining:
                return self._heard_src() / self._sr
            return self._frozen / self._sr

    # -- internals (lock held) -----------------------------------------------------------------
    def _frame(self, seconds: float) -> float:
        try:
            f = float(seconds) * self._sr
        except (TypeError, ValueError):
            f = 0.0
        if not np.isfinite(f):
            f = 0.0
        return max(0.0, min(f, float(self._frames)))

    def _start_epoch(self, src: float) -> None:
        if self._reader is not None:
            self._reader.seek(int(src))
        self._epoch_index = self._next_index
        self._epoch_src = float(int(src))
        self._stretch_src = float(int(src))
        self._draining = False

    def _heard_src(self) -> float:
        h = min(self._out.heard(self._clock.monotonic()), float(self._next_index))
        return self._timeline.source_at(h, self._epoch_index, self._epoch_src)

    def _close_stretch(self, end: float) -> Played | None:
        start = self._stretch_src
        self._stretch_src = end
        if end - start < 1 or not self._sr:
            return None
        return (self._key, start / self._sr, end / self._sr, self._speed)
