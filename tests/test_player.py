"""The Player: state, positions and played stretches through its own frame accounting.

Most tests pull blocks by hand from a NullOutput with a FakeClock, so every position is exact;
the device tests open real sounddevice streams on ALSA's null device (not paced in real time,
so they assert on frames, never on wall time).
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from earmark.audio.outputs import NullOutput, Output, UnavailableOutput
from earmark.audio.player import Player, open_player
from earmark.clock import FakeClock
from tests.support import needs_portaudio

SR = 16_000
BLOCK = 320  # 20 ms


def ramp(seconds: float = 1.0, channels: int = 1) -> np.ndarray:
    """A clip whose every sample names its own frame, so output can be traced to the source."""
    n = int(seconds * SR)
    x = (np.arange(n, dtype=np.float32) / n * 0.5)[:, None]
    return np.repeat(x, channels, axis=1)


def tone(seconds: float = 1.0, hz: float = 300.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)[:, None]


class Rig:
    def __init__(self, clip=None, *, rewind: float = 0.0, output: Output | None = None):
        self.clock = FakeClock()
        self.out = output or NullOutput(self.clock, paced=False)
        self.player = Player(self.out, clock=self.clock, rewind_on_resume=rewind)
        self.played: list[tuple] = []
        self.player.on_played = lambda *ev: self.played.append(ev)
        if clip is not None:
            self.player.load(clip, SR, key="clip-1")

    def pull(self, seconds: float) -> None:
        for _ in range(round(seconds * SR / BLOCK)):
            self.out.pull(BLOCK)

    def run_out(self, limit: int = 100_000) -> None:
        for _ in range(limit):
            if self.player.state != "playing":
                break
            self.out.pull(BLOCK)
        self.player.drain_events()


def test_play_pause_resume_and_position_follow_pulled_frames():
    r = Rig(ramp())
    p = r.player
    assert p.state == "stopped" and p.duration == pytest.approx(1.0)
    p.play()
    assert p.state == "playing" and p.position() == 0.0
    r.pull(0.2)
    assert p.position() == pytest.approx(0.2)
    p.pause()
    assert p.state == "paused"
    r.pull(0.3)  # time passes while paused: nothing moves
    assert p.position() == pytest.approx(0.2)
    assert r.played == [("clip-1", 0.0, pytest.approx(0.2), 1.0)]
    p.resume()
    r.pull(0.1)
    assert p.position() == pytest.approx(0.3)
    r.run_out()
    assert p.state == "stopped"
    assert p.position() == pytest.approx(1.0)
    assert r.played[-1] == ("clip-1", pytest.approx(0.2), pytest.approx(1.0), 1.0)
    assert r.out.frames_played == SR  # every frame exactly once


def test_rendered_frames_are_the_clip_in_order():
    clip = ramp(0.5)
    r = Rig(clip)
    got = []
    r.player.play()
    buf = np.zeros((BLOCK, 1), np.float32)
    index = 0
    while r.player.state == "playing":
        m = r.player.render(buf, index)
        got.append(buf[:m].copy())
        index += BLOCK
    assert np.array_equal(np.concatenate(got), clip)


def test_resume_rewinds_but_not_before_the_start():
    r = Rig(ramp(), rewind=0.5)
    p = r.player
    p.play()
    r.pull(0.8)
    p.pause()
    p.resume()
    assert p.position() == pytest.approx(0.3)
    r.pull(0.1)
    p.pause()
    assert p.position() == pytest.approx(0.4)
    p.resume()
    assert p.position() == 0.0  # 0.4 - 0.5 is clamped to the clip's start


def test_rewind_on_resume_is_clamped_to_two_seconds():
    assert Rig(rewind=9.0).player.rewind_on_resume == 2.0
    assert Rig(rewind=-1.0).player.rewind_on_resume == 0.0


def test_toggle():
    r = Rig(ramp())
    r.player.toggle()
    assert r.player.state == "playing"
    r.pull(0.1)
    r.player.toggle()
    assert r.player.state == "paused"
    r.player.toggle()
    assert r.player.state == "playing"


def test_seek_while_playing_ends_a_stretch_and_jumps():
    r = Rig(ramp())
    p = r.player
    p.play()
    r.pull(0.2)
    p.seek(0.7)
    assert p.position() == pytest.approx(0.7)
    assert r.played == [("clip-1", 0.0, pytest.approx(0.2), 1.0)]
    r.pull(0.1)
    assert p.position() == pytest.approx(0.8)
    p.seek(-3)  # clamped
    assert p.position() == 0.0
    p.seek(99)  # past the end: stopped there
    assert p.state == "stopped" and p.position() == pytest.approx(1.0)


def test_seek_while_paused_moves_the_playhead_only():
    r = Rig(ramp())
    p = r.player
    p.play()
    r.pull(0.1)
    p.pause()
    p.seek(0.5)
    assert p.state == "paused" and p.position() == pytest.approx(0.5)
    p.resume()
    r.pull(0.1)
    assert p.position() == pytest.approx(0.6)


def test_skip_forward_and_back():
    r = Rig(ramp())
    p = r.player
    p.play()
    r.pull(0.4)
    p.skip(-0.3)
    assert p.position() == pytest.approx(0.1)
    p.skip(0.5)
    assert p.position() == pytest.approx(0.6)
    p.skip(-5)
    assert p.position() == 0.0


def test_play_a_span_stops_at_its_end():
    r = Rig(ramp())
    p = r.player
    p.play(0.25, 0.5)
    assert p.position() == pytest.approx(0.25)
    r.run_out()
    assert p.state == "stopped"
    assert p.position() == pytest.approx(0.5)
    assert r.out.frames_played == int(0.25 * SR)
    assert r.played == [("clip-1", pytest.approx(0.25), pytest.approx(0.5), 1.0)]


def test_play_after_the_end_starts_again():
    r = Rig(ramp(0.2))
    r.player.play()
    r.run_out()
    r.player.play()
    assert r.player.state == "playing" and r.player.position() == 0.0


def test_loop_a_span_until_paused():
    r = Rig(ramp())
    p = r.player
    p.play(0.1, 0.2, loop=True)
    r.pull(0.26)  # two passes of 0.1 s, then 0.06 s into the third
    assert p.state == "playing"
    assert p.position() == pytest.approx(0.16)
    r.player.drain_events()
    assert r.played == [("clip-1", pytest.approx(0.1), pytest.approx(0.2), 1.0)] * 2
    p.pause()
    assert r.played[-1] == ("clip-1", pytest.approx(0.1), pytest.approx(0.16), 1.0)
    assert r.out.frames_played == int(0.26 * SR)


def test_a_tiny_loop_is_stretched_to_a_tenth_of_a_second():
    r = Rig(ramp())
    r.player.play(0.5, 0.5 + 10 / SR, loop=True)  # 10 frames, shorter than a block
    r.pull(0.24)
    assert r.player.state == "playing"
    assert r.player.position() == pytest.approx(0.54)
    r.player.drain_events()
    assert r.played == [("clip-1", 0.5, pytest.approx(0.6), 1.0)] * 2


def test_seek_out_of_a_loop_cancels_it():
    r = Rig(ramp())
    p = r.player
    p.play(0.1, 0.2, loop=True)
    r.pull(0.05)
    p.seek(0.5)
    r.run_out()
    assert p.state == "stopped" and p.position() == pytest.approx(1.0)


def test_volume_and_clip_gain_scale_the_output():
    clip = ramp(0.1)
    r = Rig()
    r.player.load(clip, SR, key="k", gain=0.5)
    r.player.volume = 1.5
    r.player.play()
    buf = np.zeros((BLOCK, 1), np.float32)
    m = r.player.render(buf, 0)
    assert m == BLOCK
    assert np.allclose(buf[:, 0], clip[:BLOCK, 0] * 0.75)
    r.player.volume = 9
    assert r.player.volume == 2.0
    r.player.volume = -1
    assert r.player.volume == 0.0


def test_loud_gain_is_clipped_not_wrapped():
    r = Rig()
    r.player.load(np.full((SR, 1), 0.9, np.float32), SR, gain=2.0)
    r.player.play()
    buf = np.zeros((BLOCK, 1), np.float32)
    r.player.render(buf, 0)
    assert buf.max() == 1.0


def test_position_subtracts_output_latency():
    class Lagging(NullOutput):
        """Hears `lag` frames behind what was pulled, like a device with output latency."""

        lag = 1600

        def heard(self, now):
            return float(self._pulled - self.lag)

    r = Rig(ramp(), output=Lagging(FakeClock(), paced=False))
    r.player.play()
    r.pull(0.5)
    assert r.player.position() == pytest.approx(0.4)
    r.player.pause()
    assert r.player.position() == pytest.approx(0.4)  # resumes from what was heard
    r.player.resume()
    assert r.player.position() == pytest.approx(0.4)


@pytest.mark.parametrize("speed", [0.5, 1.5, 2.0])
def test_speed_changes_how_many_frames_play(speed):
    r = Rig(tone())
    r.player.speed = speed
    r.player.play()
    r.run_out()
    assert r.player.frames_rendered == pytest.approx(SR / speed, rel=0.03)
    assert r.played == [("clip-1", 0.0, pytest.approx(1.0), speed)]


def test_speed_is_clamped_and_changes_mid_play_end_a_stretch():
    r = Rig(tone())
    p = r.player
    p.speed = 5
    assert p.speed == 2.0
    p.speed = 0.1
    assert p.speed == 0.5
    p.speed = 1.0
    p.play()
    r.pull(0.3)
    p.speed = 1.5
    assert r.played == [("clip-1", 0.0, pytest.approx(0.3), 1.0)]
    r.run_out()
    assert r.played[-1] == ("clip-1", pytest.approx(0.3), pytest.approx(1.0), 1.5)
    assert p.frames_rendered == pytest.approx(0.3 * SR + 0.7 * SR / 1.5, rel=0.03)


def test_stop_and_load_end_stretches_and_reset():
    r = Rig(ramp())
    p = r.player
    p.play()
    r.pull(0.1)
    p.stop()
    assert p.state == "stopped" and p.position() == 0.0
    p.play()
    r.pull(0.1)
    p.load(ramp(2.0), SR, key="clip-2")
    assert p.state == "stopped" and p.duration == pytest.approx(2.0) and p.key == "clip-2"
    assert [ev[0] for ev in r.played] == ["clip-1", "clip-1"]


def test_commands_on_an_empty_player_do_nothing():
    r = Rig()
    p = r.player
    for call in (p.play, p.pause, p.resume, p.toggle, p.stop, lambda: p.seek(1), lambda: p.skip(1)):
        call()
    assert p.state == "empty" and p.position() == 0.0 and p.duration == 0.0


def test_stereo_and_one_dimensional_clips():
    r = Rig()
    r.player.load(ramp(0.1, channels=2), SR)
    assert r.out.channels == 2
    r.player.load(ramp(0.1)[:, 0], SR)
    assert r.out.channels == 1
    with pytest.raises(ValueError):
        r.player.load(np.zeros((2, 2, 2)), SR)


def test_a_failing_on_played_does_not_break_playback():
    r = Rig(ramp())

    def boom(*ev):
        raise RuntimeError("audit is down")

    r.player.on_played = boom
    r.player.play()
    r.pull(0.1)
    r.player.pause()
    r.player.resume()
    r.run_out()
    assert r.player.state == "stopped"


def test_commands_from_other_threads_race_the_render_path_safely():
    r = Rig(tone(2.0))
    p = r.player
    p.play()
    stop = threading.Event()
    errors = []

    def puller():
        try:
            while not stop.is_set():
                r.out.pull(BLOCK)
        except Exception as exc:  # noqa: BLE001  (the assertion below reports it)
            errors.append(exc)

    t = threading.Thread(target=puller)
    t.start()
    rng = np.random.default_rng(7)
    for i in range(400):
        op = i % 6
        if op == 0:
            p.toggle()
        elif op == 1:
            p.seek(float(rng.uniform(0, 2)))
        elif op == 2:
            p.speed = float(rng.uniform(0.5, 2.0))
        elif op == 3:
            p.play(float(rng.uniform(0, 1)), float(rng.uniform(1, 2)), loop=bool(i % 2))
        elif op == 4:
            p.skip(float(rng.uniform(-1, 1)))
        else:
            assert 0.0 <= p.position() <= 2.0
    stop.set()
    t.join()
    assert not errors
    assert p.state in ("playing", "paused", "stopped")


def test_unavailable_player_is_a_silent_no_op():
    p = Player(UnavailableOutput("no audio: PortAudio (libportaudio2) is not installed"))
    assert p.available is False
    assert p.reason == "no audio: PortAudio (libportaudio2) is not installed"
    p.load(ramp(), SR, key="k")
    p.play()
    p.play(0.1, 0.2, loop=True)
    p.pause()
    p.resume()
    p.toggle()
    p.seek(0.5)
    p.skip(1)
    p.speed = 1.5
    p.volume = 0.5
    p.stop()
    assert p.state == "empty" and p.position() == 0.0
    p.close()


def test_open_player_without_portaudio(monkeypatch):
    from tests.support import block_sounddevice

    block_sounddevice(monkeypatch, OSError("PortAudio library not found"))
    p = open_player()
    assert p.available is False
    assert p.reason == "no audio: PortAudio (libportaudio2) is not installed"
    assert "\n" not in p.reason
    p.load(ramp(), SR)
    p.play()
    assert p.position() == 0.0
    p.close()


@needs_portaudio
def test_open_player_without_an_output_device(monkeypatch):
    import sounddevice as sd

    def no_device(*args, **kwargs):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", no_device)
    p = open_player()
    assert p.available is False
    assert p.reason == "no audio: no output device (Error querying device -1)"
    p.load(ramp(), SR)
    p.play()
    p.seek(0.5)
    assert p.state == "empty"
    p.close()


def test_open_player_null_output_is_paced_and_counts():
    p = open_player(output="null")
    try:
        assert p.available and p.output.description.startswith("null output")
        p.load(ramp(0.1), SR, key="k")
        p.play()
        deadline = time.monotonic() + 10
        while p.state == "playing" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert p.state == "stopped"
        assert p.output.frames_played == int(0.1 * SR)
    finally:
        p.close()


# -- real streams on ALSA's null device ----------------------------------------------------------
def _wait(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not pred() and time.monotonic() < deadline:
        time.sleep(0.005)
    return pred()


@needs_portaudio
@pytest.mark.parametrize("speed", [1.0, 1.5])
def test_device_plays_the_whole_clip(speed, alsa_null):
    clock = FakeClock()
    p = open_player(clock=clock)
    played = []
    p.on_played = lambda *ev: played.append(ev)
    try:
        assert p.available, p.reason
        assert p.output.description  # e.g. "default (ALSA)"
        p.load(tone(0.5), SR, key="dev")
        p.speed = speed
        p.play()
        assert _wait(lambda: p.state == "stopped")
        p.drain_events()
        assert p.output.frames_played == p.frames_rendered
        assert p.frames_rendered == pytest.approx(0.5 * SR / speed, rel=0.03)
        if speed == 1.0:
            assert p.frames_rendered == int(0.5 * SR)
        assert played == [("dev", 0.0, pytest.approx(0.5), speed)]
    finally:
        p.close()


@needs_portaudio
def test_device_span_then_replay_after_the_stream_went_idle(alsa_null):
    p = open_player(clock=FakeClock())
    try:
        p.load(tone(1.0), SR, key="dev")
        p.play(0.2, 0.4)
        assert _wait(lambda: p.state == "stopped")
        assert p.output.frames_played == int(0.2 * SR)
        # ALSA's null device runs unpaced, so the idle stop comes at once; play must restart it.
        assert _wait(lambda: p.output._stream is not None and not p.output._stream.active)
        p.play(0.0, 0.1)
        assert _wait(lambda: p.state == "stopped")
        assert p.output.frames_played == int(0.3 * SR)
        assert p.position() == pytest.approx(0.1)
    finally:
        p.close()


@needs_portaudio
def test_device_that_fails_to_open_reports_a_reason(alsa_null):
    p = open_player(clock=FakeClock())
    try:
        p.load(tone(0.1), 1, key="bad-rate")  # no device plays 1 Hz audio
        p.play()
        assert _wait(lambda: not p.available)
        assert p.reason.startswith("audio device error:") and "\n" not in p.reason
        p.pause()
        p.seek(0.0)
        p.load(tone(0.1), SR, key="good")  # the next clip opens the device afresh
        p.play()
        assert _wait(lambda: p.state == "stopped")
        assert p.available and p.reason is None
        assert p.output.frames_played == int(0.1 * SR)
    finally:
        p.close()
