"""Playback and relay figures, on loopback with real sockets and real threads.

remote_play_latency_ms    player.play() on the "server" -> the listener's output callback gets
                          the first non-silent frame (listener output: a null output pulled every
                          10 ms, like a device callback). Target: under 100 ms.
remote_seek_latency_ms    seek while playing -> the listener's first frame from the new place.
remote_play_latency_device_ms  the same with the listener on a real PortAudio stream (ALSA's null
                          device), idle-stopped between trials, so it includes restarting it.
local_play_latency_ms     player.play() -> the local device callback renders the first frame
                          (ALSA's null device; includes restarting an idle stream).
remote_reconnect_ms       a listener comes back on the same port -> the link is up again.
remote_handshake_ms       TCP connect + mutual HMAC handshake.
remote_play_latency_rtt100_ms, remote_gap_ms_rtt100
                          through a relay that delays each direction by 50 ms (a long SSH hop):
                          key to sound, and the total silence inside a 3 s clip (target 0).
Medians over several trials; ALSA's null device is used so the figures exist on a headless box.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tui"))
ASOUNDRC_NULL = ROOT.parent / "shared" / "audio" / "asoundrc-null"

SR = 16_000


def _ramp(seconds: float) -> np.ndarray:
    """Sample value encodes source position (0.1 .. 0.9), so the listener can tell where it is."""
    n = int(seconds * SR)
    return (0.1 + 0.8 * np.arange(n, dtype=np.float32) / n)[:, None]


class _Stamp:
    """Wraps an output's source to timestamp the first non-silent frame after arm()."""

    def __init__(self, output, predicate=None):
        self.output = output
        self.event = threading.Event()
        self.t = 0.0
        self.predicate = predicate or (lambda block: True)
        self._armed = False
        self._src = None

    def install(self):
        self._src = self.output._source
        self.output.attach(self)

    def arm(self, predicate=None):
        if predicate is not None:
            self.predicate = predicate
        self.event.clear()
        self._armed = True

    def wants_audio(self):
        return self._src.wants_audio()

    def render(self, out, index):
        m = self._src.render(out, index)
        if m and self._armed and self.predicate(out[:m]):
            self.t = time.perf_counter()
            self._armed = False
            self.event.set()
        return m


def _wait(pred, timeout=10.0):
    end = time.monotonic() + timeout
    while not pred() and time.monotonic() < end:
        time.sleep(0.001)
    return pred()


def _null_device_home():
    """Point ALSA at its null device (as the tests do) and re-scan PortAudio's devices."""
    home = tempfile.mkdtemp(prefix="earmark-bench-home")
    if ASOUNDRC_NULL.is_file():
        shutil.copy(ASOUNDRC_NULL, Path(home) / ".asoundrc")
    else:
        (Path(home) / ".asoundrc").write_text("pcm.!default {\n    type null\n}\n")
    old = os.environ.get("HOME")
    os.environ["HOME"] = home
    try:
        import sounddevice as sd

        try:
            sd.query_devices(kind="output")
        except sd.PortAudioError:  # enumerated before HOME pointed at the null device
            sd._terminate()
            sd._initialize()
    except OSError:
        pass
    return home, old


def _relay_latency(listener_output, trials: int) -> tuple[list[float], list[float]]:
    from earmark.audio.player import Player
    from earmark.audio.remote import LINK_UP, Listener, RemoteOutput, parse_audio_url

    lst = Listener(listener_output).start()
    stamp = _Stamp(listener_output)
    stamp.install()
    player = Player(RemoteOutput(parse_audio_url(lst.url)))
    plays, seeks = [], []
    try:
        if not _wait(lambda: player.link_state == LINK_UP):
            raise RuntimeError("relay did not connect")
        player.load(_ramp(3.0), SR, key="bench")
        for _ in range(trials):
            player.stop()
            _wait(lambda: lst.buffer.frames == 0, 2)
            time.sleep(0.05)
            stamp.arm(lambda block: True)
            t0 = time.perf_counter()
            player.play(0.0)
            if stamp.event.wait(5):
                plays.append((stamp.t - t0) * 1000)
            # seek forward while playing: wait for a frame from past 80 % of the clip
            time.sleep(0.05)
            stamp.arm(lambda block: float(block.max()) > 0.1 + 0.8 * 0.8)
            t0 = time.perf_counter()
            player.seek(2.5)
            if stamp.event.wait(5):
                seeks.append((stamp.t - t0) * 1000)
    finally:
        player.close()
        lst.close()
        listener_output.close()
    return plays, seeks


