"""Which source frame the listener hears now: the map from output frames back to the clip.

Rendering runs ahead of hearing by the output's latency (a device buffer, or a network hop and
the remote listener's own buffer). Each rendered block is written into a small ring (first
output frame, frame count, source position at its start and end); the output says which output
frame is at the ear now, and the ring turns that into a position in the clip. So a pause
resumes from what was heard, not from what was sent.
"""

from __future__ import annotations

import numpy as np

RING = 2048


class Timeline:
    """The ring of rendered blocks. Not locked: the Player calls it under its own lock."""

    def __init__(self) -> None:
        self._out = np.zeros(RING, dtype=np.int64)
        self._n = np.zeros(RING, dtype=np.int64)
        self._s0 = np.zeros(RING, dtype=np.float64)
        self._s1 = np.zeros(RING, dtype=np.float64)
        self._w = 0

    def record(self, index: int, n: int, s0: float, s1: float) -> None:
        """Output frames [index, index + n) carried source positions s0 .. s1."""
        i = self._w % RING
        self._out[i] = index
        self._n[i] = n
        self._s0[i] = s0
        self._s1[i] = s1
        self._w += 1

    def source_at(self, heard: float, epoch_index: int, epoch_src: float) -> float:
        """The source position at output frame `heard`, looking only at blocks rendered since
        the current run of playback began (`epoch_index`, at source `epoch_src`)."""
        if heard < epoch_index:
            return epoch_src
        w = self._w
        for k in range(min(w, RING)):
            i = (w - 1 - k) % RING
            o = int(self._out[i])
            if o < epoch_index:
                break
            if heard >= o:
                frac = min(1.0, (heard - o) / int(self._n[i]))
                return float(self._s0[i] + frac * (self._s1[i] - self._s0[i]))
        return epoch_src
