"""A clip opened for playback, within the memory budget whatever its file claims.

What playback needs is a mono mix (speech review gains nothing from more channels) at the
file's own rate. A short clip is decoded whole into that, block by block, so not even a
multi-channel file ever exists decoded in memory at full width. A long clip (more than
MEMORY_SAMPLES decoded) is never decoded whole: it is played from the open file a window at a
time (`frames.StreamFrames`), its loudness is estimated from a few windows, and its waveform is
summarised by one streaming pass in a background thread, so the first sound waits for one
window whatever the length, and memory stays flat.

The file is opened without following a symbolic link (the importer stored the real path; a
link found now was put there since) and checked on the open descriptor, so what is checked is
what is played. A file over the decoded-size budget is refused here as at import.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from earmark.audio.decode import NO_AUDIO, AudioError, _check_header, _fail, _open, _slack
from earmark.audio.frames import Frames, StreamFrames, downmix
from earmark.audio.loudness import loudness_gain
from earmark.audio.waveform import Waveform, summarize

# Decoded whole (frames x channels) at or below this: 10 s of 48 kHz stereo or a minute of
# 16 kHz mono, decoded in a few tens of milliseconds and held as mono float32 in at most 4 MB;
# anything longer is streamed, so its first sound waits for one window, not the whole file.
MEMORY_SAMPLES = 1_000_000
READ_BLOCK = 65_536  # frames per read while decoding or summarising
SUMMARY_BLOCKS = 16_384  # a long clip's waveform resolution: far finer than any terminal
GAIN_WINDOWS = (0.0, 0.35, 0.7)  # where a long clip's loudness is sampled
GAIN_SECONDS = 0.5
# One streaming pass at a time: skipping through many long clips queues their passes instead
# of running them all at once on a two-core machine; a clip dropped from the cache cancels its.
_ONE_PASS = threading.Semaphore(1)


class StreamSummary:
    """Per-block peak and energy of a long clip, filled by one streaming pass (a thread).

    `waveform(width)` answers at once from the blocks done so far (later columns stay flat
    until the pass reaches them); `done` is set when the pass ends.
    """

    def __init__(self, path: Path | str, frames: int) -> None:
        self.path = path
        self.frames = frames
        self.block = max(1, -(-frames // SUMMARY_BLOCKS))
        n = -(-frames // self.block)
        self.peak = np.zeros(n, dtype=np.float32)
        self.sumsq = np.zeros(n, dtype=np.float64)
        self.count = np.full(n, self.block, dtype=np.int64)
        self.count[-1] = frames - self.block * (n - 1)
        self.error: str | None = None
        self.done = threading.Event()
        self.cancelled = threading.Event()

    def start(self) -> StreamSummary:
        threading.Thread(target=self.run, name="earmark-waveform", daemon=True).start()
        return self

    def run(self) -> None:
        try:
            with _ONE_PASS, _open(self.path, follow_symlinks=False) as f:
                step = self.block * max(1, READ_BLOCK // self.block)
                at = 0
                while at < self.frames and not self.cancelled.is_set():
                    data = f.read(min(step, self.frames - at), dtype="float32", always_2d=True)
                    if not len(data):
                        break
                    mono = downmix(data)[:, 0]
                    n = len(mono) // self.block
                    i = at // self.block
                    if n:
                        rows = mono[: n * self.block].reshape(n, self.block)
                        self.peak[i : i + n] = np.abs(rows).max(axis=1)
                        self.sumsq[i : i + n] = np.einsum("ij,ij->i", rows, rows)
                    if len(mono) > n * self.block:  # the last, partial block
                        rest = mono[n * self.block :]
                        self.peak[i + n] = np.abs(rest).max()
                        self.sumsq[i + n] = float(rest @ rest)
                    at += len(mono)
        except (AudioError, RuntimeError, OSError, ValueError, TypeError) as exc:
            self.error = " ".join(str(exc).split())
        finally:
            self.done.set()

    def waveform(self, width: int) -> Waveform:
        width = int(width)
        if width <= 0:
            raise ValueError(f"width must be positive, got {width}")
        n = len(self.peak)
        peak = np.zeros(width, dtype=np.float32)
        rms = np.zeros(width, dtype=np.float32)
        edges = (np.arange(width + 1, dtype=np.int64) * n) // width
        full = np.diff(edges) > 0
        idx = edges[:-1][full]
        peak[full] = np.maximum.reduceat(self.peak, idx)
        energy = np.add.reduceat(self.sumsq, idx) / np.add.reduceat(self.count, idx)
        rms[full] = np.sqrt(energy).astype(np.float32)
        np.clip(peak, 0.0, 1.0, out=peak)
        np.clip(rms, 0.0, 1.0, out=rms)
        return Waveform(peak, rms)


class DecodedClip:
    """A clip ready to play: its frames (an array, or a stream for a long clip), rate,
    loudness gain and waveforms."""

    def __init__(
        self,
        path: Path | str,
        samples: np.ndarray | Frames,
        samplerate: int,
        gain: float | None = None,
        stamp: tuple[int, int] | None = None,
        summary: StreamSummary | None = None,
    ) -> None:
        self.path = Path(path)
        self.samples = samples
        self.samplerate = int(samplerate)
        if gain is None:
            gain = loudness_gain(samples, samplerate) if isinstance(samples, np.ndarray) else 1.0
        self.gain = float(gain)
        self.stamp = stamp  # (mtime_ns, size) at decode, to notice a file replaced since
        self.summary = summary
        self._waveforms: dict[int, Waveform] = {}
        self._lock = threading.Lock()

    @property
    def streamed(self) -> bool:
        return not isinstance(self.samples, np.ndarray)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.samplerate

    @property
    def frames(self) -> int:
        return len(self.samples)

    @property
    def nbytes(self) -> int:
        """Memory this clip holds (a streamed clip: its summary and one window)."""
        if self.streamed:
            return 4 * 16 * SUMMARY_BLOCKS + 8 * self.samplerate
        return int(np.asarray(self.samples).nbytes)

    @property
    def waveform_complete(self) -> bool:
        return self.summary is None or self.summary.done.is_set()

    def waveform(self, width: int) -> Waveform:
        """Peak/RMS summary at `width` columns, computed once per width (a long clip's only
        once its streaming pass is over; until then, from what it has read)."""
        w = self._waveforms.get(width)
        if w is not None:
            return w
        if self.summary is not None:
            complete = self.waveform_complete
            w = self.summary.waveform(width)
            if not complete:
                return w
        else:
            assert isinstance(self.samples, np.ndarray)
            w = summarize(self.samples, width)
        with self._lock:
            if len(self._waveforms) >= 8:  # resizes: keep only recent widths
                self._waveforms.pop(next(iter(self._waveforms)))
            self._waveforms[width] = w
        return w


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _decode_mono(path: Path | str, f: Any) -> np.ndarray:
    """The whole (short) file as mono float32, block by block: never wider than one block."""
    claimed = int(f.frames)
    cap = claimed if claimed > 0 else MEMORY_SAMPLES // max(1, int(f.channels))
    out = np.empty((cap, 1), dtype=np.float32)
    at = 0
    try:
        while at < cap:
            block = f.read(min(READ_BLOCK, cap - at), dtype="float32", always_2d=True)
            if not len(block):
                break
            out[at : at + len(block)] = downmix(block)
            at += len(block)
        if claimed <= 0 and len(f.read(1, dtype="float32", always_2d=True)):
            raise _fail(path, "length unknown and longer than a short clip; not played")
    except (RuntimeError, ValueError) as exc:  # LibsndfileError is a RuntimeError
        raise _fail(path, f"damaged or truncated, decoding failed ({exc})") from None
    if at == 0:
        raise _fail(path, NO_AUDIO)
    if claimed > 0 and at < claimed - _slack(claimed):
        raise _fail(path, f"truncated: header says {claimed} frames, only {at} decode")
    return out[:at].copy() if at < cap else out


def _estimate_gain(f: Any, frames: int) -> float:
    """A long clip's loudness gain from a few short windows spread through it."""
    n = int(GAIN_SECONDS * f.samplerate)
    parts = []
    for where in GAIN_WINDOWS:
        start = int(where * max(0, frames - n))
        f.seek(start)
        parts.append(downmix(f.read(min(n, frames - start), dtype="float32", always_2d=True)))
    f.seek(0)
    return loudness_gain(np.concatenate(parts), int(f.samplerate))


def open_clip(path: Path | str, *, width: int | None = None) -> DecodedClip:
    """Open a clip for playback: decoded whole if short, streamed if long; AudioError if it
    cannot or may not be played (damaged, over the budget, no longer a regular file)."""
    key = os.fspath(path)
    stamp = _stamp(key)
    f = _open(path, follow_symlinks=False)
    try:
        _check_header(path, f)
        frames, sr = int(f.frames), int(f.samplerate)
        if frames <= 0 or frames * int(f.channels) <= MEMORY_SAMPLES:
            with f:
                clip = DecodedClip(path, _decode_mono(path, f), sr, stamp=stamp)
        else:
            try:
                gain = _estimate_gain(f, frames)
            except (RuntimeError, ValueError) as exc:
                raise _fail(path, f"damaged, decoding failed ({exc})") from None
            summary = StreamSummary(path, frames).start()
            clip = DecodedClip(path, StreamFrames(f, frames), sr, gain, stamp, summary)
    except BaseException:
        f.close()
        raise
    if width:
        clip.waveform(width)
    return clip
