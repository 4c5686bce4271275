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
    idx = starts[full]
    hi = np.maximum.reduceat(x, idx, axis=0).max(axis=1)
    lo = np.minimum.reduceat(x, idx, axis=0).min(axis=1)
    peak[full] = np.maximum(hi, -lo)
    sq = np.einsum("ij,ij->i", x, x) if channels > 1 else x[:, 0] * x[:, 0]
    sums = np.add.reduceat(sq, idx)
    rms[full] = np.sqrt(sums / (counts[full] * channels))
    np.clip(peak, 0.0, 1.0, out=peak)
    np.clip(rms, 0.0, 1.0, out=rms)
    return Waveform(peak, rms)
