"""The listener's jitter buffer and its record of each session."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np


class _Buffer:
    """The listener's small jitter buffer: the output's source, fed by the active session."""

    def __init__(self, limit_seconds: float) -> None:
        self._lock = threading.Lock()
        self._chunks: deque[list[Any]] = deque()  # [first index, float32 frames]
        self.frames = 0
        self.consumed = 0
        self.floor = 0
        self.samplerate = 16_000
        self.channels = 1
        self.limit_seconds = limit_seconds
        self.seconds = 0.0
        self.changed = threading.Event()

    def reset(
        self,
        samplerate: int | None = None,
        channels: int | None = None,
        *,
        new_sender: bool = False,
    ) -> None:
        with self._lock:
            self._chunks.clear()
            self.frames = 0
            if new_sender:  # a new sender numbers its frames afresh
                self.floor = self.consumed = 0
            if samplerate:
                self.samplerate, self.channels = samplerate, channels or 1

    def push(self, first: int, data: np.ndarray) -> None:
        with self._lock:
            if first + len(data) <= self.floor:
                return
            if first < self.floor:
                data = data[self.floor - first :]
                first = self.floor
            self._chunks.append([first, data])
            self.frames += len(data)
            limit = int(self.limit_seconds * self.samplerate)
            while self.frames > limit and self._chunks:
                dropped = self._chunks.popleft()
                self.frames -= len(dropped[1])

    def drop_before(self, upto: int) -> None:
        with self._lock:
            self.floor = max(self.floor, upto)
            while self._chunks and self._chunks[0][0] + len(self._chunks[0][1]) <= upto:
                self.frames -= len(self._chunks.popleft()[1])
            if self._chunks and self._chunks[0][0] < upto:
                first, data = self._chunks[0]
                cut = upto - first
                self._chunks[0] = [upto, data[cut:]]
                self.frames -= cut

    def wants_audio(self) -> bool:
        return self.frames > 0

    def render(self, out: np.ndarray, index: int) -> int:
        n = len(out)
        pos = 0
        with self._lock:
            while pos < n and self._chunks:
                chunk = self._chunks[0]
                first, data = chunk
                m = min(n - pos, len(data))
                if data.shape[1] == out.shape[1]:
                    out[pos : pos + m] = data[:m]
                else:
                    out[pos : pos + m] = data[:m].mean(axis=1, keepdims=True)
                pos += m
                self.frames -= m
                self.consumed = first + m
                if m == len(data):
                    self._chunks.popleft()
                else:
                    chunk[0], chunk[1] = first + m, data[m:]
            if pos:
                self.seconds += pos / self.samplerate
        if pos < n:
            out[pos:].fill(0)
        if pos:
            self.changed.set()
        return pos


@dataclass
class SessionRecord:
    peer: str
    outcome: str = "connected"  # authenticated | rejected (...) | dropped (...)
    host: str = ""
    seconds: float = 0.0
    frames: int = 0

    def line(self) -> str:
        who = f"{self.host} via {self.peer}" if self.host else self.peer
        if self.outcome.startswith("rejected"):
            return f"session from {who}: {self.outcome}"
        return f"session from {who}: {self.outcome}, {self.seconds:.1f} s played"
