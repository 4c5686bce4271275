"""Where the Player and the Stretcher read source frames from: memory, or a file a window at a time.

A short clip is decoded whole (it is small and prefetched anyway). A long one never is: a
29-minute stereo file decodes to 670 MB of float32, more than the annotator's whole memory
budget. `StreamFrames` keeps about one second around the playhead instead, read from the open
file (a mono downmix, which is all speech review needs), so memory stays flat and the first
sound waits only for one window, whatever the length.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import numpy as np

WINDOW_SECONDS = 1.0  # decoded per refill: a few milliseconds of work
LOOKBACK = 2048  # frames kept before a refill's start: WSOLA looks back a few milliseconds


class Frames(Protocol):
    """Random access to a clip's frames; reads outside the clip are silence."""

    @property
    def frames(self) -> int: ...

    @property
    def channels(self) -> int: ...

    def read(self, a: int, b: int) -> np.ndarray:
        """Frames [a, b) as float32 (b - a, channels); the caller must not write into it."""
        ...

    def __len__(self) -> int: ...


class ArrayFrames:
    """An in-memory clip."""

    def __init__(self, samples: np.ndarray) -> None:
        self._x = samples

    @property
    def frames(self) -> int:
        return len(self._x)

    @property
    def channels(self) -> int:
        return int(self._x.shape[1])

    def __len__(self) -> int:
        return len(self._x)

    def read(self, a: int, b: int) -> np.ndarray:
        n = len(self._x)
        if a >= 0 and b <= n:
            return self._x[a:b]
        out = np.zeros((max(0, b - a), self.channels), dtype=np.float32)
        lo, hi = max(a, 0), min(b, n)
        if hi > lo:
            out[lo - a : hi - a] = self._x[lo:hi]
        return out


def downmix(block: np.ndarray) -> np.ndarray:
    """(frames, channels) -> (frames, 1) float32, finite."""
    mono = block if block.shape[1] == 1 else block.mean(axis=1, keepdims=True, dtype=np.float32)
    if not np.isfinite(mono).all():
        mono = np.nan_to_num(mono, nan=0.0, posinf=1.0, neginf=-1.0)
    return np.ascontiguousarray(mono, dtype=np.float32)


class StreamFrames:
    """A long clip read from its open file a window at a time, mixed down to mono.

    Sequential reads (playback) continue the decoder where it stands; a jump seeks. A read
    that fails (the disk, a damaged stretch) gives silence and keeps the reason in `error`:
    playback must never take the annotator down. Windows are fresh arrays, never reused, so a
    block handed out stays valid after the next refill.
    """

    def __init__(self, soundfile: Any, frames: int, *, window: float = WINDOW_SECONDS) -> None:
        self._f = soundfile
        self._frames = int(frames)
        self.samplerate = int(soundfile.samplerate)
        self._window = max(4096, int(window * self.samplerate))
        self._lock = threading.Lock()
        self._start = 0
        self._win = np.zeros((0, 1), dtype=np.float32)
        self._at = 0  # where the decoder stands
        self.error: str | None = None

    @property
    def frames(self) -> int:
        return self._frames

    @property
    def channels(self) -> int:
        return 1

    def __len__(self) -> int:
        return self._frames

    def read(self, a: int, b: int) -> np.ndarray:
        a, b = int(a), int(b)
        if b <= a:
            return np.zeros((0, 1), dtype=np.float32)
        with self._lock:
            lo, hi = max(a, 0), min(b, self._frames)
            if hi > lo and not (self._start <= lo and hi <= self._start + len(self._win)):
                self._refill(lo, hi)
            if a >= 0 and b <= self._frames and len(self._win):
                s = a - self._start
                if s >= 0 and s + (b - a) <= len(self._win):
                    return self._win[s : s + (b - a)]
            out = np.zeros((b - a, 1), dtype=np.float32)
            w0, w1 = self._start, self._start + len(self._win)
            lo, hi = max(a, w0, 0), min(b, w1, self._frames)
            if hi > lo:
                out[lo - a : hi - a] = self._win[lo - w0 : hi - w0]
            return out

    def _refill(self, lo: int, hi: int) -> None:
        end = self._start + len(self._win)
        if len(self._win) and self._start <= lo <= end:
            # playing on: decode from where the window ends, keeping a little behind `lo`
            # (the WSOLA search looks a few milliseconds back)
            keep = self._win[max(0, lo - self._start - LOOKBACK) :]
            start = end
        else:  # a jump: start afresh just before it
            start = max(0, lo - LOOKBACK)
            keep = self._win[:0]
        count = min(max(hi - start, self._window), self._frames - start)
        block = np.zeros((0, 1), dtype=np.float32)
        if count > 0:
            try:
                if self._at != start:
                    self._f.seek(start)
                block = self._f.read(count, dtype="float32", always_2d=True)
                self._at = start + len(block)
            except (RuntimeError, OSError, ValueError, TypeError) as exc:  # LibsndfileError too
                self.error = " ".join(str(exc).split()) or type(exc).__name__
                self._at = -1
        mono = downmix(block) if len(block) else block[:, :1]
        self._win = np.concatenate([keep, mono]) if len(keep) else mono
        self._start = start - len(keep)

    def close(self) -> None:
        with self._lock:
            self._f.close()
