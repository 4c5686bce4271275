"""The Player: one in-memory clip, played through an output that pulls blocks from it.

Every state change (play, pause, seek, speed) happens under one lock that the render path
also takes, briefly; the render path does a slice copy (or a Stretcher read), a multiply and
some bookkeeping, nothing that blocks.

Position is what the listener hears, not what was rendered: each rendered block is written
into a small ring (output-frame index -> source frames), and the output says which output
frame is at the ear now (device latency, or the remote listener's own report). Rendering is
ahead of hearing by that latency, so pausing resumes from what was heard, not what was sent.

`on_played(key, start_s, end_s, speed)` reports each stretch of playback once it ends
(pause, stop, seek, speed change, load, end of clip, each pass of a loop): the audit log and
exposure minutes are built on it. Stretches that end inside the render path are handed to
a small thread so that the callback never runs foreign code.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

import numpy as np

from earmark.audio.outputs import Output, open_output
from earmark.clock import SYSTEM, Clock

log = logging.getLogger("earmark.audio")

EMPTY, STOPPED, PLAYING, PAUSED = "empty", "stopped", "playing", "paused"
MIN_SPEED, MAX_SPEED = 0.5, 2.0
MAX_VOLUME = 2.0
MAX_REWIND = 2.0
MIN_LOOP = 0.1  # seconds
RING = 2048

PlayedCallback = Callable[[str | None, float, float, float], None]


class _CopyReader:
    """Speed-1.0 reader with the Stretcher's interface, for when stretch.py is absent."""

    def __init__(self, samples: np.ndarray, samplerate: int) -> None:
        self._s = samples
        self._pos = 0

    def seek(self, frame: int) -> None:
        self._pos = max(0, min(int(frame), len(self._s)))

    def read(self, n: int, speed: float, stop: int | None = None):
        end = len(self._s) if stop is None else min(int(stop), len(self._s))
        a = self._pos
        b = max(a, min(a + n, end))
        self._pos = b
        return self._s[a:b], float(a), float(b)

    @property
    def position(self) -> float:
        return float(self._pos)

    @property
    def done(self) -> bool:
        return self._pos >= len(self._s)


def _make_reader(samples: np.ndarray, samplerate: int):
    try:
        from earmark.audio.stretch import Stretcher
    except ImportError:
        return _CopyReader(samples, samplerate)
    return Stretcher(samples, samplerate)


