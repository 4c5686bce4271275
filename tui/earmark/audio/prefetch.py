"""Decode the next clip in the background so that moving on to it is instant.

An annotator spends about 30 seconds on a clip; decoding the next one (and its waveform)
while they work means `get` usually finds it ready. A small LRU keeps the last few clips so
going back one is instant too. Loudness is normalised here, once per clip, so that every clip
starts at a comfortable level whatever its recording.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from earmark.audio.decode import AudioError, load
from earmark.audio.waveform import Waveform, summarize

TARGET_DBFS = -20.0
MAX_GAIN = 10.0  # +20 dB: beyond that a clip is mostly noise and boosting it hurts
PEAK_CEILING = 0.98
GATE_DB = 35.0  # blocks this far below the loudest block count as pauses, not speech


def loudness_gain(samples: np.ndarray, samplerate: int) -> float:
    """Factor bringing the RMS of the active (non-pause) part to -20 dBFS, without clipping.

    Pauses are left out so that a short utterance in a long silence is not over-boosted. The
    factor is capped so the loudest sample stays under full scale and at +20 dB overall.
    """
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 1:
        x = x[:, None]
    if x.size == 0:
        return 1.0
    block = max(1, int(samplerate) // 50)  # 20 ms
    n = len(x) // block
    if n == 0:
        energies = np.array([float(np.mean(x * x))])
    else:
        sq = np.einsum("ij,ij->i", x[: n * block], x[: n * block])
        energies = sq.reshape(n, block).mean(axis=1) / x.shape[1]
    loudest = float(energies.max())
    if loudest <= 1e-12:  # digital silence
        return 1.0
    active = energies[energies >= loudest * 10 ** (-GATE_DB / 10)]
    rms = float(np.sqrt(active.mean()))
    gain = 10 ** (TARGET_DBFS / 20) / rms
    peak = float(np.max(np.abs(x)))
    if peak > 0:
        gain = min(gain, PEAK_CEILING / peak)
    return float(min(gain, MAX_GAIN))


class DecodedClip:
    """A decoded clip ready to play: samples, rate, loudness gain and cached waveforms."""

    def __init__(
        self,
        path: Path | str,
        samples: np.ndarray,
        samplerate: int,
        gain: float | None = None,
        stamp: tuple[int, int] | None = None,
    ) -> None:
        self.path = Path(path)
        self.samples = samples
        self.samplerate = int(samplerate)
        self.gain = loudness_gain(samples, samplerate) if gain is None else float(gain)
        self.stamp = stamp  # (mtime_ns, size) at decode, to notice a file replaced since
        self._waveforms: dict[int, Waveform] = {}
        self._lock = threading.Lock()

    @property
    def duration(self) -> float:
        return len(self.samples) / self.samplerate

    @property
    def frames(self) -> int:
        return len(self.samples)

    def waveform(self, width: int) -> Waveform:
        """Peak/RMS summary at `width` columns, computed once per width."""
        w = self._waveforms.get(width)
        if w is None:
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


def decode_clip(
    path: Path | str,
    *,
    width: int | None = None,
    loader: Callable[[Path | str], tuple[np.ndarray, int]] = load,
) -> DecodedClip:
    """Decode a file into a DecodedClip (and its waveform at `width`); errors are AudioError."""
    key = os.fspath(path)
    stamp = _stamp(key)
    try:
        samples, sr = loader(path)
    except AudioError:
        raise
    except MemoryError:
        raise AudioError(f"{key}: too large to decode in memory") from None
    except Exception as exc:  # a decoder bug must not take the player down
        raise AudioError(f"{key}: decoding failed ({type(exc).__name__}: {exc})") from None
    clip = DecodedClip(path, samples, sr, stamp=stamp)
    if width:
        clip.waveform(width)
    return clip


class Prefetcher:
    """Background decoder with a small LRU cache of decoded clips.

    `prefetch(path)` starts decoding in a worker thread and returns at once; `get(path)`
    returns the clip, waiting for an in-flight decode or decoding now if nobody asked before.
    Failures are remembered only until asked for: `get` raises the AudioError, and a later
    prefetch tries again (the file may have been fixed).
    """

    def __init__(
        self,
        capacity: int = 4,
        *,
        workers: int = 1,
        width: int | None = None,
        loader: Callable[[Path | str], tuple[np.ndarray, int]] = load,
    ) -> None:
        self.capacity = max(1, int(capacity))
        self.width = width
        self._loader = loader
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="prefetch")
        self._cache: OrderedDict[str, Future[DecodedClip]] = OrderedDict()
        self._lock = threading.Lock()
        self._closed = False

    @staticmethod
    def _key(path: Path | str) -> str:
        return os.path.abspath(os.fspath(path))

    def _future(self, path: Path | str, *, start: bool) -> Future[DecodedClip] | None:
        key = self._key(path)
        with self._lock:
            fut = self._cache.get(key)
            if fut is not None and fut.done() and not fut.cancelled():
                stale = fut.exception() is not None and start
                if not stale and fut.exception() is None:
                    clip = fut.result()
                    stale = clip.stamp is not None and clip.stamp != _stamp(key)
                if stale:
                    del self._cache[key]
                    fut = None
            if fut is not None and fut.cancelled():
                del self._cache[key]
                fut = None
            if fut is None:
                if self._closed:
                    raise AudioError(f"{os.fspath(path)}: the audio prefetcher is closed")
                fut = self._pool.submit(decode_clip, path, width=self.width, loader=self._loader)
                self._cache[key] = fut
            self._cache.move_to_end(key)
            self._evict()
            return fut

    def _evict(self) -> None:
        while len(self._cache) > self.capacity:
            oldest, fut = next(iter(self._cache.items()))
            if not fut.done():
                fut.cancel()  # not started yet: drop it; running: its result is simply unused
            del self._cache[oldest]

    def prefetch(self, path: Path | str) -> None:
        """Start decoding `path` in the background unless it is cached or on its way."""
        self._future(path, start=True)

    def get(self, path: Path | str, timeout: float | None = None) -> DecodedClip:
        """The decoded clip; waits for its decode if needed. Raises AudioError."""
        fut = self._future(path, start=False)
        try:
            return fut.result(timeout=timeout)
        except AudioError:
            with self._lock:  # do not keep the failure: the next request tries afresh
                if self._cache.get(self._key(path)) is fut:
                    del self._cache[self._key(path)]
            raise
        except TimeoutError:
            raise AudioError(f"{os.fspath(path)}: decoding took longer than {timeout} s") from None

    def cached(self, path: Path | str) -> bool:
        """True if the clip is decoded and ready (get would not wait)."""
        with self._lock:
            fut = self._cache.get(self._key(path))
        return fut is not None and fut.done() and not fut.cancelled() and fut.exception() is None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._cache.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Prefetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
