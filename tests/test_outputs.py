"""Outputs: how sounddevice's failures become one line, and how each output pulls frames."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from earmark.audio import outputs
from earmark.audio.outputs import (
    NO_PORTAUDIO,
    DeviceOutput,
    NoAudio,
    NullOutput,
    UnavailableOutput,
    hint_for,
    open_output,
)
from earmark.clock import FakeClock
from tests.support import block_sounddevice, needs_portaudio


class Counted:
    """A source with `frames` frames of audio (value 0.25), then silence."""

    def __init__(self, frames: int):
        self.left = frames
        self.lock = threading.Lock()

    def wants_audio(self) -> bool:
        return self.left > 0

    def render(self, out, index):
        with self.lock:
            m = min(len(out), self.left)
            out[:m] = 0.25
            out[m:] = 0
            self.left -= m
            return m


def _wait(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not pred() and time.monotonic() < deadline:
        time.sleep(0.005)
    return pred()


def test_missing_portaudio_is_one_line(monkeypatch):
    block_sounddevice(monkeypatch, OSError("PortAudio library not found"))
    with pytest.raises(NoAudio) as err:
        outputs.import_sounddevice()
    assert str(err.value) == NO_PORTAUDIO
    out = open_output()
    assert isinstance(out, UnavailableOutput) and not out.available
    assert out.reason == f"no audio: {NO_PORTAUDIO}"
    assert "apt-get install libportaudio2" in hint_for(out.reason)


def test_missing_sounddevice_package_is_one_line(monkeypatch):
    block_sounddevice(monkeypatch, ImportError("No module named 'sounddevice'"))
    with pytest.raises(NoAudio, match="sounddevice package is not installed"):
        outputs.import_sounddevice()


@needs_portaudio
def test_no_default_device_is_one_line(monkeypatch):
    import sounddevice as sd

    def none(*a, **k):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", none)
    with pytest.raises(NoAudio, match=r"^no output device \(Error querying device -1\)$"):
        outputs.default_output_device()
    out = open_output()
    assert not out.available and "earmark listen" in hint_for(out.reason)


def test_null_output_by_hand_counts_real_frames():
    out = NullOutput(paced=False)
    out.attach(Counted(1000))
    out.configure(16_000, 2)
    assert out.pull(320) == 320
    assert sum(out.pull(320) for _ in range(5)) == 680
    assert out.frames_played == 1000 and out.heard(0.0) == 6 * 320


def test_null_output_is_paced_by_its_clock():
    clock = FakeClock()
    out = NullOutput(clock)
    src = Counted(10_000)
    out.attach(src)
    out.configure(16_000, 1)
    try:
        time.sleep(0.1)  # the pacing thread has been running; the fake clock has not moved
        assert out.frames_played == 0
        clock.advance(0.1)
        assert _wait(lambda: out.frames_played == 1600)
        time.sleep(0.05)
        assert out.frames_played == 1600  # no more than the clock allows
    finally:
        out.close()
    assert not out._thread.is_alive()


@needs_portaudio
def test_device_output_plays_idles_and_restarts(alsa_null):
    out = DeviceOutput(FakeClock())
    try:
        assert out.available and out.description == "default (ALSA)"
        src = Counted(4000)
        out.attach(src)
        out.configure(16_000, 1)
        out.wake()
        assert _wait(lambda: out.frames_played == 4000)
        assert _wait(lambda: not out._stream.active)  # idle: stopped itself
        assert out.heard(1e9) <= out._pulled
        src.left = 2000
        out.wake()
        assert _wait(lambda: out.frames_played == 6000)
        out.configure(22_050, 2)  # another clip format: the stream is reopened
        src.left = 100
        out.wake()
        assert _wait(lambda: out.frames_played == 6100)
        assert out._format == (22_050, 2)
        assert 0.0 < out.latency < 1.0
    finally:
        out.close()
    assert out._stream is None


def test_unavailable_output_accepts_everything():
    out = UnavailableOutput("no audio: test")
    out.attach(Counted(10))
    out.configure(8000, 1)
    out.wake()
    out.flush(5)
    assert out.heard(0.0) == 0.0 and out.reason == "no audio: test"
    out.close()


def test_hints_differ_by_cause():
    assert "apt-get install libportaudio2" in hint_for(f"no audio: {NO_PORTAUDIO}")
    assert "apt-get" not in hint_for("no audio: no output device (x)")


class Sine:
    """An endless 440 Hz source at 16 kHz that also counts what it was asked for."""

    def __init__(self, rate=16_000, hz=440.0, frames=None):
        self.rate, self.hz, self.pos, self.left = rate, hz, 0, frames

    def wants_audio(self):
        return True

    def render(self, out, index):
        n = len(out) if self.left is None else min(len(out), self.left)
        t = (self.pos + np.arange(n)) / self.rate
        out[:n, 0] = 0.5 * np.sin(2 * np.pi * self.hz * t)
        out[n:] = 0
        self.pos += n
        if self.left is not None:
            self.left -= n
        return n


def test_resampler_keeps_pitch_and_joins_blocks_without_a_seam():
    src = Sine()
    rs = outputs.Resampler(16_000, 48_000, 1)
    blocks, pulled = [], 0
    for size in [441, 512, 17, 1000, 256] * 8:  # odd block sizes, as callbacks come
        out = np.zeros((size, 1), np.float32)
        m, n = rs.render(src, out, pulled)
        pulled += n
        blocks.append(out[:, 0].copy())
    y = np.concatenate(blocks)
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    peak_hz = np.argmax(spectrum) * 48_000 / len(y)
    assert peak_hz == pytest.approx(440, abs=3)
    assert np.abs(np.diff(y)).max() < 2 * np.pi * 440 / 48_000 * 0.5 * 1.05  # no jump anywhere
    assert pulled == pytest.approx(len(y) / 3, abs=3)  # a third as many source frames


@needs_portaudio
def test_a_device_that_refuses_the_clip_rate_gets_it_resampled(alsa_null, monkeypatch):
    real = alsa_null.OutputStream

    def picky(*args, samplerate=None, **kwargs):  # a device that only takes 44.1 kHz
        if samplerate != 44_100:
            raise alsa_null.PortAudioError("Invalid sample rate")
        return real(*args, samplerate=samplerate, **kwargs)

    monkeypatch.setattr(alsa_null, "OutputStream", picky)
    out = DeviceOutput(FakeClock())
    try:
        out.attach(Sine(frames=8000))
        out.configure(16_000, 1)
        out.wake()
        assert _wait(lambda: out.frames_played == 8000)
        assert out.available and out.device_rate == 44_100 and out._resampler is not None
    finally:
        out.close()
