"""The audio relay, both ends in one process over real sockets (loopback TCP and a Unix socket).

The listener plays into a NullOutput that the test pulls by hand, so the count of frames that
reached the listener's "speakers" is exact and no assertion depends on wall time; waits only
have generous deadlines.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import struct
import tempfile
import threading
import time

import numpy as np
import pytest

from earmark.audio.outputs import NullOutput
from earmark.audio.player import Player, open_player
from earmark.audio.remote import (
    AUDIO,
    AUTH,
    CHALLENGE,
    FORMAT,
    HELLO,
    LINK_AUTH,
    LINK_LOST,
    LINK_UP,
    MAGIC,
    Listener,
    RemoteOutput,
    _Buffer,
    client_handshake,
    parse_audio_url,
    recv_msg,
    send_msg,
    tcp_url,
    unix_url,
)
from earmark.errors import UserError
from tests.delay_proxy import DelayProxy
from tests.support import needs_portaudio

SR = 16_000
BLOCK = 320
SECRET = "0123456789abcdef0123456789abcdef"


def tone(seconds: float, hz: float = 300.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)[:, None]


class Speaker(NullOutput):
    """The listener's output: pulled by the test, keeping every real frame it was given."""

    def __init__(self):
        super().__init__(paced=False)
        self.heard_audio: list[np.ndarray] = []

    def pull(self, frames: int) -> int:
        m = super().pull(frames)
        if m:
            self.heard_audio.append(self._buf[:m].copy())
        return m

    def audio(self) -> np.ndarray:
        return np.concatenate(self.heard_audio) if self.heard_audio else np.zeros((0, 1))


