"""Waveform summary: per-column peak and RMS match a plain reference computation."""

from __future__ import annotations

import numpy as np
import pytest

from earmark.audio.waveform import summarize


def reference(x: np.ndarray, width: int):
    x = x if x.ndim == 2 else x[:, None]
    edges = (np.arange(width + 1) * len(x)) // width
    peak, rms = [], []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        col = x[a:b].astype(np.float64)
        peak.append(np.abs(col).max() if b > a else 0.0)
        rms.append(np.sqrt((col**2).mean()) if b > a else 0.0)
    return np.array(peak), np.array(rms)


@pytest.mark.parametrize(
    "frames, channels, width", [(48_000, 1, 200), (10_007, 2, 37), (300, 1, 299)]
)
def test_matches_reference(frames, channels, width):
    x = (0.5 * np.random.default_rng(frames).standard_normal((frames, channels))).astype(np.float32)
    x = np.clip(x, -1, 1)
    w = summarize(x, width)
    assert w.width == width and w.peak.dtype == np.float32 and w.rms.dtype == np.float32
    p, r = reference(x, width)
    np.testing.assert_allclose(w.peak, p, rtol=1e-6)
    np.testing.assert_allclose(w.rms, r, rtol=1e-4)


def test_sine_and_silence_columns():
    sr = 8000
    t = np.arange(sr) / sr
    loud = 0.8 * np.sin(2 * np.pi * 100 * t)
    x = np.concatenate([np.zeros(sr), loud]).astype(np.float32)[:, None]
    w = summarize(x, 10)
    assert np.all(w.peak[:5] == 0) and np.all(w.rms[:5] == 0)
    np.testing.assert_allclose(w.peak[5:], 0.8, rtol=1e-3)
    np.testing.assert_allclose(w.rms[5:], 0.8 / np.sqrt(2), rtol=1e-2)


def test_clip_shorter_than_width_leaves_empty_columns_zero():
    x = np.array([0.5, -0.25, 1.0], dtype=np.float32)
    w = summarize(x, 6)
    assert w.width == 6
    assert sorted(w.peak.tolist()) == [0, 0, 0, 0.25, 0.5, 1.0]


def test_values_stay_in_unit_range_and_empty_input():
    w = summarize(np.full((100, 1), 3.0, np.float32), 4)
    assert np.all(w.peak == 1.0) and np.all(w.rms == 1.0)
    w = summarize(np.zeros((0, 1), np.float32), 5)
    assert w.width == 5 and not w.peak.any() and not w.rms.any()


def test_stereo_pools_channels_and_other_dtypes_are_accepted():
    x = np.zeros((1000, 2))
    x[:, 1] = -0.5
    w = summarize(x, 2)
    np.testing.assert_allclose(w.peak, 0.5)
    np.testing.assert_allclose(w.rms, np.sqrt(0.125))


@pytest.mark.parametrize("width", [0, -3])
def test_bad_width(width):
    with pytest.raises(ValueError, match="width"):
        summarize(np.zeros((10, 1), np.float32), width)
