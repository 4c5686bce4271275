"""Per-column peak and RMS of a clip, for drawing its waveform at any terminal width.

Redrawn on every resize, so it must be cheap: numpy's reduceat does each column's reduction
over contiguous slices of the array in C, with no Python loop over samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Waveform:
    """peak and rms: float32 arrays of length `width`, amplitudes in 0..1 (full scale = 1)."""

    peak: np.ndarray
    rms: np.ndarray

    @property
    def width(self) -> int:
        return len(self.peak)


def summarize(samples: np.ndarray, width: int) -> Waveform:
    """Split the clip into `width` equal columns; per column the peak |sample| and the RMS.

    Channels are pooled: the peak is over all channels, the RMS over all their samples.
    Columns that hold no sample (a clip shorter than `width` frames) are zero.
    """
    width = int(width)
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    x = np.asarray(samples)
    if x.ndim == 1:
        x = x[:, None]
    if x.dtype != np.float32:
        x = x.astype(np.float32)
    frames, channels = x.shape if x.size else (len(x), 1)
    peak = np.zeros(width, dtype=np.float32)
    rms = np.zeros(width, dtype=np.float32)
    if frames == 0 or x.size == 0:
        return Waveform(peak, rms)
    edges = (np.arange(width + 1, dtype=np.int64) * frames) // width
    starts = edges[:-1]
    counts = np.diff(edges)
    full = counts > 0
    # Columns are runs of whole frames, so on the row-major array they are contiguous runs of
    # the flat buffer too: reduce the flat buffer once, all channels pooled.
    flat = np.ascontiguousarray(x).reshape(-1)
    idx = starts[full] * channels
    hi = np.maximum.reduceat(flat, idx)
    lo = np.minimum.reduceat(flat, idx)
    peak[full] = np.maximum(hi, -lo)
    sums = np.add.reduceat(flat * flat, idx)
    rms[full] = np.sqrt(sums / (counts[full] * channels))
    np.clip(peak, 0.0, 1.0, out=peak)
    np.clip(rms, 0.0, 1.0, out=rms)
    return Waveform(peak, rms)
