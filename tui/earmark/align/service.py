"""The acoustic check in a process of its own, for the annotator.

pocketsphinx holds Python's GIL while it aligns: about 170 ms at a stretch for a 7-second
clip (measured with a thread ticking every 5 ms beside it). Run in a thread of the
annotator, every check stalled the keys being typed and the drawing of the next clip that
long. In a child process it costs the annotator only the samples sent over a pipe (a
5-second clip: 320 kB), and the model's memory is the child's, not the annotator's.

The child is started with `spawn`, since forking a process that runs threads is unsafe, and
loads the model once, before the first check. If it dies (killed, out of memory) the check
that was running fails with one line and the next check starts a new child. If the
annotator dies instead (kill -9, a crash), nothing closes the child and its pipe never ends
(the child holds both ends of its queue): it watches for its parent to be gone and leaves
within a second, rather than keeping ~200 MB for ever.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

# (word, start, end, score, marked): plain values cross the pipe, not earmark's classes
Plain = tuple[str, float, float, float, bool]


def prepare_to_spawn() -> None:
    """Call before Textual takes the terminal. A spawned child needs multiprocessing's
    resource tracker, which is handed sys.stderr's descriptor when it starts; under Textual
    sys.stderr has none, and starting it then fails ("bad value(s) in fds_to_keep"). One
    small process, started only where the check can run."""
    from earmark.align import installed

    if not installed()[0]:
        return
    from multiprocessing import resource_tracker

    with contextlib.suppress(OSError, ValueError):
        resource_tracker.ensure_running()


def _child_start(parent: int) -> None:
    """In the child, at its start. It yields the CPU to the annotator (nice 10): loading the
    model takes a second of CPU and each check a fifth, which on two cores slowed the
    annotator's own first submits. And it leaves as soon as the annotator that started it is
    gone (the child is then re-parented, so its parent's pid changes)."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="earmark-check-parent", daemon=True).start()


def _ready() -> tuple[bool, str]:
    """In the child: whether the engine runs there, with its model loaded."""
    from earmark.align import available
    from earmark.align.engine import engine

    ok, why = available()
    if ok:
        engine()  # the model, loaded now rather than at the first check
    return ok, why


def _check(samples: np.ndarray, samplerate: int, text: str) -> tuple[list[Plain], str]:
    """In the child: earmark.align.check_transcript, as plain values."""
    from earmark.align import check_transcript

    result = check_transcript(samples, samplerate, text)
    words = [(w.word, w.start, w.end, w.score, w.marked) for w in result.words]
    return words, result.reason or ""


_free: Any = None  # in the child: the free decoder of `_listen`, loaded at its first use


def _listen(samples: np.ndarray, samplerate: int, limit: int) -> list[str]:
    """In the child: the clip's n-best hypotheses (earmark.align.firstguess)."""
    global _free
    from earmark.align.firstguess import FreeDecoder

    if _free is None:
        _free = FreeDecoder()
    return list(_free.hypotheses(samples, samplerate, limit))


_chooser: Any = None  # in the child: the grammar decoder of `_choose`, loaded at its first use


def _choose(
    samples: np.ndarray, samplerate: int, before: list[str], cands: list[str], after: list[str]
) -> str | None:
    """In the child: the candidate the audio supports (earmark.align.choose)."""
    global _chooser
    from earmark.align.choose import Chooser

    if _chooser is None:
        _chooser = Chooser()
    won: str | None = _chooser.choose(samples, samplerate, before, cands, after)
    return won


class CheckService:
    """One child process that runs checks one at a time, started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        # stopped while the interpreter still stands: an executor left to the final teardown
        # prints "Exception ignored ... weakref_cb" onto the terminal the annotator leaves
        atexit.register(self.close)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                ctx = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=ctx,
                    initializer=_child_start,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def _run(self, fn: Callable[..., Any], *args: object) -> Any:
        pool = self._executor()
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            raise RuntimeError(
                "the check's process stopped; the next check starts it again"
            ) from None

    def start(self) -> tuple[bool, str]:
        """Start the child and load its model; (False, why) when the engine cannot run."""
        ok, why = self._run(_ready)
        return bool(ok), str(why)

    def check(self, samples: np.ndarray, samplerate: int, text: str) -> tuple[list[Plain], str]:
        words, reason = self._run(_check, samples, samplerate, text)
        return list(words), str(reason)

    def listen(self, samples: np.ndarray, samplerate: int, limit: int) -> list[str]:
        """A second listen to the clip: its n-best hypotheses, best first."""
        return [str(h) for h in self._run(_listen, samples, samplerate, limit)]

    def choose(
        self,
        samples: np.ndarray,
        samplerate: int,
        before: list[str],
        candidates: list[str],
        after: list[str],
    ) -> str | None:
        """Which of the candidates for the word being typed the audio supports, or None."""
        won = self._run(_choose, samples, samplerate, before, candidates, after)
        return None if won is None else str(won)

    def pids(self) -> list[int]:
        """The child's process id, once started (for `ps`, and for tests that kill it)."""
        pool = self._pool
        procs = getattr(pool, "_processes", None) or {}
        return sorted(int(p) for p in procs)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
