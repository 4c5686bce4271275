"""Prefetcher: background decode, waiting for in-flight work, LRU, errors, loudness gain."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from earmark.audio import AudioError, load
from earmark.audio.prefetch import DecodedClip, Prefetcher, decode_clip, loudness_gain
from tests.support import REALDATA

SR = 16_000


def write_tone(path, amp=0.3, seconds=1.0, sr=SR):
    import soundfile as sf

    t = np.arange(int(seconds * sr)) / sr
    sf.write(path, (amp * np.sin(2 * np.pi * 200 * t)).astype(np.float32), sr, subtype="PCM_16")
    return path


def db(x) -> float:
    return 20 * np.log10(x)


class CountingLoader:
    def __init__(self, gate: threading.Event | None = None):
        self.calls: list[str] = []
        self.gate = gate
        self.started = threading.Event()

    def __call__(self, path):
        self.calls.append(str(path))
        self.started.set()
        if self.gate is not None:
            self.gate.wait(30)
        return load(path)


def test_prefetch_then_get_decodes_once(tmp_path):
    p = write_tone(tmp_path / "a.wav")
    loader = CountingLoader()
    with Prefetcher(loader=loader) as pf:
        pf.prefetch(p)
        clip = pf.get(p)
        assert isinstance(clip, DecodedClip)
        assert clip.samplerate == SR and clip.samples.shape == (SR, 1)
        assert clip.duration == pytest.approx(1.0)
        assert pf.get(p) is clip
        pf.prefetch(p)
        assert loader.calls == [str(p)]
        assert pf.cached(p)


def test_get_without_prefetch_decodes(tmp_path):
    p = write_tone(tmp_path / "a.wav")
    with Prefetcher() as pf:
        assert not pf.cached(p)
        assert pf.get(p).frames == SR


def test_get_waits_for_the_decode_in_flight(tmp_path):
    p = write_tone(tmp_path / "a.wav")
    gate = threading.Event()
    loader = CountingLoader(gate)
    result = {}
    with Prefetcher(loader=loader) as pf:
        pf.prefetch(p)
        assert loader.started.wait(10)
        t = threading.Thread(target=lambda: result.setdefault("clip", pf.get(p)))
        t.start()
        t.join(0.2)
        assert t.is_alive() and "clip" not in result  # still blocked on the gated decode
        gate.set()
        t.join(10)
        assert result["clip"].frames == SR
        assert loader.calls == [str(p)]  # the waiting get did not start a second decode


def test_errors_are_audio_errors_and_not_kept(tmp_path):
    p = tmp_path / "later.wav"
    with Prefetcher() as pf:
        pf.prefetch(p)
        with pytest.raises(AudioError, match="later.wav"):
            pf.get(p)
        write_tone(p)  # the file turns up (e.g. a sync finished): the next attempt works
        assert pf.get(p).frames == SR


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not beside this checkout")
def test_malformed_files_raise_audio_error():
    with Prefetcher() as pf:
        for f in sorted((REALDATA / "malformed").glob("*.wav")):
            pf.prefetch(f)
        for f in sorted((REALDATA / "malformed").glob("*.wav")):
            with pytest.raises(AudioError, match=f.name):
                pf.get(f)


def test_unexpected_loader_failures_become_audio_errors(tmp_path):
    def broken(path):
        raise RuntimeError("decoder bug")

    with Prefetcher(loader=broken) as pf, pytest.raises(AudioError, match="x.wav.*decoder bug"):
        pf.get(tmp_path / "x.wav")


def test_lru_keeps_only_a_few_clips(tmp_path):
    paths = [write_tone(tmp_path / f"{i}.wav") for i in range(5)]
    loader = CountingLoader()
    with Prefetcher(capacity=3, loader=loader) as pf:
        for p in paths[:3]:
            pf.get(p)
        pf.get(paths[0])  # touch: now the most recent
        pf.get(paths[3])  # evicts paths[1], the least recently used
        assert pf.cached(paths[0]) and pf.cached(paths[2]) and pf.cached(paths[3])
        assert not pf.cached(paths[1])
        pf.get(paths[1])
        assert loader.calls.count(str(paths[1])) == 2


def test_a_replaced_file_is_decoded_again(tmp_path):
    p = write_tone(tmp_path / "a.wav", seconds=1.0)
    with Prefetcher() as pf:
        assert pf.get(p).frames == SR
        write_tone(p, seconds=2.0)
        assert pf.get(p).frames == 2 * SR


def test_waveform_is_cached_per_width(tmp_path):
    p = write_tone(tmp_path / "a.wav")
    with Prefetcher(width=120) as pf:
        pf.prefetch(p)
        clip = pf.get(p)
        assert 120 in clip._waveforms  # computed in the background with the decode
        w = clip.waveform(200)
        assert w.width == 200 and clip.waveform(200) is w
        assert clip.waveform(80) is not w


def test_closed_prefetcher_refuses_politely(tmp_path):
    pf = Prefetcher()
    pf.close()
    with pytest.raises(AudioError, match="closed"):
        pf.get(tmp_path / "a.wav")


# -- loudness ---------------------------------------------------------------------------------


def active_rms_db(x, sr):
    block = sr // 50
    n = len(x) // block
    e = (x[: n * block, 0] ** 2).reshape(n, block).mean(axis=1)
    return 10 * np.log10(e[e >= e.max() * 10 ** (-3.5)].mean())


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not beside this checkout")
def test_quiet_speech_is_brought_to_minus_20_dbfs():
    x, sr = load(REALDATA / "librivox" / "sense_and_sensibility_01_austen_64kb-0880.wav")
    quiet = x * 0.3
    g = loudness_gain(quiet, sr)
    assert 1 < g < 10
    assert np.abs(quiet).max() * g < 0.97  # not limited by the peak ceiling here
    assert active_rms_db(quiet * g, sr) == pytest.approx(-20, abs=0.5)
    assert loudness_gain(x, sr) == pytest.approx(g * 0.3, rel=1e-3)  # level-independent result


def test_pauses_do_not_count_towards_loudness():
    t = np.arange(SR) / SR
    speech = 0.1 * np.sin(2 * np.pi * 200 * t)
    x = np.concatenate([np.zeros(4 * SR), speech, np.zeros(4 * SR)]).astype(np.float32)[:, None]
    g = loudness_gain(x, SR)
    assert db(0.1 / np.sqrt(2) * g) == pytest.approx(-20, abs=0.5)


def test_gain_never_makes_peaks_clip_and_is_capped():
    x = np.full((SR, 1), 0.001, np.float32)
    x[100] = 0.9  # one loud click
    assert 0.9 * loudness_gain(x, SR) <= 0.98 + 1e-6
    faint = np.full((SR, 1), 1e-5, np.float32)
    assert loudness_gain(faint, SR) == pytest.approx(10.0)
    assert loudness_gain(np.zeros((SR, 1), np.float32), SR) == 1.0
    assert loudness_gain(np.zeros((0, 1), np.float32), SR) == 1.0


def test_loud_clip_is_turned_down():
    t = np.arange(SR) / SR
    x = (0.9 * np.sign(np.sin(2 * np.pi * 100 * t))).astype(np.float32)[:, None]
    g = loudness_gain(x, SR)
    assert g < 1 and db(0.9 * g) == pytest.approx(-20, abs=0.5)


def test_decode_clip_errors(tmp_path):
    with pytest.raises(AudioError, match="gone.wav"):
        decode_clip(tmp_path / "gone.wav")