class Player:
    """Plays one clip at a time. Every public method is safe from any thread and never raises
    for a missing device: with no audio, `available` is False, `reason` says why in one line,
    and every method does nothing."""

    def __init__(
        self, output: Output, *, clock: Clock = SYSTEM, rewind_on_resume: float = 0.0
    ) -> None:
        self._out = output
        self._clock = clock
        self.rewind_on_resume = max(0.0, min(float(rewind_on_resume), MAX_REWIND))
        self.on_played: PlayedCallback | None = None
        self._lock = threading.Lock()
        self._state = EMPTY
        self._samples: np.ndarray | None = None
        self._sr = 0
        self._frames = 0
        self._key: str | None = None
        self._gain = 1.0
        self._reader = None
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
        self._r_out = np.zeros(RING, dtype=np.int64)
        self._r_n = np.zeros(RING, dtype=np.int64)
        self._r_s0 = np.zeros(RING, dtype=np.float64)
        self._r_s1 = np.zeros(RING, dtype=np.float64)
        self._r_w = 0
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._event_thread: threading.Thread | None = None
        self._closed = False
        # An output that was never usable (no PortAudio, no device) makes every call a no-op;
        # one that fails later (a device error) may recover on the next load, so calls go on.
        self._usable = bool(output.available)
        if output.available:
            self._event_thread = threading.Thread(
                target=self._dispatch, name="earmark-player-events", daemon=True
            )
            self._event_thread.start()
        output.attach(self)
        relink = getattr(output, "set_relink", None)
        if relink is not None:
            relink(self._resync)

    # -- facts ---------------------------------------------------------------------------------
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
    def link_detail(self) -> str | None:
        """Remote only: the last link error in full (for a log or a help screen)."""
        return getattr(self._out, "last_error", None)

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
        self._emit(ev)

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = max(0.0, min(float(value), MAX_VOLUME))

    @property
    def gain(self) -> float:
        return self._gain

    def position(self) -> float:
        """Seconds into the clip that the listener hears now (output latency subtracted)."""
        with self._lock:
            if self._state == EMPTY or not self._sr:
                return 0.0
            if self._state == PLAYING or self._draining:
                return self._heard_src() / self._sr
            return self._frozen / self._sr

    # -- commands ------------------------------------------------------------------------------
    def load(self, samples, samplerate: int, *, key: str | None = None, gain: float = 1.0) -> None:
        if not self._usable or self._closed:
            return
        data = np.asarray(samples, dtype=np.float32)
        if data.ndim == 1:
            data = data.reshape(-1, 1)
        if data.ndim != 2 or data.shape[1] == 0 or int(samplerate) <= 0:
            raise ValueError("samples must be (frames, channels) with a positive sample rate")
        if data.shape[1] > 2:
            data = data[:, :2]
        data = np.ascontiguousarray(data)
        reader = _make_reader(data, int(samplerate))
        with self._lock:
            ev = self._close_stretch(self._heard_src()) if self._state == PLAYING else None
            self._samples, self._sr, self._frames = data, int(samplerate), len(data)
            self._key = key
            self._gain = max(0.0, float(gain)) if np.isfinite(gain) else 1.0
            self._reader = reader
            self._state = STOPPED
            self._frozen = 0.0
            self._draining = False
            self._loop = False
            self._span_end = self._frames
            self._epoch_index = self._next_index
            self._epoch_src = 0.0
            self.frames_rendered = 0
            upto = self._next_index
        self._out.configure(self._sr, data.shape[1])
        self._out.flush(upto)
        self._emit(ev)

    def play(
        self, start: float | None = None, end: float | None = None, *, loop: bool = False
    ) -> None:
        """Play from `start` (default: where the playhead is) to `end` (default: the clip's end);
        `loop` repeats that span until paused, stopped or sought out of it."""
        if not self._usable or self._closed:
            return
        with self._lock:
            if self._state == EMPTY:
                return
            ev = None
            if self._state == PLAYING:
                here = self._heard_src()
                ev = self._close_stretch(here)
            else:
                here = self._frozen
            s = here if start is None else self._frame(start)
            if start is None and s >= self._frames - 1:
                s = 0.0
            e = self._frames if end is None else int(round(self._frame(end)))
            if loop:  # each pass is reported to on_played: keep passes long enough to hear
                e = min(self._frames, max(e, int(s + MIN_LOOP * self._sr)))
            if e - s < 1:
                self._emit_later(ev)
                return
            self._span_end = e
            self._loop = bool(loop)
            self._loop_start = int(s)
            self._state = PLAYING
            self._start_epoch(s)
            upto = self._epoch_index
        self._out.flush(upto)
        self._out.wake()
        self._emit(ev)

    def pause(self) -> None:
        if not self._usable or self._closed:
            return
        with self._lock:
            if self._state != PLAYING:
                return
            pos = self._heard_src()
            ev = self._close_stretch(pos)
            self._state = PAUSED
            self._frozen = pos
            upto = self._next_index
        self._out.flush(upto)
        self._emit(ev)

    def resume(self) -> None:
        """Continue after a pause, stepping back `rewind_on_resume` seconds (as transcribers
        expect: the last word before the pause is heard again)."""
        if not self._usable or self._closed:
            return
        with self._lock:
            if self._state != PAUSED:
                state = self._state
            else:
                floor = self._loop_start if self._loop else 0
                s = max(float(floor), self._frozen - self.rewind_on_resume * self._sr)
                self._state = PLAYING
                self._start_epoch(s)
                state = None
                upto = self._epoch_index
        if state is None:
            self._out.flush(upto)
            self._out.wake()
        elif state == STOPPED:
            self.play()

    def toggle(self) -> None:
        if self._state == PLAYING:
            self.pause()
        else:
            self.resume()

    def stop(self) -> None:
        if not self._usable or self._closed:
            return
        with self._lock:
            if self._state == EMPTY:
                return
            ev = self._close_stretch(self._heard_src()) if self._state == PLAYING else None
            self._state = STOPPED
            self._frozen = 0.0
            self._draining = False
            self._loop = False
            upto = self._next_index
        self._out.flush(upto)
        self._emit(ev)

    def seek(self, seconds: float) -> None:
        if not self._usable or self._closed:
            return
        with self._lock:
            if self._state == EMPTY:
                return
            f = self._frame(seconds)
            ev = None
            if self._state == PLAYING:
                ev = self._close_stretch(self._heard_src())
                if not (self._loop and self._loop_start <= f < self._span_end):
                    self._loop = False
                    self._span_end = self._frames
                if f >= self._frames:
                    self._state = STOPPED
                    self._frozen = float(self._frames)
                    self._draining = False
                else:
                    self._start_epoch(f)
            else:
                self._frozen = f
                self._draining = False
            upto = self._next_index
        self._out.flush(upto)
        self._emit(ev)

    def skip(self, delta: float) -> None:
        if not self._usable or self._closed or self._state == EMPTY:
            return
        self.seek(self.position() + float(delta))

    def close(self) -> None:
        if self._closed:
            return
        self.stop()
        self._closed = True
        self._out.close()
        self._events.put(None)

    # -- called by the output -------------------------------------------------------------------
    def wants_audio(self) -> bool:
        return self._state == PLAYING

    def render(self, out: np.ndarray, index: int) -> int:
        """Fill `out` with the next frames; return how many were real audio (rest is zeros)."""
        n = len(out)
        with self._lock:
            self._next_index = index + n
            reader = self._reader
            if self._state != PLAYING or reader is None:
                out.fill(0)
                return 0
            g = self._volume * self._gain
            ch = out.shape[1]
            pos = 0
            wraps = 0
            while pos < n:
                block, s0, s1 = reader.read(n - pos, self._speed, self._span_end)
                m = len(block)
                if m:
                    if block.shape[1] == ch:
                        np.multiply(block, g, out=out[pos : pos + m])
                    else:  # the output was opened for another layout: mix or spread
                        out[pos : pos + m] = block.mean(axis=1, keepdims=True) * g
                    i = self._r_w % RING
                    self._r_out[i] = index + pos
                    self._r_n[i] = m
                    self._r_s0[i] = s0
                    self._r_s1[i] = s1
                    self._r_w += 1
                    pos += m
                if pos < n:
                    end = float(min(self._span_end, self._frames))
                    if self._loop and end - self._loop_start >= 1:
                        if wraps >= 8:  # a span shorter than a block / 8: finish it next call
                            break
                        self._emit_later(self._close_stretch(end))
                        reader.seek(self._loop_start)
                        self._stretch_src = float(self._loop_start)
                        wraps += 1
                        continue
                    self._emit_later(self._close_stretch(end))
                    self._state = STOPPED
                    self._frozen = end
                    self._draining = True
                    break
            if pos < n:
                out[pos:].fill(0)
            if g > 1.0:
                np.clip(out[:pos], -1.0, 1.0, out=out[:pos])
            self.frames_rendered += pos
            return pos

    def _resync(self) -> None:
        """The output lost audio it had been given (a remote link dropped and came back):
        start again from what the listener last heard."""
        with self._lock:
            if self._state != PLAYING:
                return
            pos = self._heard_src()
            self._emit_later(self._close_stretch(pos))
            self._start_epoch(pos)
        self._out.wake()

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
        self._reader.seek(int(src))
        self._epoch_index = self._next_index
        self._epoch_src = float(int(src))
        self._stretch_src = float(int(src))
        self._draining = False

    def _heard_src(self) -> float:
        h = min(self._out.heard(self._clock.monotonic()), float(self._next_index))
        if h < self._epoch_index:
            return self._epoch_src
        w = self._r_w
        for k in range(min(w, RING)):
            i = (w - 1 - k) % RING
            o = self._r_out[i]
            if o < self._epoch_index:
                break
            if h >= o:
                frac = min(1.0, (h - o) / self._r_n[i])
                return float(self._r_s0[i] + frac * (self._r_s1[i] - self._r_s0[i]))
        return self._epoch_src

    def _close_stretch(self, end: float):
        start = self._stretch_src
        self._stretch_src = end
        if end - start < 1 or not self._sr:
            return None
        return (self._key, start / self._sr, end / self._sr, self._speed)

    def _emit_later(self, ev) -> None:
        if ev is not None:
            self._events.put(ev)

    def _emit(self, ev) -> None:
        if ev is None:
            return
        cb = self.on_played
        if cb is None:
            return
        try:
            cb(*ev)
        except Exception:
            log.exception("on_played callback failed")

    def _dispatch(self) -> None:
        while True:
            ev = self._events.get()
            if ev is None:
                return
            if _is_marker(ev):
                ev[1].set()
                continue
            self._emit(ev)

    def drain_events(self, timeout: float = 2.0) -> None:
        """Wait until stretches ended by the render path have been reported (tests, shutdown)."""
        if self._event_thread is None or not self._event_thread.is_alive():
            return
        done = threading.Event()
        self._events.put(("__marker__", done))
        done.wait(timeout)


def _is_marker(ev) -> bool:
    return isinstance(ev, tuple) and len(ev) == 2 and ev[0] == "__marker__"


def open_player(
    url: str | None = None,
    *,
    output: str | None = None,
    clock: Clock = SYSTEM,
    rewind_on_resume: float = 0.0,
) -> Player:
    """A Player on the local device, the null output, or a remote `earmark listen`.

    Never raises for missing PortAudio or device: the Player then has available False and a
    one-line reason. A malformed `url` is the user's to fix and raises UserError.
    """
    if url:
        from earmark.audio.remote import RemoteOutput, parse_audio_url

        out: Output = RemoteOutput(parse_audio_url(url), clock=clock)
    else:
        out = open_output(output, clock=clock)
    return Player(out, clock=clock, rewind_on_resume=rewind_on_resume)
