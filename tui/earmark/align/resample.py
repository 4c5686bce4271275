"""Audio in the shape the recogniser wants: 16 kHz mono 16-bit PCM.

Clips arrive at any rate and channel count (earmark.audio keeps them as decoded). The
resampler is band-limited by construction (an FFT that keeps only the frequencies both rates
share), which is exact enough for speech and needs nothing beyond numpy.
"""

from __future__ import annotations

import numpy as np

RATE = 16_000


def to_pcm16(samples: np.ndarray, samplerate: int) -> bytes:
    """Mono, 16 kHz, little-endian int16 bytes of `samples` (float, any shape (frames[, ch]))."""
    if samplerate <= 0:
        raise ValueError(f"bad sample rate {samplerate}")
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 2:
        x = x.mean(axis=1)
    elif x.ndim != 1:
        raise ValueError(f"audio must be (frames,) or (frames, channels), not {x.shape}")
    x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    if samplerate != RATE and len(x) > 1:
        x = _fft_resample(x, samplerate)
    pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    return pcm.tobytes()


def _fft_resample(x: np.ndarray, samplerate: int) -> np.ndarray:
    n_out = max(1, round(len(x) * RATE / samplerate))
    spectrum = np.fft.rfft(x)
    keep = n_out // 2 + 1
    if keep <= len(spectrum):
        spectrum = spectrum[:keep]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(keep - len(spectrum), complex)])
    return np.fft.irfft(spectrum, n_out) * (n_out / len(x))
