"""`earmark audio-test`: play a short tone and say, truthfully, whether it reached a device.

"Worked" means the output stream really consumed every frame of the tone (local device), or
the listener reported every frame played (relay). A stream that opened but never ran, or a
link that never authenticated, is a failure with one line saying why and what to do.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np

from earmark.audio.outputs import DeviceOutput, NoAudio, hint_for
from earmark.audio.player import Player
from earmark.config import audio_url

TONE_SECONDS = 0.5
TONE_HZ = 440.0
RATE = 44_100


def tone(seconds: float = TONE_SECONDS, hz: float = TONE_HZ, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    y = 0.2 * np.sin(2 * np.pi * hz * t)
    fade = int(0.01 * rate)  # 10 ms ramps: no click at either end
    ramp = np.linspace(0.0, 1.0, fade)
    y[:fade] *= ramp
    y[-fade:] *= ramp[::-1]
    return y.astype(np.float32).reshape(-1, 1)


def _fail(line: str) -> int:
    print(f"earmark audio-test: FAILED: {line}", file=sys.stderr)
    return 1


def _wait(pred: Callable[[], object], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return bool(pred())


def run(args: argparse.Namespace) -> int:
    url = audio_url(getattr(args, "audio", None))
    return run_remote(url) if url else run_local()


def run_local() -> int:
    try:
        out = DeviceOutput()
    except NoAudio as exc:
        return _fail(f"no audio: {exc}; {hint_for(str(exc))}")
    print(
        f"earmark audio-test: playing a {TONE_SECONDS:.1f} s {TONE_HZ:.0f} Hz tone "
        f"on {out.description}",
        flush=True,
    )
    player = Player(out)
    try:
        samples = tone()
        player.load(samples, RATE, key=None)
        player.play()
        played = _wait(
            lambda: out.frames_played >= len(samples) or not out.available, TONE_SECONDS + 5.0
        )
        if not out.available:
            return _fail(f"{out.reason}; {hint_for(out.reason)}")
        if not played:
            return _fail(
                f"the stream on {out.description} did not consume the tone "
                f"({out.frames_played} of {len(samples)} frames)"
            )
        rate = (
            f"{out.device_rate} Hz"
            if out.device_rate == RATE
            else f"{RATE} Hz resampled to the device's {out.device_rate} Hz"
        )
        print(
            f"earmark audio-test: OK: {len(samples)} frames went to {out.description} "
            f"({rate}, output latency {out.latency * 1000:.0f} ms)"
        )
        return 0
    finally:
        player.close()


def run_remote(url: str) -> int:
    from earmark.audio.remote import RemoteOutput, parse_audio_url

    target = parse_audio_url(url)  # a malformed URL is a UserError: one line, exit 2
    out = RemoteOutput(target)
    player = Player(out)
    try:
        print(f"earmark audio-test: connecting to earmark listen at {target.display}", flush=True)
        if not out.wait_connected(6.0, fail_fast=True):
            return _fail(
                f"{out.last_error or 'no answer'}; is `earmark listen` running on your "
                "computer, and this session started with its `ssh -R ...` line?"
            )
        where = out.listener_info.get("output", "?")
        print(f"earmark audio-test: connected; the listener plays through {where}", flush=True)
        samples = tone()
        player.load(samples, RATE, key=None)
        player.play()
        if not _wait(lambda: player.state != "playing", TONE_SECONDS + 5.0):
            return _fail(f"the link to {target.display} stalled ({out.last_error or 'no reports'})")
        if not out.wait_played(out.audio_end, 3.0) or out.frames_played < len(samples):
            return _fail(
                f"the listener did not confirm the tone ({out.last_error or 'no reports'})"
            )
        print(
            f"earmark audio-test: OK: the listener at {target.display} played {len(samples)} "
            f"frames through {where}"
        )
        return 0
    finally:
        player.close()
