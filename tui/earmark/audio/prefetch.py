"""Decode the next clip in the background so that moving on to it is instant.

An annotator spends about 30 seconds on a clip; opening the next one (and its waveform)
while they work means `get` usually finds it ready. A small LRU keeps the last few clips so
going back one is instant too; it is bounded in bytes as well as in clips, so that a run of
one-minute clips cannot add up. Opening a clip (`clip.open_clip`) keeps within the memory
budget on its own: long clips are streamed, never decoded whole.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from earmark.audio.clip import DecodedClip, _stamp, open_clip
from earmark.audio.decode import AudioError
from earmark.audio.loudness import loudness_gain

__all__ = ["CACHE_BYTES", "DecodedClip", "Prefetcher", "decode_clip", "loudness_gain"]

CACHE_BYTES = 64 * 1024 * 1024
Loader = Callable[[Path | str], tuple[np.ndarray, int]]
# What a decoder may raise besides AudioError; none of it may take the player down.
DECODER_ERRORS = (ArithmeticError, LookupError, OSError, RuntimeError, TypeError, ValueError)


def decode_clip(
    path: Path | str,
    *,
    width: int | None = None,
    loader: Loader | None = None,
) -> DecodedClip:
    """Open a file as a DecodedClip (and its waveform at `width`); errors are AudioError.

    With a `loader` (tests, tools) the file is decoded whole by it instead.
    """
    key = os.fspath(path)
    try:
        if loader is None:
            return open_clip(path, width=width)
        stamp = _stamp(key)
        samples, sr = loader(path)
    except AudioError:
        raise
    except MemoryError:
        raise AudioError(f"{key}: too large to decode in memory") from None
    except DECODER_ERRORS as exc:  # a decoder bug must not take the player down
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
        loader: Loader | None = None,
        max_bytes: int = CACHE_BYTES,
    ) -> None:
        self.capacity = max(1, int(capacity))
        self.width = width
        self._loader = loader
        self.max_bytes = max(0, int(max_bytes))
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="prefetch")
        self._cache: OrderedDict[str, Future[DecodedClip]] = OrderedDict()
        self._lock = threading.Lock()
        self._closed = False

    @staticmethod
    def _key(path: Path | str) -> str:
        return os.path.abspath(os.fspath(path))

    def _future(self, path: Path | str, *, start: bool) -> Future[DecodedClip]:
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
        while len(self._cache) > self.capacity or (
            len(self._cache) > 1 and self._held_bytes() > self.max_bytes
        ):
            oldest, fut = next(iter(self._cache.items()))
            if not fut.done():
                fut.cancel()  # not started yet: drop it; running: its result is simply unused
            elif not fut.cancelled() and fut.exception() is None:
                summary = fut.result().summary
                if summary is not None:  # no one will draw this clip's waveform now
                    summary.cancelled.set()
            del self._cache[oldest]

    def _held_bytes(self) -> int:
        return sum(
            f.result().nbytes
            for f in self._cache.values()
            if f.done() and not f.cancelled() and f.exception() is None
        )

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

    def __exit__(self, *exc: object) -> None:
        self.close()
