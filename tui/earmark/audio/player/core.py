"""The Player: one clip (in memory, or streamed from its file), played through an output that
pulls blocks from it.

Every state change (play, pause, seek, speed) happens under one lock that the render path
also takes, briefly; the render path does a slice copy (or a Stretcher read), a multiply and
some bookkeeping, nothing that blocks.

Position is what the listener hears, not what was rendered (`timeline`).

`on_played(key, start_s, end_s, speed)` reports each stretch of playback once it ends
(pause, stop, seek, speed change, load, end of clip, each pass of a loop): the audit log and
exposure minutes are built on it (`events`).
"""

from __future__ import annotations

import numpy as np

from earmark.audio.frames import ArrayFrames, Frames
from earmark.audio.outputs import Output, open_output
from earmark.audio.player.state import (
    EMPTY,
    MIN_LOOP,
    PAUSED,
    PLAYING,
    STOPPED,
    PlayerState,
)
from earmark.audio.stretch import Stretcher
from earmark.clock import SYSTEM, Clock


class Player(PlayerState):
    """Plays one clip at a time. Every public method is safe from any thread and never raises
    for a missing device: with no audio, `available` is False, `reason` says why in one line,
    and every method does nothing."""

    def __init__(
        self, output: Output, *, clock: Clock = SYSTEM, rewind_on_resume: float = 0.0
    ) -> None:
        super().__init__(output, clock=clock, rewind_on_resume=rewind_on_resume)
        output.attach(self)
        relink = getattr(output, "set_relink", None)
        if relink is not None:
            relink(self._resync)

    # -- commands ------------------------------------------------------------------------------
    def load(
        self,
        samples: np.ndarray | Frames,
        samplerate: int,
        *,
        key: str | None = None,
        gain: float = 1.0,
    ) -> None:
        """Make `samples` the clip: an array (frames, channels) or any `Frames` (a long clip
        streamed from its file)."""
        if not self._usable or self._closed:
            return
        if isinstance(samples, np.ndarray | list | tuple):
            data = np.asarray(samples, dtype=np.float32)
            if data.ndim == 1:
                data = data.reshape(-1, 1)
            if data.ndim != 2 or data.shape[1] == 0:
                raise ValueError("samples must be (frames, channels) with a positive sample rate")
            source: Frames = ArrayFrames(np.ascontiguousarray(data[:, :2]))
        else:
            source = samples
        if int(samplerate) <= 0 or not 1 <= source.channels <= 2:
            raise ValueError("samples must be (frames, channels) with a positive sample rate")
        reader = Stretcher(source, int(samplerate))
        with self._lock:
            ev = self._close_stretch(self._heard_src()) if self._state == PLAYING else None
            self._sr, self._frames = int(samplerate), len(source)
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
        self._out.configure(self._sr, source.channels)
        self._out.flush(upto)
        self._events.now(ev)

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
                self._events.later(ev)
                return
            self._span_end = e
            self._loop = bool(loop)
            self._loop_start = int(s)
            self._state = PLAYING
            self._start_epoch(s)
            upto = self._epoch_index
        self._out.flush(upto)
        self._out.wake()
        self._events.now(ev)

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
        self._events.now(ev)

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
        self._events.now(ev)

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
        self._events.now(ev)

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
        self._events.close()

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
                    self._timeline.record(index + pos, m, s0, s1)
                    pos += m
                if pos < n:
                    end = float(min(self._span_end, self._frames))
                    if self._loop and end - self._loop_start >= 1:
                        if wraps >= 8:  # a span shorter than a block / 8: finish it next call
                            break
                        self._events.later(self._close_stretch(end))
                        reader.seek(self._loop_start)
                        self._stretch_src = float(self._loop_start)
                        wraps += 1
                        continue
                    self._events.later(self._close_stretch(end))
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
            self._events.later(self._close_stretch(pos))
            self._start_epoch(pos)
        self._out.wake()

    def drain_events(self, timeout: float = 2.0) -> None:
        """Wait until stretches ended by the render path have been reported (tests, shutdown)."""
        self._events.drain(timeout)


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
