"""Loudness normalisation: every clip starts at a comfortable level whatever its recording."""

from __future__ import annotations

import numpy as np

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
