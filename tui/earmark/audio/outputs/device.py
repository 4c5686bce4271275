"""The local sound device through PortAudio (sounddevice), resampling when it refuses a rate."""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

from earmark.audio.outputs.base import (
    RENDER_ERRORS,
    Output,
    Source,
    default_output_device,
    import_sounddevice,
    one_line,
)
from earmark.clock import SYSTEM, Clock


class Resampler:
    """Streaming linear-interpolation resampler between a source and a device callback.

    Linear interpolation is crude for music but inaudible on speech going *up* to a device
    rate (16 kHz clips to 44.1/48 kHz devices), which is the only case it exists for. A frame
    or two of the source is carried between calls so that blocks join without a seam.
    """

    def __init__(self, source_rate: int, device_rate: int, channels: int) -> None:
        self.ratio = source_rate / device_rate  # source frames per device frame
        self._carry = np.zeros((1, channels), dtype=np.float32)
        self._phase = 0.0
        self._scratch = np.zeros((0, channels), dtype=np.float32)

    def render(self, src: Source, out: np.ndarray, index: int) -> tuple[int, int]:
        """Fill `out` (device frames); returns (real source frames, source frames pulled)."""
        frames, r = len(out), self.ratio
        carry, phase = self._carry, self._phase
        need = int(math.ceil(phase + (frames - 1) * r)) + 1
        n_new = max(0, need - len(carry))
        if len(self._scratch) < n_new:
            self._scratch = np.zeros((n_new + 16, out.shape[1]), dtype=np.float32)
        buf = self._scratch[:n_new]
        m = src.render(buf, index) if n_new else 0
        seq = np.concatenate((carry, buf)) if n_new else carry
        pos = phase + np.arange(frames) * r
        i = pos.astype(np.int64)
        frac = (pos - i).astype(np.float32)[:, None]
        last = len(seq) - 1
        out[:] = seq[np.minimum(i, last)] * (1.0 - frac) + seq[np.minimum(i + 1, last)] * frac
        end = phase + frames * r
        drop = min(int(end), last)
        self._carry = seq[drop:].copy()
        self._phase = end - drop
        return m, n_new


class DeviceOutput(Output):
    """A sound device through ONE sounddevice OutputStream whose callback renders the source.

    The stream is opened and (re)started by a small worker thread, so the caller (the UI
    thread) never waits on PortAudio. The callback stops the stream after `idle_stop` seconds
    of silence (counted in frames) and the worker restarts it when audio is wanted again: a
    short pause resumes on a running stream with no restart delay, an idle player costs
    nothing, and ALSA's null device (not paced in real time) does not spin a core.
    """

    def __init__(
        self,
        clock: Clock = SYSTEM,
        *,
        device: int | None = None,
        idle_stop: float = 10.0,
        latency: str | float = "low",
    ) -> None:
        super().__init__(clock)
        self._sd = import_sounddevice()
        index, self.description = (
            default_output_device() if device is None else (device, str(device))
        )
        self._device = index
        self._latency_hint = latency
        self._idle_stop = idle_stop
        self._idle = 0
        self._stream: Any = None
        self._format: tuple[int, int] | None = None
        self._want: tuple[int, int] | None = None
        self._mark = (0, clock.monotonic(), 0.0)  # (block start index, callback time, dac delay)
        self._cond = threading.Condition()
        self._kick = False
        self._closed = False
        self.callbacks = 0
        self.device_rate = 0  # the rate the stream runs at
        self._resampler: Resampler | None = None
        self._worker = threading.Thread(target=self._run, name="earmark-audio-device", daemon=True)
        self._worker.start()

    # -- caller side -------------------------------------------------------------------------
    def configure(self, samplerate: int, channels: int) -> None:
        super().configure(samplerate, channels)
        with self._cond:
            self._want = (self.samplerate, self.channels)
            self._kick = True
            self._cond.notify()

    def wake(self) -> None:
        with self._cond:
            self._kick = True
            self._cond.notify()

    def heard(self, now: float) -> float:
        index, t_cb, delay = self._mark
        lat = delay if 0.0 < delay < 2.0 else self.latency
        return min(index + (now - t_cb - lat) * self.samplerate, float(self._pulled))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._worker is not threading.current_thread():
            self._worker.join(timeout=2)

    # -- worker ------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not (self._kick or self._closed):
                    self._cond.wait()
                self._kick = False
                if self._closed:
                    break
            try:
                self._ensure()
            except (self._sd.PortAudioError, ValueError, OSError) as exc:
                self.available = False
                self.reason = f"audio device error: {one_line(exc)}"
        self._shut()

    def _shut(self) -> None:
        stream, self._stream = self._stream, None
        self._format = None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except RENDER_ERRORS:  # a dying device: nothing left to do
                pass

    def _ensure(self) -> None:
        if self._want is None:
            return
        if self._stream is None or self._format != self._want:
            self._shut()
            sr, ch = self._want
            self._stream = self._open(sr, ch)
            self._format = self._want
            self.latency = float(self._stream.latency)
            self.available, self.reason = True, None
        src = self._source
        stream = self._stream
        if stream is not None and src is not None and src.wants_audio() and not stream.active:
            if not stream.stopped:
                stream.stop()
            self._idle = 0
            stream.start()

    def _open(self, sr: int, ch: int) -> Any:
        """A stream at the clip's rate; if the device refuses that rate (some USB and Windows
        devices only take 44.1/48 kHz), one at the device's own rate, resampled here."""
        sd = self._sd
        kw = dict(
            channels=ch,
            dtype="float32",
            device=self._device,
            latency=self._latency_hint,
            callback=self._callback,
            finished_callback=self.wake,
        )
        self._resampler = None
        try:
            stream = sd.OutputStream(samplerate=sr, **kw)
        except sd.PortAudioError:
            rate = int(sd.query_devices(self._device)["default_samplerate"] or 0)
            if sr < 4000 or rate < 4000 or rate == sr:
                raise
            stream = sd.OutputStream(samplerate=rate, **kw)
            self._resampler = Resampler(sr, rate, ch)
        self.device_rate = int(stream.samplerate)
        return stream

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        src = self._source
        if (
            self._want != self._format
        ):  # the next clip needs another stream: do not feed it to this one
            src = None
        index = self._pulled
        pulled = frames
        try:
            if src is not None and self._resampler is not None:
                m, pulled = self._resampler.render(src, outdata, index)
            else:
                m = src.render(outdata, index) if src is not None else 0
        except RENDER_ERRORS as exc:  # a source's bug must not kill the stream
            self.reason = f"audio render error: {one_line(exc)}"
            src = None
            m = 0
        if src is None:
            outdata.fill(0)
        try:
            delay = time_info.outputBufferDacTime - time_info.currentTime
        except RENDER_ERRORS:
            delay = 0.0
        self._mark = (index, self._clock.monotonic(), delay)
        self._pulled = index + pulled
        self.frames_played += m
        self.callbacks += 1
        if m:
            self._idle = 0
        else:
            self._idle += frames
            if self._idle >= self._idle_stop * self.samplerate and not (src and src.wants_audio()):
                raise self._sd.CallbackStop
