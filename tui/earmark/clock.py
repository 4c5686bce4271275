"""An injectable clock, so that anything timed (deadlines, playhead, throughput) is testable.

Tests pass a FakeClock and move it by hand; the shared machines are too noisy for wall time.
"""

from __future__ import annotations

import time


class Clock:
    """Wall time for timestamps, monotonic time for durations."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock(Clock):
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._mono = 1000.0

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._mono += seconds


SYSTEM = Clock()