def wait(pred, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not pred() and time.monotonic() < deadline:
        time.sleep(0.002)
    return bool(pred())


def pump(speaker: Speaker, until, timeout: float = 20.0) -> None:
    """Play the listener's buffer out block by block until `until()` holds."""
    deadline = time.monotonic() + timeout
    while not until() and time.monotonic() < deadline:
        if speaker.pull(BLOCK) == 0:
            time.sleep(0.001)
    assert until(), "playback did not finish"


@pytest.fixture
def listener():
    lines: list[str] = []
    speaker = Speaker()
    lst = Listener(speaker, secret=SECRET, log=lines.append).start()
    lst.lines = lines
    yield lst
    lst.close()


def connect(url: str, **kw) -> Player:
    return Player(RemoteOutput(parse_audio_url(url), **kw))


# -- URLs -----------------------------------------------------------------------------------------
def test_url_forms_round_trip():
    u = parse_audio_url(tcp_url(SECRET, 47311))
    assert (u.kind, u.secret, u.host, u.port) == ("tcp", SECRET, "127.0.0.1", 47311)
    assert SECRET not in u.display
    u = parse_audio_url(unix_url(SECRET, "/home/me/.earmark/audio.sock"))
    assert (u.kind, u.secret, u.path) == ("unix", SECRET, "/home/me/.earmark/audio.sock")
    u = parse_audio_url(f"unix://{SECRET}@~/.earmark/audio.sock")
    assert u.path == os.path.expanduser("~/.earmark/audio.sock")


@pytest.mark.parametrize(
    "url, problem",
    [
        ("tcp://127.0.0.1:5", "no secret"),
        (f"tcp://{SECRET}@10.0.0.8:5", "not 127.0.0.1"),
        (f"http://{SECRET}@127.0.0.1:5", "unknown scheme"),
        (f"tcp://{SECRET}@127.0.0.1", "no port"),
        (f"tcp://{SECRET}@127.0.0.1:99999", "out of range"),
        ("tcp://short@127.0.0.1:5", "secret looks wrong"),
        (f"unix://{SECRET}@relative/audio.sock", "absolute"),
        ("unix:/tmp/audio.sock", "no secret"),
        ("", "unknown scheme"),
    ],
)
def test_bad_urls_are_one_line_user_errors(url, problem):
    with pytest.raises(UserError) as err:
        parse_audio_url(url)
    msg = str(err.value)
    assert problem in msg and "\n" not in msg and "tcp://SECRET@127.0.0.1:PORT" in msg


def test_listener_prints_the_lines_to_copy(listener):
    lines = listener.instructions("/home/me/.earmark/audio.sock")
    port = listener.port
    assert f"ssh -R {port}:127.0.0.1:{port} user@server" in lines
    assert f"export EARMARK_AUDIO=tcp://{SECRET}@127.0.0.1:{port}" in lines
    assert f"ssh -R /home/me/.earmark/audio.sock:127.0.0.1:{port} user@server" in lines
    assert f"export EARMARK_AUDIO=unix://{SECRET}@/home/me/.earmark/audio.sock" in lines


def test_each_listener_makes_a_fresh_secret():
    a, b = Listener(NullOutput(paced=False)), Listener(NullOutput(paced=False))
    try:
        assert a.secret != b.secret and len(a.secret) >= 32
        assert a._sock.getsockname()[0] == "127.0.0.1"
    finally:
        a.close()
        b.close()


# -- playing ---------------------------------------------------------------------------------
@pytest.mark.parametrize("speed", [1.0, 1.5])
def test_loopback_plays_every_frame_once(listener, speed):
    speaker = listener.output
    clip = tone(0.5)
    p = connect(listener.url)
    played = []
    p.on_played = lambda *ev: played.append(ev)
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        p.load(clip, SR, key="remote")
        p.speed = speed
        p.play()
        pump(
            speaker,
            lambda: (
                p.state == "stopped"
                and listener.buffer.frames == 0
                and speaker.frames_played >= p.frames_rendered
            ),
        )
        assert speaker.frames_played == p.frames_rendered
        assert speaker.frames_played == pytest.approx(len(clip) / speed, rel=0.03)
        if speed == 1.0:
            assert speaker.frames_played == len(clip)
            assert np.allclose(speaker.audio(), clip, atol=1.5 / 32768)  # int16 on the wire
        assert wait(lambda: p.position() == pytest.approx(0.5))
        p.drain_events()
        assert played == [("remote", 0.0, pytest.approx(0.5), speed)]
    finally:
        p.close()
    assert wait(lambda: listener.lines)
    assert listener.lines[0].startswith("session from ") and "authenticated" in listener.lines[0]
    assert f"{len(clip) / SR / speed:.1f} s played" in listener.lines[0]


def test_playhead_follows_what_the_listener_reports(listener):
    speaker = listener.output
    p = connect(listener.url)
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        p.load(tone(2.0), SR, key="k")
        p.play()
        assert wait(lambda: listener.buffer.frames > 0)
        assert p.position() == 0.0  # sent, but nothing heard yet
        for _ in range(25):  # 0.5 s reaches the speaker
            assert wait(lambda: listener.buffer.frames >= BLOCK)
            speaker.pull(BLOCK)
        assert wait(lambda: p.position() == pytest.approx(0.5))
        p.pause()
        assert p.position() == pytest.approx(0.5)
        assert wait(lambda: listener.buffer.frames == 0)  # the pause flushed what was queued
        speaker.pull(BLOCK)
        assert speaker.frames_played == int(0.5 * SR)
        p.seek(1.5)
        p.resume()
        pump(speaker, lambda: p.state == "stopped" and listener.buffer.frames == 0)
        assert speaker.frames_played == int(0.5 * SR) + int(0.5 * SR)
    finally:
        p.close()


def test_loop_and_span_over_the_relay(listener):
    speaker = listener.output
    p = connect(listener.url)
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        p.load(tone(1.0), SR)
        p.play(0.2, 0.3)
        pump(
            speaker,
            lambda: (
                p.state == "stopped"
                and listener.buffer.frames == 0
                and speaker.frames_played >= int(0.1 * SR)
            ),
        )
        assert speaker.frames_played == int(0.1 * SR)
        p.play(0.5, 0.6, loop=True)
        pump(speaker, lambda: speaker.frames_played >= int(0.4 * SR))
        assert p.state == "playing"
        p.stop()
    finally:
        p.close()


def test_over_a_unix_socket(listener):
    """ssh -R /path.sock:127.0.0.1:N forwards a server-side socket to the listener's TCP port;
    a small relay thread stands in for ssh here."""
    folder = tempfile.mkdtemp(prefix="em", dir="/tmp")
    path = os.path.join(folder, "audio.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    stop = threading.Event()

    def pipe(a, b):
        with contextlib.suppress(OSError):
            while data := a.recv(65536):
                b.sendall(data)
        with contextlib.suppress(OSError):
            b.shutdown(socket.SHUT_WR)

    def forward():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            up = socket.create_connection(("127.0.0.1", listener.port))
            for a, b in ((conn, up), (up, conn)):
                threading.Thread(target=pipe, args=(a, b), daemon=True).start()

    threading.Thread(target=forward, daemon=True).start()
    p = connect(listener.unix_url(path))
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        clip = tone(0.3)
        p.load(clip, SR)
        p.play()
        pump(listener.output, lambda: listener.output.frames_played >= len(clip))
        assert listener.output.frames_played == len(clip)
    finally:
        p.close()
        stop.set()
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


# -- authentication -------------------------------------------------------------------------------
def test_sender_with_the_wrong_secret_plays_nothing(listener):
    p = connect(tcp_url("f" * 32, listener.port))
    try:
        assert wait(lambda: p.output.failures > 0)
        assert p.link_state == LINK_AUTH
        assert "could not prove the secret" in p.output.last_error
        assert wait(lambda: listener.lines)
        assert listener.lines[0].endswith(
            "rejected (the sender hung up on our proof: it has another secret)"
        )
        p.load(tone(0.2), SR)
        p.play()
        time.sleep(0.1)
        assert listener.output.pull(BLOCK) == 0
        assert listener.buffer.frames == 0 and p.output.frames_played == 0
    finally:
        p.close()


def raw_client(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def test_a_client_without_the_secret_is_rejected_before_audio(listener):
    s = raw_client(listener.port)
    try:
        send_msg(s, HELLO, MAGIC + os.urandom(32))
        kind, payload = recv_msg(s)
        assert kind == CHALLENGE and len(payload) == 64
        send_msg(s, AUTH, os.urandom(32))  # a guess at the proof
        with contextlib.suppress(OSError):
            send_msg(s, FORMAT, struct.pack(">IB", SR, 1))
            send_msg(s, AUDIO, struct.pack(">Q", 0) + (np.ones(BLOCK, "<i2") * 9000).tobytes())
        assert wait(lambda: listener.lines)
    finally:
        s.close()
    assert listener.lines == [f"session from {listener.sessions[0].peer}: rejected (wrong secret)"]
    assert listener.buffer.frames == 0 and listener.output.pull(BLOCK) == 0


class Squatter:
    """A process that grabbed the port first: it answers like a listener but has no secret."""

    def __init__(self, *, answer: bool = True):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.received = bytearray()
        self.answer = answer
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with contextlib.suppress(OSError), conn:
                conn.settimeout(2)
                if self.answer:
                    kind, payload = recv_msg(conn)
                    self.received += kind + payload
                    send_msg(conn, CHALLENGE, os.urandom(64))
                while data := conn.recv(65536):
                    self.received += data

    def close(self):
        self.sock.close()


def test_a_squatter_on_the_port_receives_no_audio():
    squat = Squatter()
    p = connect(tcp_url(SECRET, squat.port))
    try:
        p.load(tone(0.5), SR)
        p.play()
        assert wait(lambda: p.output.failures >= 2)
        assert p.link_state == LINK_AUTH
        assert "could not prove the secret" in p.output.last_error
        assert p.output.frames_played == 0
        # all it ever saw were our HELLOs: magic and a fresh nonce, never a proof or a frame
        hellos = bytes(squat.received).split(HELLO + MAGIC)
        assert hellos[0] == b"" and all(len(h) == 32 for h in hellos[1:])
        assert p.state == "playing"  # the player itself keeps working, silently
        p.pause()
        assert p.position() == 0.0
    finally:
        p.close()
        squat.close()


def test_a_silent_squatter_times_out_the_handshake():
    squat = Squatter(answer=False)
    p = connect(tcp_url(SECRET, squat.port), handshake_timeout=0.3)
    try:
        assert wait(lambda: p.output.failures > 0)
        assert "no answer to the handshake" in p.output.last_error
        assert p.link_state == LINK_AUTH
    finally:
        p.close()
        squat.close()


# -- robustness -----------------------------------------------------------------------------------
def still_works(listener) -> None:
    before = listener.output.frames_played
    p = connect(listener.url)
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        p.load(tone(0.1), SR)
        p.play()
        pump(listener.output, lambda: listener.output.frames_played - before >= int(0.1 * SR))
    finally:
        p.close()


def test_garbage_is_rejected_and_the_listener_carries_on(listener):
    s = raw_client(listener.port)
    s.sendall(os.urandom(300))
    assert wait(lambda: listener.lines)
    s.close()
    assert "rejected (not an earmark sender" in listener.lines[0]
    still_works(listener)


def test_an_oversized_frame_drops_only_that_connection(listener):
    s = raw_client(listener.port)
    client_handshake(s, SECRET)
    s.sendall(struct.pack(">I", 10_000_000) + AUDIO + b"\0" * 100)
    assert wait(lambda: listener.lines)
    s.close()
    assert "authenticated, dropped (bad frame: frame of 10000000 bytes" in listener.lines[0]
    still_works(listener)


def test_a_malformed_frame_after_auth_drops_the_connection(listener):
    s = raw_client(listener.port)
    _, channel = client_handshake(s, SECRET)
    channel.send(FORMAT, struct.pack(">IB", SR, 1))
    channel.send(AUDIO, struct.pack(">Q", 0) + b"\x01\x02\x03")  # half a sample
    assert wait(lambda: listener.lines)
    s.close()
    assert "dropped (bad frame: malformed audio frame)" in listener.lines[0]
    assert listener.buffer.frames == 0
    still_works(listener)


def test_an_unsealed_frame_after_auth_drops_the_connection(listener):
    s = raw_client(listener.port)
    client_handshake(s, SECRET)
    send_msg(s, AUDIO, struct.pack(">Q", 0) + np.ones(BLOCK, "<i2").tobytes())  # in clear
    assert wait(lambda: listener.lines)
    s.close()
    assert "dropped (bad frame: a frame failed authentication" in listener.lines[0]
    assert listener.buffer.frames == 0 and listener.output.pull(BLOCK) == 0


def test_half_open_connections_time_out():
    speaker = Speaker()
    lines: list[str] = []
    lst = Listener(
        speaker, secret=SECRET, log=lines.append, handshake_timeout=1.0, idle_timeout=0.5
    ).start()
    try:
        quiet = raw_client(lst.port)  # connects, says nothing
        authed = raw_client(lst.port)
        client_handshake(authed, SECRET)  # authenticates, then says nothing
        assert wait(lambda: len(lines) == 2)
        assert any(line.endswith("rejected (handshake timed out)") for line in lines)
        assert any("authenticated, dropped (silent for too long)" in line for line in lines)
        quiet.close()
        authed.close()
    finally:
        lst.close()


def test_listener_vanishing_mid_clip_then_coming_back():
    first = Speaker()
    lst = Listener(first, secret=SECRET).start()
    port = lst.port
    p = connect(lst.url)
    played = []
    p.on_played = lambda *ev: played.append(ev)
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        p.load(tone(1.0), SR, key="k")
        p.play()
        pump(first, lambda: first.frames_played >= int(0.3 * SR))
        assert wait(lambda: p.position() == pytest.approx(0.3))
        lst.close()
        assert wait(lambda: p.link_state == LINK_LOST)
        assert p.link_state == "audio link lost, reconnecting"
        # the UI keeps working while the link is down
        heard = p.position()
        assert heard == pytest.approx(0.3)
        assert p.state == "playing"
        second = Speaker()
        lst2 = Listener(second, port=port, secret=SECRET).start()
        try:
            assert wait(lambda: p.link_state == LINK_UP)
            pump(
                second,
                lambda: (
                    p.state == "stopped"
                    and lst2.buffer.frames == 0
                    and p.position() == pytest.approx(1.0)
                ),
            )
            # the new listener resumed from what the old one had played: nothing lost
            assert second.frames_played == SR - int(round(heard * SR))
            assert second.audio()[:10] == pytest.approx(
                tone(1.0)[int(round(heard * SR)) :][:10], abs=2 / 32768
            )
            p.drain_events()  # the audit sees both stretches, split where the link dropped
            assert played == [
                ("k", 0.0, pytest.approx(heard), 1.0),
                ("k", pytest.approx(heard), pytest.approx(1.0), 1.0),
            ]
        finally:
            lst2.close()
    finally:
        p.close()


def test_sender_vanishing_mid_clip_silences_the_listener(listener):
    p = connect(listener.url)
    assert wait(lambda: p.link_state == LINK_UP)
    p.load(tone(2.0), SR)
    p.play()
    pump(listener.output, lambda: listener.output.frames_played >= int(0.2 * SR))
    p.close()
    assert wait(lambda: listener.lines)
    assert listener.buffer.frames == 0
    assert "authenticated" in listener.lines[0] and "0.2 s played" in listener.lines[0]


def test_a_newer_sender_replaces_the_older(listener):
    a = connect(listener.url)
    b = None
    try:
        assert wait(lambda: a.link_state == LINK_UP)
        b = connect(listener.url)
        assert wait(lambda: b.link_state == LINK_UP)
        assert wait(lambda: listener.lines)  # a's session ended
        b.load(tone(0.1), SR)
        b.play()
        pump(listener.output, lambda: listener.output.frames_played >= int(0.1 * SR))
    finally:
        a.close()
        if b is not None:
            b.close()


def test_commands_never_block_when_nothing_listens():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: connection refused
    p = open_player(tcp_url(SECRET, port))
    try:
        assert p.available
        p.load(tone(0.5), SR)
        p.play()
        p.speed = 1.5
        p.seek(0.2)
        p.pause()
        p.resume()
        assert wait(lambda: p.output.failures > 0)
        assert (
            p.link_state
            == f"no audio listener at 127.0.0.1:{port} (start `earmark listen`), retrying"
        )
        assert "Connection refused" in p.output.last_error
    finally:
        p.close()


def test_listener_buffer_is_bounded_and_flushable():
    b = _Buffer(0.15)
    b.reset(SR, 1, new_sender=True)
    b.push(0, np.zeros((SR, 1), np.float32))
    assert b.frames <= int(0.15 * SR)
    b.reset(SR, 1, new_sender=True)
    b.push(0, np.ones((1000, 1), np.float32))
    b.drop_before(600)
    assert b.frames == 400
    b.push(100, np.ones((100, 1), np.float32))  # older than the flush: dropped
    assert b.frames == 400
    out = np.zeros((500, 1), np.float32)
    assert b.render(out, 0) == 400 and b.consumed == 1000


def test_a_slow_link_still_delivers_every_frame_once():
    speaker = NullOutput()  # paced in real time, like a sound card
    lst = Listener(speaker, secret=SECRET).start()
    proxy = DelayProxy(lst.port, 0.05)
    p = connect(tcp_url(SECRET, proxy.port))
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        assert wait(lambda: p.output.rtt > 0.08)  # measured from PING/PONG: about 100 ms
        clip = tone(0.5)
        p.load(clip, SR)
        p.play()
        assert wait(lambda: p.state == "stopped" and speaker.frames_played >= len(clip))
        assert speaker.frames_played == len(clip)
        assert wait(lambda: p.position() == pytest.approx(0.5))
    finally:
        p.close()
        proxy.close()
        lst.close()
        speaker.close()


def test_close_cuts_a_stuck_handshake_short():
    squat = Squatter(answer=False)  # accepts, never answers: the handshake would wait 3 s
    p = connect(tcp_url(SECRET, squat.port))
    try:
        assert wait(lambda: squat.connections > 0)
    finally:
        p.close()
        squat.close()
    assert not p.output._thread.is_alive()


@needs_portaudio
def test_listener_on_a_real_device_stream():
    """`earmark listen` without --output null: a PortAudio stream (ALSA's null device)."""
    from earmark.audio.outputs import DeviceOutput
    from tests.support import rescan_if_no_device

    rescan_if_no_device()
    device = DeviceOutput()
    lst = Listener(device, secret=SECRET).start()
    p = connect(lst.url)
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        assert p.output.listener_info["output"] == "default (ALSA)"
        for seconds in (0.3, 0.2):  # the second clip restarts the idle-stopped stream
            before = device.frames_played
            p.load(tone(seconds), SR)
            p.play()
            want = before + int(seconds * SR)
            assert wait(lambda w=want: device.frames_played >= w)
            assert wait(lambda: p.state == "stopped")
            assert device.frames_played - before == int(seconds * SR)
            assert wait(lambda: not device._stream.active)
    finally:
        p.close()
        lst.close()
        device.close()


def test_commands_race_the_link_without_deadlock_or_stray_audio(listener):
    speaker = listener.output
    p = connect(listener.url)
    stop = threading.Event()

    def listen():
        while not stop.is_set():
            if speaker.pull(BLOCK) == 0:
                time.sleep(0.0005)

    t = threading.Thread(target=listen)
    t.start()
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        clips = [tone(1.0), np.repeat(tone(1.0, 500.0), 2, axis=1)]
        rng = np.random.default_rng(3)
        for i in range(300):
            op = i % 7
            if op == 0:
                p.load(clips[i % 2], SR if i % 2 == 0 else 22_050)
            elif op == 1:
                p.play(float(rng.uniform(0, 0.5)))
            elif op == 2:
                p.toggle()
            elif op == 3:
                p.seek(float(rng.uniform(0, 1)))
            elif op == 4:
                p.speed = float(rng.uniform(0.5, 2.0))
            elif op == 5:
                p.play(0.1, 0.3, loop=True)
            else:
                assert 0.0 <= p.position() <= 1.0 + 1e-9
        p.stop()
        assert wait(lambda: listener.buffer.frames == 0)
        assert p.link_state == LINK_UP and p.output.last_error is None
        assert not listener.lines  # the session is still up: nothing was dropped as malformed
    finally:
        stop.set()
        t.join()
        p.close()


def test_a_relaying_squatter_sees_no_audio_and_cannot_alter_it():
    """A squatter that relays the handshake to the real tunnel (it holds 127.0.0.1:N while ssh
    bound [::1]:N) passes authentication through, but everything after it is sealed."""
    speaker = Speaker()
    lines: list[str] = []
    lst = Listener(speaker, secret=SECRET, log=lines.append).start()
    relay = DelayProxy(lst.port, 0.0)
    p = connect(tcp_url(SECRET, relay.port))
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        clip = np.full((int(0.3 * SR), 1), 0.25, np.float32)  # int16 8191 = ff 1f on the wire
        p.load(clip, SR)
        p.play()
        pump(speaker, lambda: speaker.frames_played >= len(clip))
        assert speaker.frames_played == len(clip)  # it played...
        assert len(relay.seen) > 2 * len(clip)  # ...through the relay...
        assert b"\xff\x1f" * 8 not in relay.seen  # ...which saw none of it
    finally:
        p.close()
        relay.close()
    tamper = DelayProxy(lst.port, 0.0, tamper_at=1500)
    p = connect(tcp_url(SECRET, tamper.port))
    try:
        assert wait(lambda: p.link_state == LINK_UP)
        before = speaker.frames_played
        p.load(np.full((SR, 1), 0.25, np.float32), SR)
        p.play()
        assert wait(lambda: len(lines) == 2)
        assert "dropped (bad frame: a frame failed authentication" in lines[1]
        pump(speaker, lambda: speaker.frames_played - before >= int(0.5 * SR))  # reconnected
        heard = speaker.audio()
        assert np.allclose(heard, 0.25, atol=1 / 32768)  # not one altered sample was played
    finally:
        p.close()
        tamper.close()
        lst.close()
