"""WSOLA time-stretch: pitch kept (measured), length, streaming speed changes, positions."""

from __future__ import annotations

import numpy as np
import pytest

from earmark.audio.stretch import Stretcher, time_stretch

SR = 16_000
SPEEDS = [0.5, 0.75, 1.5, 2.0]


def sine(freq: float, seconds: float = 2.0, sr: int = SR, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)[:, None]


def dominant(x: np.ndarray, sr: int = SR) -> float:
    """Frequency of the largest spectral peak, refined by parabolic interpolation."""
    y = x.astype(np.float64) * np.hanning(len(x))
    mag = np.abs(np.fft.rfft(y, n=4 * len(y)))
    k = int(np.argmax(mag[1:-1])) + 1
    a, b, c = np.log(mag[k - 1 : k + 2] + 1e-30)
    k += 0.5 * (a - c) / (a - 2 * b + c)
    return k * sr / (4 * len(y))


def speech_peak(x: np.ndarray, sr: int) -> float:
    """Peak of the long-term average spectrum between 70 and 1000 Hz (voice pitch/formant)."""
    n = 2048
    frames = np.lib.stride_tricks.sliding_window_view(x[:, 0].astype(np.float64), n)[:: n // 2]
    spec = (np.abs(np.fft.rfft(frames * np.hanning(n), axis=1)) ** 2).mean(axis=0)
    freqs = np.fft.rfftfreq(n, 1 / sr)
    band = (freqs >= 70) & (freqs <= 1000)
    smooth = np.convolve(spec, np.ones(3) / 3, mode="same")
    return float(freqs[band][np.argmax(smooth[band])])


@pytest.fixture(scope="module")
def speech(request):
    import soundfile as sf

    from tests.support import REALDATA

    path = REALDATA / "librivox" / "sense_and_sensibility_01_austen_64kb-0870.wav"
    if not path.is_file():
        pytest.skip("../shared/realdata/librivox is not beside this checkout")
    data, sr = sf.read(path, dtype="float32", always_2d=True)
    return data, sr


@pytest.mark.parametrize("speed", SPEEDS)
@pytest.mark.parametrize("freq", [220.0, 1000.0])
def test_sine_keeps_its_pitch_and_length_scales(speed, freq):
    x = sine(freq)
    y = time_stretch(x, SR, speed)
    assert y.dtype == np.float32 and y.ndim == 2 and y.shape[1] == 1
    assert len(y) == pytest.approx(len(x) / speed, rel=0.02)
    assert dominant(y[:, 0]) == pytest.approx(freq, rel=0.01)


@pytest.mark.parametrize("speed", SPEEDS)
def test_real_speech_keeps_its_spectrum_peak(speech, speed):
    data, sr = speech
    before = speech_peak(data, sr)
    after = speech_peak(time_stretch(data, sr, speed), sr)
    assert after == pytest.approx(before, rel=0.1)
    # the measure can tell: plain resampling (what a naive speed-up does) moves the peak
    idx = np.arange(0, len(data) - 1, speed)
    naive = np.interp(idx, np.arange(len(data)), data[:, 0]).astype(np.float32)[:, None]
    assert speech_peak(naive, sr) != pytest.approx(before, rel=0.1)


def test_real_speech_length_scales(speech):
    data, sr = speech
    for speed in SPEEDS:
        assert len(time_stretch(data, sr, speed)) == pytest.approx(len(data) / speed, rel=0.02)


@pytest.mark.parametrize("speed", [0.5, 1.5])
def test_stereo_channels_keep_their_own_pitch(speed):
    x = np.hstack([sine(220.0), sine(330.0, amp=0.3)])
    y = time_stretch(x, SR, speed)
    assert y.shape[1] == 2 and y.dtype == np.float32
    assert len(y) == pytest.approx(len(x) / speed, rel=0.02)
    assert dominant(y[:, 0]) == pytest.approx(220.0, rel=0.01)
    assert dominant(y[:, 1]) == pytest.approx(330.0, rel=0.01)


def test_one_dimensional_input_gives_one_dimensional_output():
    y = time_stretch(sine(220.0)[:, 0], SR, 1.5)
    assert y.ndim == 1 and y.dtype == np.float32


def test_speed_one_is_an_exact_copy():
    x = np.random.default_rng(1).standard_normal((12_345, 2)).astype(np.float32)
    assert np.array_equal(time_stretch(x, SR, 1.0), x)


@pytest.mark.parametrize("bad", [0.49, 2.01, 0.0, -1.0, float("nan"), float("inf"), "fast"])
def test_speed_outside_range_is_a_clear_value_error(bad):
    with pytest.raises(ValueError, match=r"between 0\.5 and 2\.0"):
        time_stretch(sine(220.0), SR, bad)
    with pytest.raises(ValueError, match=r"between 0\.5 and 2\.0"):
        Stretcher(sine(220.0), SR).read(100, bad)


def test_empty_input():
    assert time_stretch(np.zeros((0, 1), np.float32), SR, 1.5).shape == (0, 1)
    st = Stretcher(np.zeros((0, 2), np.float32), SR)
    assert st.done
    out, a, b = st.read(100, 1.5)
    assert out.shape == (0, 2) and a == b == 0


# -- streaming -------------------------------------------------------------------------------


def test_stretcher_at_speed_one_is_bit_exact_in_uneven_blocks():
    x = np.random.default_rng(2).standard_normal((20_000, 2)).astype(np.float32)
    st = Stretcher(x, SR)
    parts, sizes = [], [1, 7, 512, 1000, 3333, 4096]
    while not st.done:
        parts.append(st.read(sizes[len(parts) % len(sizes)], 1.0)[0])
    assert np.array_equal(np.concatenate(parts), x)
    assert st.position == len(x)


@pytest.mark.parametrize("freq", [220.0, 440.0])
def test_speed_changes_between_reads_make_no_click_and_no_gap(freq):
    x = np.hstack([sine(freq, 6.0), sine(freq, 6.0, amp=0.25)])
    own = np.abs(np.diff(x, axis=0)).max(axis=0)
    st = Stretcher(x, SR)
    schedule = [1.0, 1.5, 1.0, 0.5, 2.0, 1.0, 0.75, 1.25, 2.0, 0.5, 1.0]
    parts = []
    for i in range(60):
        block, _, _ = st.read(700, schedule[i % len(schedule)])
        if st.done:
            break
        assert len(block) == 700  # no gap: a full block every time until the end
        parts.append(block)
    y = np.concatenate(parts)
    jumps = np.abs(np.diff(y, axis=0)).max(axis=0)
    assert np.all(jumps <= own * 1.1), (jumps, own)
    # and the pitch is still the sine's
    assert dominant(y[:, 0]) == pytest.approx(freq, rel=0.01)


def test_clicks_would_be_caught():
    """The click measure used above does see a splice between unaligned pieces."""
    x = sine(220.0, 1.0)
    spliced = np.concatenate([x[:1000], x[1017:2000]])
    assert np.abs(np.diff(spliced[:, 0])).max() > 1.5 * np.abs(np.diff(x[:, 0])).max()


def test_leaving_stretching_resumes_a_verbatim_copy():
    x = np.random.default_rng(3).standard_normal((40_000, 1)).astype(np.float32)
    st = Stretcher(x, SR)
    st.read(3000, 1.5)
    st.read(0, 1.0)
    # the stretched part's pending output is handed out first, then copying starts exactly
    block, start, end = st.read(5000, 1.0)
    tail_from = int(end) - 2000
    assert np.array_equal(block[-2000:], x[tail_from : int(end)])


def test_seek_resets_state_and_restarts_there():
    x = np.random.default_rng(4).standard_normal((30_000, 1)).astype(np.float32)
    st = Stretcher(x, SR)
    st.read(4000, 1.7)
    st.seek(10_000)
    assert st.position == 10_000 and not st.done
    block, start, _ = st.read(500, 1.0)
    assert start == 10_000 and np.array_equal(block, x[10_000:10_500])
    st.read(2000, 0.6)
    st.seek(20_000)
    # entering the stretch is seamless: the first hop is still the source itself
    block, start, _ = st.read(100, 1.5)
    assert start == 20_000
    np.testing.assert_allclose(block, x[20_000:20_100], atol=1e-6)
    st.seek(-5)
    assert st.position == 0
    st.seek(10**9)
    assert st.done and st.read(100, 1.0)[0].shape == (0, 1)


@pytest.mark.parametrize("speed", [0.5, 1.0, 1.5, 2.0])
def test_positions_track_the_source(speed):
    x = sine(300.0, 5.0)
    st = Stretcher(x, SR)
    prev_end = 0.0
    produced = 0
    while not st.done:
        block, start, end = st.read(1024, speed)
        assert start == prev_end and end >= start
        assert st.position == end
        produced += len(block)
        prev_end = end
        # the playhead follows the nominal clock within a hop and a search range (~21 ms)
        assert abs(end - produced * speed) <= 0.03 * SR or end == len(x)
    assert st.position == len(x)
    assert produced == pytest.approx(len(x) / speed, rel=0.02)


@pytest.mark.parametrize("speed", [1.0, 1.5, 0.5])
def test_stop_frame_is_honoured(speed):
    x = sine(300.0, 3.0)
    st = Stretcher(x, SR)
    st.seek(8000)
    got = 0
    while True:
        block, start, end = st.read(1000, speed, stop=16_000)
        got += len(block)
        if len(block) < 1000:
            break
    assert st.position == pytest.approx(16_000, abs=2 * speed)
    assert end <= 16_000 + 2 * speed
    assert got == pytest.approx(8000 / speed, rel=0.03)
    assert st.read(1000, speed, stop=16_000)[0].shape[0] == 0
    assert not st.done
    # without the stop the clip carries on from there
    block, start, _ = st.read(1000, speed)
    assert len(block) == 1000 and start == pytest.approx(16_000, abs=2 * speed)
    if speed == 1.0:
        np.testing.assert_array_equal(block, x[16_000:17_000])


def test_random_use_keeps_every_invariant():
    """Reads, seeks, speeds and stops in a random order, as a player under a busy user does."""
    rng = np.random.default_rng(7)
    x = (0.8 * rng.uniform(-1, 1, (25_000, 2))).astype(np.float32)
    bound = np.abs(x).max()
    st = Stretcher(x, 8000)
    last = st.position
    for _ in range(400):
        op = rng.integers(0, 10)
        if op == 0:
            st.seek(int(rng.integers(-100, 26_000)))
            last = st.position
            continue
        speed = float(rng.choice([1.0, 1.0, rng.uniform(0.5, 2.0)]))
        stop = None if rng.integers(0, 3) else int(rng.integers(0, 26_000))
        n = int(rng.integers(0, 3000))
        block, start, end = st.read(n, speed, stop)
        assert block.dtype == np.float32 and block.shape[1] == 2 and len(block) <= n
        assert start == last and end >= start and st.position == end
        assert end <= len(x) and (stop is None or len(block) == 0 or end <= max(stop, start) + 2)
        # blending two windowed frames never exceeds the source's own peak
        assert np.isfinite(block).all() and np.abs(block).max(initial=0) <= bound * 1.0001
        if len(block) < n:
            assert st.done or (stop is not None and end >= stop - 2)
        last = end


def test_real_speech_with_speed_changes_every_block_has_no_clicks(speech):
    data, sr = speech
    own = np.abs(np.diff(data[:, 0])).max()
    st = Stretcher(data, sr)
    schedule = [1.0, 1.5, 1.0, 0.5, 2.0, 1.0, 0.75, 1.25]
    parts = []
    while not st.done:
        parts.append(st.read(512, schedule[len(parts) % len(schedule)])[0])
    y = np.concatenate(parts)
    assert np.abs(np.diff(y[:, 0])).max() <= own * 1.05
    mean_speed = np.mean(schedule)
    assert len(y) == pytest.approx(len(data) / mean_speed, rel=0.1)
