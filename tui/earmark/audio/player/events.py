"""Reporting stretches of playback (`on_played`) without running foreign code in the render path.

Stretches that end in a command (pause, seek, ...) are reported at once on the caller's
thread; those that end inside the render path (end of clip, a loop pass) are queued to one
small thread. A failing callback is logged, never raised into the Player.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger("earmark.audio")

Played = tuple[str | None, float, float, float]  # (key, start_s, end_s, speed)
PlayedCallback = Callable[[str | None, float, float, float], None]


class PlayEvents:
    def __init__(self, *, threaded: bool) -> None:
        self.callback: PlayedCallback | None = None
        self._queue: queue.SimpleQueue[Played | threading.Event | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(
                target=self._run, name="earmark-player-events", daemon=True
            )
            self._thread.start()

    def later(self, ev: Played | None) -> None:
        """Queue a stretch (render path: never calls out)."""
        if ev is not None:
            self._queue.put(ev)

    def now(self, ev: Played | None) -> None:
        if ev is None:
            return
        cb = self.callback
        if cb is None:
            return
        try:
            cb(*ev)
        except Exception:
            log.exception("on_played callback failed")

    def _run(self) -> None:
        while True:
            ev = self._queue.get()
            if ev is None:
                return
            if isinstance(ev, threading.Event):
                ev.set()
                continue
            self.now(ev)

    def drain(self, timeout: float) -> None:
        """Wait until queued stretches have been reported."""
        if self._thread is None or not self._thread.is_alive():
            return
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self) -> None:
        self._queue.put(None)
