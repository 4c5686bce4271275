"""Connections that never authenticate cannot keep the real sender out of `earmark listen`.

The attack measured against the relay: 8 connections that connect and say nothing, and 10 that
send one byte every 2.5 s (always inside a per-read timeout), all reconnecting whenever they
are dropped. Here the listener's handshake deadline is 0.5 s instead of 2 s and the drip every
0.2 s, the same race at a quarter of the time scale; a real sender must still play, clip after
clip.
"""

from __future__ import annotations

import socket
import threading
import time

import numpy as np

from earmark.audio.outputs import NullOutput
from earmark.audio.player import Player
from earmark.audio.remote import Listener, RemoteOutput, parse_audio_url, tcp_url
from earmark.audio.remote.wire import HELLO, MAGIC

SECRET = "0123456789abcdef0123456789abcdef"
SR = 16_000
BLOCK = 320


def until(pred, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while not pred() and time.monotonic() < deadline:
        time.sleep(0.005)
    return bool(pred())


class Attackers:
    """`idle` connections that say nothing and `drip` ones that send a HELLO a byte at a
    time, every `every` seconds; each reconnects as soon as it is dropped."""

    def __init__(self, port: int, *, idle: int, drip: int, every: float) -> None:
        self.port, self.every = port, every
        self.stop = threading.Event()
        self.connects = 0
        self.drops = 0
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(i < drip,), daemon=True)
            for i in range(idle + drip)
        ]

    def __enter__(self) -> Attackers:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(timeout=5)

    def _run(self, drip: bool) -> None:
        hello = (1 + len(MAGIC) + 32).to_bytes(4, "big") + HELLO + MAGIC + bytes(32)
        while not self.stop.is_set():
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
            except OSError:
                time.sleep(0.01)
                continue
            with self._lock:
                self.connects += 1
            s.settimeout(self.every)
            try:
                for i in range(10**6):
                    if self.stop.is_set():
                        break
                    if drip:
                        s.sendall(hello[i % len(hello) : i % len(hello) + 1])
                    try:
                        if s.recv(1) == b"":
                            break  # shed by the listener
                    except TimeoutError:
                        continue
            except OSError:
                pass
            finally:
                s.close()
            with self._lock:
                self.drops += 1


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)[:, None]


def play_one_clip(lst: Listener, speaker: NullOutput) -> None:
    out = RemoteOutput(parse_audio_url(tcp_url(SECRET, lst.port)), connect_timeout=2.0)
    player = Player(out)
    try:
        assert out.wait_connected(10.0), out.last_error
        before = speaker.frames_played
        player.load(tone(0.5), SR)
        player.play()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (
            player.state == "stopped" and speaker.frames_played - before >= int(0.5 * SR)
        ):
            if speaker.pull(BLOCK) == 0:
                time.sleep(0.002)
        assert speaker.frames_played - before == int(0.5 * SR)
    finally:
        player.close()


def test_idle_and_dripping_connections_cannot_lock_the_listener_out():
    speaker = NullOutput(paced=False)
    lst = Listener(speaker, secret=SECRET, handshake_timeout=0.5).start()
    try:
        with Attackers(lst.port, idle=8, drip=10, every=0.2) as attack:
            assert until(lambda: attack.connects >= 18 and lst.pending >= 8)
            for _ in range(3):
                play_one_clip(lst, speaker)
            # the attackers were shed at the deadline, again and again, not served
            assert until(lambda: attack.drops >= 36)
            assert lst.pending <= 18
    finally:
        lst.close()
    assert sum(r.outcome == "authenticated" for r in lst.sessions) == 3
    assert any(r.outcome == "rejected (handshake timed out)" for r in lst.sessions)


def test_unauthenticated_connections_are_capped_and_the_oldest_shed():
    speaker = NullOutput(paced=False)
    lst = Listener(speaker, secret=SECRET, handshake_timeout=30.0, max_pending=8).start()
    try:
        with Attackers(lst.port, idle=20, drip=0, every=0.2) as attack:
            assert until(lambda: attack.connects >= 20)
            assert until(lambda: lst.pending == 8)
            assert until(
                lambda: (
                    sum(r.outcome.startswith("rejected (shed:") for r in list(lst.sessions)) >= 12
                )
            )
            play_one_clip(lst, speaker)  # a newcomer sheds the oldest waiting, then authenticates
            assert lst.pending <= 8
    finally:
        lst.close()
    assert any(r.outcome.startswith("rejected (shed:") for r in lst.sessions)