def _handshake_and_reconnect(trials: int) -> tuple[list[float], list[float]]:
    from earmark.audio.outputs import NullOutput
    from earmark.audio.player import Player
    from earmark.audio.remote import (
        LINK_LOST,
        LINK_UP,
        Listener,
        RemoteOutput,
        client_handshake,
        parse_audio_url,
    )

    hs, rc = [], []
    lst = Listener(NullOutput(paced=False))
    lst.start()
    port, secret = lst.port, lst.secret
    try:
        for _ in range(trials):
            t0 = time.perf_counter()
            with socket.create_connection(("127.0.0.1", port)) as s:
                client_handshake(s, secret)
                hs.append((time.perf_counter() - t0) * 1000)
    finally:
        lst.close()
    player = Player(RemoteOutput(parse_audio_url(lst.url)))
    try:
        for _ in range(trials):
            lst = Listener(NullOutput(paced=False), port=port, secret=secret).start()
            t0 = time.perf_counter()
            ok = _wait(lambda: player.link_state == LINK_UP)
            if ok:
                rc.append((time.perf_counter() - t0) * 1000)
            lst.close()
            _wait(lambda: player.link_state == LINK_LOST)
    finally:
        player.close()
    return hs, rc


def _slow_link(trials: int) -> tuple[list[float], float]:
    from earmark.audio.outputs import NullOutput
    from earmark.audio.player import Player
    from earmark.audio.remote import LINK_UP, Listener, RemoteOutput, parse_audio_url, tcp_url
    from tests.delay_proxy import DelayProxy

    class Timeline(NullOutput):
        def __init__(self):
            super().__init__(block=0.01)
            self.pulls: list[tuple[int, int]] = []

        def pull(self, frames):
            m = super().pull(frames)
            self.pulls.append((frames, m))
            return m

    speaker = Timeline()
    lst = Listener(speaker).start()
    proxy = DelayProxy(lst.port, 0.05)
    player = Player(RemoteOutput(parse_audio_url(tcp_url(lst.secret, proxy.port))))
    stamp = _Stamp(speaker)
    stamp.install()
    plays = []
    gap_frames = 0
    try:
        if not _wait(lambda: player.link_state == LINK_UP and player.output.rtt > 0):
            raise RuntimeError("relay did not connect")
        player.load(_ramp(3.0), SR)
        for i in range(trials):
            player.stop()
            time.sleep(0.2)
            speaker.pulls.clear()
            stamp.arm()
            t0 = time.perf_counter()
            player.play(0.0)
            if stamp.event.wait(5):
                plays.append((stamp.t - t0) * 1000)
            if i == 0:  # one whole clip: count silence between the first and last audio
                _wait(lambda: player.state == "stopped", 10)
                time.sleep(0.3)
                ms = [m for _, m in speaker.pulls]
                first = next(k for k, m in enumerate(ms) if m)
                last = max(k for k, m in enumerate(ms) if m)
                gap_frames = sum(f - m for f, m in speaker.pulls[first:last])
    finally:
        player.close()
        proxy.close()
        lst.close()
        speaker.close()
    return plays, gap_frames / SR * 1000


def _local_latency(trials: int) -> list[float]:
    from earmark.audio.outputs import DeviceOutput
    from earmark.audio.player import Player

    out = DeviceOutput()
    player = Player(out)
    stamp = _Stamp(out)
    stamp.install()
    times = []
    try:
        player.load(_ramp(0.2), SR)
        for _ in range(trials):
            player.stop()
            _wait(lambda: out._stream is not None and not out._stream.active, 2)
            stamp.arm()
            t0 = time.perf_counter()
            player.play(0.0)
            if stamp.event.wait(5):
                times.append(
                    (time.perf_counter() - t0) * 1000 if not stamp.t else (stamp.t - t0) * 1000
                )
            _wait(lambda: player.state == "stopped", 5)
    finally:
        player.close()
    return times


def figures(quick: bool) -> dict[str, float]:
    from earmark.audio.outputs import DeviceOutput, NoAudio, NullOutput

    trials = 5 if quick else 20
    out: dict[str, float] = {}
    plays, seeks = _relay_latency(NullOutput(block=0.01), trials)
    out["remote_play_latency_ms"] = round(statistics.median(plays), 1)
    out["remote_play_latency_max_ms"] = round(max(plays), 1)
    out["remote_seek_latency_ms"] = round(statistics.median(seeks), 1)
    plays, gap = _slow_link(max(3, trials // 4))
    out["remote_play_latency_rtt100_ms"] = round(statistics.median(plays), 1)
    out["remote_gap_ms_rtt100"] = round(gap, 1)
    hs, rc = _handshake_and_reconnect(max(3, trials // 2))
    out["remote_handshake_ms"] = round(statistics.median(hs), 2)
    out["remote_reconnect_ms"] = round(statistics.median(rc), 1)
    home, old = _null_device_home()
    try:
        try:
            plays, _ = _relay_latency(DeviceOutput(), max(3, trials // 2))
            out["remote_play_latency_device_ms"] = round(statistics.median(plays), 1)
            out["local_play_latency_ms"] = round(statistics.median(_local_latency(trials)), 1)
        except NoAudio:
            pass
    finally:
        if old is not None:
            os.environ["HOME"] = old
        shutil.rmtree(home, ignore_errors=True)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(figures("--quick" in sys.argv), indent=1))
