"""The audio relay: a server-side earmark sends PCM to an `earmark listen` on the annotator's
own computer, through an SSH reverse tunnel; nothing is written to the laptop's disk.

Wire format (both directions): 4-byte big-endian length, then 1 type byte and the payload
(after the handshake: the sealed type + payload); the length may not exceed MAX_FRAME (plus
the seal's tag). Anything else drops that connection only.

Handshake, before any audio moves (the sender is the side that connects):
  sender   -> HELLO     MAGIC + sender nonce (32 random bytes)
  listener -> CHALLENGE listener nonce (32) + HMAC(secret, "listener" + sn + ln)
  sender   -> AUTH      HMAC(secret, "sender" + ln + sn)
  listener -> READY     JSON {"output": description, "latency": seconds}     (sealed)
  sender   -> INFO      JSON {"host": ...}                                   (sealed)
The listener proves itself first, so a process squatting the port on the server cannot
extract a single audio frame; both proofs bind both fresh nonces and a role label, so neither
side's proof can be replayed or reflected. The secret itself never travels.

Everything after AUTH is sealed with ChaCha20-Poly1305 (the `cryptography` package) under keys
derived from the secret and both nonces, one key per direction, the nonce a message counter.
That matters because a squatter can also *relay*: if it holds the server's 127.0.0.1:N while
ssh bound [::1]:N, it can pass the handshake through untouched to the real tunnel. Sealing
leaves it nothing to read, and any frame it alters, drops, replays or reorders fails to open,
which drops the connection. (The SSH tunnel protects the network; this protects the server's
loopback.)

After READY: FORMAT (samplerate u32, channels u8), AUDIO (first frame index u64 + int16 PCM),
FLUSH (u64: drop buffered frames below this index), PING (8 opaque bytes, twice a second)
go to the listener; PLAYED (u64 frames consumed, u32 device latency in microseconds, u32 frames
buffered) comes back at least twice a second, and PONG echoes each PING (round-trip time).

Flow control: the sender keeps at most `ahead` seconds of audio plus one round trip in flight
(sent but not reported played), so the listener's queue stays near `ahead` whatever the
network's latency, and a key press is heard after one network hop plus the device's latency.
Frame indices are the sender's output-frame numbers, so the sender's playhead maps what the
listener reports straight to positions in the clip.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import hmac
import json
import os
import secrets
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from earmark.audio.outputs import Output, one_line
from earmark.clock import SYSTEM, Clock
from earmark.errors import UserError
from earmark.textsafe import clean

MAGIC = b"EARMARK-AUDIO/1\n"
NONCE = 32
MAX_FRAME = 64 * 1024
DEFAULT_PORT = 47311

HELLO, CHALLENGE, AUTH, READY, INFO = b"H", b"C", b"A", b"R", b"I"
TAG = 16  # Poly1305 tag bytes on every sealed frame
FORMAT, AUDIO, FLUSH, PING, PLAYED, PONG = b"F", b"D", b"X", b"K", b"P", b"O"

HANDSHAKE_TIMEOUT = 3.0
IO_TIMEOUT = 5.0  # no message for this long: the other side is gone (half-open)
KEEPALIVE = 0.5  # seconds between PINGs (and idle PLAYED reports)
MAX_RTT = 2.0

LINK_CONNECTING = "connecting to audio listener"
LINK_UP = "connected"
LINK_LOST = "audio link lost, reconnecting"
LINK_AUTH = "audio listener failed authentication (check EARMARK_AUDIO), retrying"

URL_FORMS = "tcp://SECRET@127.0.0.1:PORT or unix://SECRET@/path/to/audio.sock"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class ProtocolError(Exception):
    """The peer sent something that is not our protocol: drop the connection."""


class AuthError(Exception):
    """The peer could not prove it knows the secret."""


# -- URLs ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AudioURL:
    kind: str  # "tcp" | "unix"
    secret: str
    host: str = "127.0.0.1"
    port: int = 0
    path: str = ""

    @property
    def display(self) -> str:
        """Where, without the secret: safe to print and log."""
        return f"{self.host}:{self.port}" if self.kind == "tcp" else f"unix socket {self.path}"

    def connect(self, timeout: float) -> socket.socket:
        if self.kind == "tcp":
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        return sock


def parse_audio_url(url: str) -> AudioURL:
    """tcp://SECRET@127.0.0.1:PORT or unix://SECRET@/path/to/audio.sock; UserError otherwise."""

    def bad(problem: str) -> UserError:
        return UserError(
            f"audio URL: {problem}; expected {URL_FORMS} (printed by `earmark listen`)"
        )

    text = (url or "").strip()
    if text.startswith("unix:"):
        rest = text[len("unix:") :].removeprefix("//")
        secret, sep, path = rest.partition("@")
        if not sep or not secret:
            raise bad("no secret before '@'")
        path = os.path.expanduser(path)
        if not path.startswith("/"):
            raise bad("the socket path must be absolute")
        _check_secret(secret, bad)
        return AudioURL("unix", secret, path=path)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise bad(one_line(exc)) from None
    if parts.scheme != "tcp":
        raise bad(f"unknown scheme {parts.scheme or text[:10]!r}")
    if not parts.username:
        raise bad("no secret before '@'")
    host = parts.hostname or ""
    if host not in LOOPBACK:
        raise bad(
            f"host {host!r} is not 127.0.0.1: audio is unencrypted, send it through an SSH tunnel"
        )
    if not port:
        raise bad("no port")
    _check_secret(parts.username, bad)
    return AudioURL(
        "tcp",
        parts.username,
        host="127.0.0.1" if host == "localhost" else host.strip("[]"),
        port=port,
    )


def _check_secret(secret: str, bad) -> None:
    if len(secret) < 16 or not all(c.isalnum() or c in "-_" for c in secret):
        raise bad("the secret looks wrong (copy it whole from `earmark listen`)")


def tcp_url(secret: str, port: int) -> str:
    return f"tcp://{secret}@127.0.0.1:{port}"


def unix_url(secret: str, path: str) -> str:
    return f"unix://{secret}@{path}"


# -- framing ------------------------------------------------------------------------------------
def send_msg(sock: socket.socket, kind: bytes, payload: bytes = b"") -> None:
    sock.sendall(struct.pack(">I", 1 + len(payload)) + kind + payload)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:])
        if k == 0:
            raise ConnectionError("connection closed")
        got += k
    return bytes(buf)


def recv_msg(sock: socket.socket, limit: int = MAX_FRAME) -> tuple[bytes, bytes]:
    (length,) = struct.unpack(">I", _recv_exact(sock, 4))
    if length == 0 or length > limit:
        raise ProtocolError(f"frame of {length} bytes (limit {limit})")
    data = _recv_exact(sock, length)
    return data[:1], data[1:]


def _proof(secret: str, role: bytes, first: bytes, second: bytes) -> bytes:
    return hmac.new(secret.encode(), role + first + second, hashlib.sha256).digest()


def _aead(key: bytes):
    try:
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    except ImportError:
        raise ProtocolError(
            "the audio relay needs the Python package `cryptography` (pip install cryptography)"
        ) from None
    return ChaCha20Poly1305(key)


class Channel:
    """Our frames over a socket, sealed: 4-byte length, then ChaCha20-Poly1305 of type+payload.

    `send` may be called from several threads (it holds a lock); `recv` from one only.
    """

    def __init__(self, sock: socket.socket, send_key: bytes, recv_key: bytes) -> None:
        from cryptography.exceptions import InvalidTag

        self.sock = sock
        self._tx, self._rx = _aead(send_key), _aead(recv_key)
        self._tx_n = self._rx_n = 0
        self._lock = threading.Lock()
        self._invalid = InvalidTag

    def send(self, kind: bytes, payload: bytes = b"") -> None:
        with self._lock:
            nonce = struct.pack(">4xQ", self._tx_n)
            self._tx_n += 1
            sealed = self._tx.encrypt(nonce, kind + payload, None)
            self.sock.sendall(struct.pack(">I", len(sealed)) + sealed)

    def recv(self, limit: int = MAX_FRAME) -> tuple[bytes, bytes]:
        (length,) = struct.unpack(">I", _recv_exact(self.sock, 4))
        if length <= TAG:
            raise ProtocolError(f"frame of {length} bytes is too short to be sealed")
        if length > limit + TAG:
            raise ProtocolError(f"frame of {length} bytes (limit {limit + TAG})")
        sealed = _recv_exact(self.sock, length)
        nonce = struct.pack(">4xQ", self._rx_n)
        self._rx_n += 1
        try:
            data = self._rx.decrypt(nonce, sealed, None)
        except self._invalid:
            raise ProtocolError(
                "a frame failed authentication (altered, replayed or foreign)"
            ) from None
        return data[:1], data[1:]


def _keys(secret: str, sn: bytes, ln: bytes) -> tuple[bytes, bytes]:
    """(sender->listener key, listener->sender key) for this connection only."""
    base = hmac.new(secret.encode(), b"earmark session" + sn + ln, hashlib.sha256).digest()
    return (
        hmac.new(base, b"sender to listener", hashlib.sha256).digest(),
        hmac.new(base, b"listener to sender", hashlib.sha256).digest(),
    )


def client_handshake(
    sock: socket.socket, secret: str, *, timeout: float = HANDSHAKE_TIMEOUT
) -> tuple[dict, Channel]:
    """Prove each other's knowledge of the secret; returns the listener's READY info and the
    sealed channel to talk on."""
    sock.settimeout(timeout)
    sn = os.urandom(NONCE)
    send_msg(sock, HELLO, MAGIC + sn)
    try:
        kind, payload = recv_msg(sock, limit=1024)
    except (ConnectionError, ProtocolError, struct.error):
        raise AuthError("the listener did not answer the handshake") from None
    if kind != CHALLENGE or len(payload) != 2 * NONCE:
        raise AuthError("the listener did not answer the handshake")
    ln, their = payload[:NONCE], payload[NONCE:]
    if not hmac.compare_digest(their, _proof(secret, b"listener", sn, ln)):
        raise AuthError("the listener could not prove the secret")
    send_msg(sock, AUTH, _proof(secret, b"sender", ln, sn))
    to_listener, to_sender = _keys(secret, sn, ln)
    channel = Channel(sock, to_listener, to_sender)
    try:
        kind, payload = channel.recv(limit=4096)
    except ConnectionError:
        raise AuthError("the listener refused our proof") from None
    if kind != READY:
        raise ProtocolError("expected READY")
    try:
        info = json.loads(payload.decode())
    except ValueError:
        raise ProtocolError("malformed READY") from None
    channel.send(INFO, json.dumps({"host": socket.gethostname()[:64]}).encode())
    return (info if isinstance(info, dict) else {}), channel


def server_handshake(
    sock: socket.socket, secret: str, ready: dict, *, timeout: float = HANDSHAKE_TIMEOUT
) -> Channel:
    """The listener's half; raises AuthError/ProtocolError, returns the sealed channel."""
    sock.settimeout(timeout)
    kind, payload = recv_msg(sock, limit=1024)
    if kind != HELLO or len(payload) != len(MAGIC) + NONCE or not payload.startswith(MAGIC):
        raise ProtocolError("not an earmark sender")
    sn = payload[len(MAGIC) :]
    ln = os.urandom(NONCE)
    send_msg(sock, CHALLENGE, ln + _proof(secret, b"listener", sn, ln))
    try:
        kind, payload = recv_msg(sock, limit=1024)
    except ConnectionError:  # a sender with another secret hangs up on our proof
        raise AuthError("the sender hung up on our proof: it has another secret") from None
    if kind != AUTH or len(payload) != 32:
        raise ProtocolError("malformed AUTH")
    if not hmac.compare_digest(payload, _proof(secret, b"sender", ln, sn)):
        raise AuthError("wrong secret")
    to_listener, to_sender = _keys(secret, sn, ln)
    channel = Channel(sock, to_sender, to_listener)
    channel.send(READY, json.dumps(ready).encode())
    return channel


# -- the sender (server side) -------------------------------------------------------------------
class RemoteOutput(Output):
    """An output whose 'device' is an `earmark listen` at the end of a tunnel.

    One thread owns the link: it connects, authenticates, renders blocks from the Player as
    the listener's reports give it room (at most `ahead` seconds in flight) and sends them;
    a second thread reads the reports. On any failure the link is dropped and retried with
    backoff; the Player is told to resend from what was last heard. Callers never block on
    the network: every call here only sets state under a short lock.
    """

    def __init__(
        self,
        url: AudioURL,
        *,
        clock: Clock = SYSTEM,
        block: float = 0.02,
        ahead: float = 0.12,
        connect_timeout: float = 2.0,
        handshake_timeout: float = HANDSHAKE_TIMEOUT,
    ) -> None:
        super().__init__(clock)
        self.url = url
        self.description = f"earmark listen at {url.display}"
        self.link_state = LINK_CONNECTING
        self.listener_info: dict = {}
        self.connects = 0
        self.failures = 0  # connection attempts that did not end in an authenticated link
        self.last_error: str | None = None
        self._block = block
        self._ahead = ahead
        self._connect_timeout = connect_timeout
        self._handshake_timeout = handshake_timeout
        self._cond = threading.Condition()
        self._closed = False
        self._flush_upto: int | None = None
        self._format_dirty = True
        self._relink: Callable[[], None] | None = None
        self._sock: socket.socket | None = None
        self._ack = 0  # frames below this index are no longer in the listener's buffer
        self._sent_end = 0
        self.audio_end = 0  # index after the last real frame sent
        self._consumed = 0  # last reported consumed index (this or an earlier link)
        self._report = (0, clock.monotonic(), 0.0)  # (consumed, when, listener latency)
        self._base = 0  # reports below this index belong to an earlier link
        self.rtt = 0.0  # smoothed round-trip time to the listener, seconds
        self._thread = threading.Thread(target=self._run, name="earmark-audio-link", daemon=True)
        self._thread.start()

    # -- Output -------------------------------------------------------------------------------
    def set_relink(self, fn: Callable[[], None]) -> None:
        self._relink = fn

    def configure(self, samplerate: int, channels: int) -> None:
        with self._cond:
            super().configure(samplerate, channels)
            self._format_dirty = True
            self._cond.notify_all()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def flush(self, upto: int) -> None:
        with self._cond:
            self._flush_upto = max(upto, self._flush_upto or 0)
            self._cond.notify_all()

    def heard(self, now: float) -> float:
        consumed, when, lat = self._report
        h = consumed - lat * self.samplerate + max(0.0, now - when) * self.samplerate
        return min(h, float(consumed))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=0.5)  # a daemon thread: never hold up quitting

    def wait_connected(self, timeout: float, *, fail_fast: bool = False) -> bool:
        """Block until the link is up (audio-test and tests only; never the UI thread).
        `fail_fast`: give up at the first failed attempt."""
        with self._cond:
            return (
                self._cond.wait_for(
                    lambda: (
                        self.link_state == LINK_UP
                        or self._closed
                        or (fail_fast and self.failures > 0)
                    ),
                    timeout,
                )
                and self.link_state == LINK_UP
            )

    def wait_played(self, index: int, timeout: float) -> bool:
        """Block until the listener reports frames up to `index` consumed."""
        with self._cond:
            return (
                self._cond.wait_for(lambda: self._consumed >= index or self._closed, timeout)
                and self._consumed >= index
            )

    @property
    def sent_end(self) -> int:
        return self._sent_end

    # -- link thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        backoff = 0.1
        while not self._closed:
            sock = None
            try:
                sock = self.url.connect(self._connect_timeout)
                with self._cond:
                    self._sock = sock  # so that close() can cut a handshake short
                    closed = self._closed
                if closed:
                    sock.close()
                    break
                info, channel = client_handshake(
                    sock, self.url.secret, timeout=self._handshake_timeout
                )
            except AuthError as exc:
                self.last_error = (
                    f"audio listener at {self.url.display}: {exc} "
                    "(wrong EARMARK_AUDIO, an old `earmark listen`, or another process on that port)"
                )
                self._down(sock, LINK_AUTH, failed=True)
            except TimeoutError:
                self.last_error = (
                    f"audio listener at {self.url.display}: no answer to the handshake "
                    "(is it an `earmark listen`?)"
                )
                self._down(sock, LINK_AUTH, failed=True)
            except (OSError, ProtocolError, struct.error) as exc:
                self.last_error = f"audio listener at {self.url.display}: {one_line(exc)}"
                self._down(sock, LINK_LOST if self.connects else self._nobody(), failed=True)
            else:
                self.listener_info = {k: clean(str(v))[:200] for k, v in info.items()}
                backoff = 0.1
                self._session(channel)
                self._down(sock, LINK_LOST)
            with self._cond:
                if self._closed:
                    break
                self._cond.wait(backoff)
            backoff = min(backoff * 2, 2.0)

    def _nobody(self) -> str:
        return f"no audio listener at {self.url.display} (start `earmark listen`), retrying"

    def _down(self, sock: socket.socket | None, state: str, failed: bool = False) -> None:
        with self._cond:
            self._sock = None
            self.failures += failed
            if not self._closed:
                self.link_state = state
            self._cond.notify_all()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()

    def _session(self, channel: Channel) -> None:
        sock = channel.sock
        sock.settimeout(IO_TIMEOUT)
        dead = threading.Event()
        with self._cond:
            if self._closed:
                return
            self._sock = sock
            self._base = self._ack = self._sent_end = self._pulled
            self._format_dirty = True
            self._flush_upto = None
            self.connects += 1
            self.link_state = LINK_UP
            self.last_error = None
            self._cond.notify_all()
        reader = threading.Thread(
            target=self._read, args=(channel, dead), name="earmark-audio-reports", daemon=True
        )
        reader.start()
        if self.connects > 1 and self._relink is not None:
            self._relink()
        last_ping = 0.0
        buf = np.zeros((0, 1), dtype=np.float32)
        try:
            while not dead.is_set():
                with self._cond:
                    self._cond.wait_for(
                        lambda: (
                            self._closed
                            or dead.is_set()
                            or self._format_dirty
                            or self._flush_upto is not None
                            or self._can_send()
                        ),
                        timeout=max(0.0, last_ping + KEEPALIVE - time.monotonic()),
                    )
                    if self._closed:
                        return
                    fmt = (self.samplerate, self.channels) if self._format_dirty else None
                    self._format_dirty = False
                    upto, self._flush_upto = self._flush_upto, None
                    if upto is not None:
                        self._ack = max(self._ack, upto)
                    m = 0
                    if self._can_send():
                        # Rendered under the same lock as the format was read, so a block is
                        # never in a format the listener has not been told about. Lock order is
                        # always this lock, then the Player's (the Player never calls in here
                        # while holding its own).
                        n = max(1, int(self.samplerate * self._block))
                        if buf.shape != (n, self.channels):
                            buf = np.zeros((n, self.channels), dtype=np.float32)
                        index = self._pulled
                        try:
                            m = self._source.render(buf, index)
                        except Exception as exc:  # a render bug must not kill the link thread
                            self.last_error = f"audio render error: {one_line(exc)}"
                        self._pulled = self._sent_end = index + n
                if fmt is not None:
                    channel.send(FORMAT, struct.pack(">IB", *fmt))
                if upto is not None:
                    channel.send(FLUSH, struct.pack(">Q", upto))
                if m:
                    pcm = (np.clip(buf[:m], -1.0, 1.0) * 32767.0).astype("<i2")
                    channel.send(AUDIO, struct.pack(">Q", index) + pcm.tobytes())
                    self.frames_played += m
                    self.audio_end = index + m
                if time.monotonic() - last_ping >= KEEPALIVE:
                    last_ping = time.monotonic()
                    channel.send(PING, struct.pack(">d", last_ping))
        except (OSError, ProtocolError) as exc:
            self.last_error = f"audio link to {self.url.display}: {one_line(exc)}"
        finally:
            dead.set()

    def _can_send(self) -> bool:
        src = self._source
        if src is None or not src.wants_audio():
            return False
        n = max(1, int(self.samplerate * self._block))
        window = int((self._ahead + self.rtt) * self.samplerate)
        return self._sent_end + n - self._ack <= max(n, window)

    def _read(self, channel: Channel, dead: threading.Event) -> None:
        try:
            while not dead.is_set():
                kind, payload = channel.recv(limit=1024)
                if kind == PLAYED and len(payload) == 16:
                    consumed, lat_us, _buffered = struct.unpack(">QII", payload)
                    with self._cond:
                        if self._base <= consumed <= self._sent_end:
                            self._consumed = consumed
                            self._ack = max(self._ack, consumed)
                            self._report = (consumed, self._clock.monotonic(), lat_us / 1e6)
                        self._cond.notify_all()
                elif kind == PONG and len(payload) == 8:
                    (sent,) = struct.unpack(">d", payload)
                    rtt = time.monotonic() - sent
                    if 0.0 <= rtt <= MAX_RTT:
                        with self._cond:
                            self.rtt = rtt if self.rtt == 0.0 else 0.7 * self.rtt + 0.3 * rtt
                            self._cond.notify_all()
                elif kind != PING:
                    raise ProtocolError(f"unexpected message {kind!r}")
        except (OSError, ProtocolError, struct.error) as exc:
            if not dead.is_set():
                self.last_error = f"audio link to {self.url.display}: {one_line(exc)}"
        finally:
            dead.set()
            with self._cond:
                self._cond.notify_all()


# -- the listener (the annotator's computer) ----------------------------------------------------
class _Buffer:
    """The listener's small jitter buffer: the output's source, fed by the active session."""

    def __init__(self, limit_seconds: float) -> None:
        self._lock = threading.Lock()
        self._chunks: deque[list] = deque()  # [first index, float32 frames]
        self.frames = 0
        self.consumed = 0
        self.floor = 0
        self.samplerate = 16_000
        self.channels = 1
        self.limit_seconds = limit_seconds
        self.seconds = 0.0
        self.overflows = 0
        self.changed = threading.Event()

    def reset(
        self,
        samplerate: int | None = None,
        channels: int | None = None,
        *,
        new_sender: bool = False,
    ) -> None:
        with self._lock:
            self._chunks.clear()
            self.frames = 0
            if new_sender:  # a new sender numbers its frames afresh
                self.floor = self.consumed = 0
            if samplerate:
                self.samplerate, self.channels = samplerate, channels or 1

    def push(self, first: int, data: np.ndarray) -> None:
        with self._lock:
            if first + len(data) <= self.floor:
                return
            if first < self.floor:
                data = data[self.floor - first :]
                first = self.floor
            self._chunks.append([first, data])
            self.frames += len(data)
            limit = int(self.limit_seconds * self.samplerate)
            while self.frames > limit and self._chunks:
                self.overflows += 1
                dropped = self._chunks.popleft()
                self.frames -= len(dropped[1])

    def drop_before(self, upto: int) -> None:
        with self._lock:
            self.floor = max(self.floor, upto)
            while self._chunks and self._chunks[0][0] + len(self._chunks[0][1]) <= upto:
                self.frames -= len(self._chunks.popleft()[1])
            if self._chunks and self._chunks[0][0] < upto:
                first, data = self._chunks[0]
                cut = upto - first
                self._chunks[0] = [upto, data[cut:]]
                self.frames -= cut

    def wants_audio(self) -> bool:
        return self.frames > 0

    def render(self, out: np.ndarray, index: int) -> int:
        n = len(out)
        pos = 0
        with self._lock:
            while pos < n and self._chunks:
                chunk = self._chunks[0]
                first, data = chunk
                m = min(n - pos, len(data))
                if data.shape[1] == out.shape[1]:
                    out[pos : pos + m] = data[:m]
                else:
                    out[pos : pos + m] = data[:m].mean(axis=1, keepdims=True)
                pos += m
                self.frames -= m
                self.consumed = first + m
                if m == len(data):
                    self._chunks.popleft()
                else:
                    chunk[0], chunk[1] = first + m, data[m:]
            if pos:
                self.seconds += pos / self.samplerate
        if pos < n:
            out[pos:].fill(0)
        if pos:
            self.changed.set()
        return pos


@dataclass
class SessionRecord:
    peer: str
    outcome: str = "connected"  # authenticated | rejected (...) | dropped (...)
    host: str = ""
    seconds: float = 0.0
    frames: int = 0

    def line(self) -> str:
        who = f"{self.host} via {self.peer}" if self.host else self.peer
        if self.outcome.startswith("rejected"):
            return f"session from {who}: {self.outcome}"
        return f"session from {who}: {self.outcome}, {self.seconds:.1f} s played"


class Listener:
    """`earmark listen`'s engine: accepts senders on 127.0.0.1, authenticates them, plays the
    most recent authenticated one through `output` and reports what it has played."""

    def __init__(
        self,
        output: Output,
        *,
        port: int = 0,
        secret: str | None = None,
        clock: Clock = SYSTEM,
        log: Callable[[str], None] | None = None,
        buffer: float = 1.0,
        report_every: float = 0.01,
        handshake_timeout: float = HANDSHAKE_TIMEOUT,
        idle_timeout: float = IO_TIMEOUT,
        max_pending: int = 8,
    ) -> None:
        self.output = output
        self.secret = secret or secrets.token_hex(16)
        self._clock = clock
        self._log = log or (lambda line: None)
        self._report_every = report_every
        self._handshake_timeout = handshake_timeout
        self._idle_timeout = idle_timeout
        self.buffer = _Buffer(buffer)
        output.attach(self.buffer)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._sock.bind(("127.0.0.1", port))
            self._sock.listen(16)
        except OSError:
            self._sock.close()
            raise
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._active: socket.socket | None = None
        self._pending = threading.BoundedSemaphore(max_pending)
        self.sessions: list[SessionRecord] = []
        self._threads: list[threading.Thread] = []
        self._serve_thread: threading.Thread | None = None

    # -- what to tell the user -----------------------------------------------------------------
    @property
    def url(self) -> str:
        return tcp_url(self.secret, self.port)

    def unix_url(self, path: str) -> str:
        return unix_url(self.secret, path)

    def instructions(self, socket_path: str | None = None) -> list[str]:
        path = socket_path or default_socket_path()
        return [
            f"earmark listen: playing through {self.output.description}; "
            f"waiting on 127.0.0.1:{self.port} (Ctrl+C stops)",
            "Connect to the server with this (it forwards the server's port back to here):",
            f"ssh -R {self.port}:127.0.0.1:{self.port} user@server",
            "then, on the server, before starting earmark:",
            f"export EARMARK_AUDIO={self.url}",
            "Or forward to a socket in your home on the server, which no other user can take "
            "(once, on the server: mkdir -m 700 -p ~/.earmark):",
            f"ssh -R {path}:127.0.0.1:{self.port} user@server",
            f"export EARMARK_AUDIO={self.unix_url(path)}",
        ]

    # -- running -------------------------------------------------------------------------------
    def start(self) -> Listener:
        self._serve_thread = threading.Thread(
            target=self.serve_forever, name="earmark-listen", daemon=True
        )
        self._serve_thread.start()
        return self

    def serve_forever(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    break
                continue
            if not self._pending.acquire(blocking=False):
                conn.close()  # a flood of unauthenticated connections: shed it
                continue
            t = threading.Thread(
                target=self._handle,
                args=(conn, f"{peer[0]}:{peer[1]}"),
                name="earmark-listen-session",
                daemon=True,
            )
            self._threads = [x for x in self._threads if x.is_alive()] + [t]
            t.start()

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._sock.close()
        with self._lock:
            active, self._active = self._active, None
        if active is not None:
            with contextlib.suppress(OSError):
                active.shutdown(socket.SHUT_RDWR)
        for t in list(self._threads):
            t.join(timeout=1)
        if self._serve_thread is not None and self._serve_thread is not threading.current_thread():
            self._serve_thread.join(timeout=1)

    def _handle(self, conn: socket.socket, peer: str) -> None:
        rec = SessionRecord(peer)
        authed = False
        try:
            try:
                ready = {
                    "output": self.output.description,
                    "latency": round(self.output.latency, 4),
                }
                channel = server_handshake(
                    conn, self.secret, ready, timeout=self._handshake_timeout
                )
            except AuthError as exc:
                rec.outcome = f"rejected ({exc})"
                return
            except (ProtocolError, struct.error) as exc:
                rec.outcome = f"rejected (not an earmark sender: {exc})"
                return
            except TimeoutError:
                rec.outcome = "rejected (handshake timed out)"
                return
            except OSError as exc:
                rec.outcome = f"rejected (connection lost during handshake: {one_line(exc)})"
                return
            finally:
                self._pending.release()
            authed = True
            rec.outcome = "authenticated"
            self._play(channel, rec)
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            if authed or not self._stop.is_set():
                self.sessions.append(rec)
                self._log(rec.line())

    def _play(self, channel: Channel, rec: SessionRecord) -> None:
        conn = channel.sock
        with self._lock:
            old, self._active = self._active, conn
        if old is not None:  # the newest authenticated sender wins: the old one is stale
            with contextlib.suppress(OSError):
                old.shutdown(socket.SHUT_RDWR)
        buf = self.buffer
        buf.reset(new_sender=True)
        seconds_before = buf.seconds
        conn.settimeout(self._idle_timeout)
        done = threading.Event()
        reporter = threading.Thread(
            target=self._report, args=(channel, done), name="earmark-listen-reports", daemon=True
        )
        reporter.start()
        ch = 1
        try:
            while True:
                kind, payload = channel.recv()
                if self._active is not conn:
                    rec.outcome = "authenticated, replaced by a newer connection"
                    return
                if kind == AUDIO:
                    if len(payload) < 8 or (len(payload) - 8) % (2 * ch):
                        raise ProtocolError("malformed audio frame")
                    (first,) = struct.unpack(">Q", payload[:8])
                    pcm = np.frombuffer(payload, dtype="<i2", offset=8).reshape(-1, ch)
                    buf.push(first, pcm.astype(np.float32) * (1.0 / 32768.0))
                    self.output.wake()
                elif kind == FLUSH:
                    if len(payload) != 8:
                        raise ProtocolError("malformed flush")
                    buf.drop_before(struct.unpack(">Q", payload)[0])
                elif kind == FORMAT:
                    if len(payload) != 5:
                        raise ProtocolError("malformed format")
                    sr, ch = struct.unpack(">IB", payload)
                    if not (4000 <= sr <= 384_000 and 1 <= ch <= 2):
                        raise ProtocolError(f"unplayable format {sr} Hz x {ch}")
                    buf.reset(sr, ch)
                    self.output.configure(sr, ch)
                elif kind == PING:
                    if len(payload) > 64:
                        raise ProtocolError("malformed ping")
                    channel.send(PONG, payload)
                elif kind == INFO:
                    try:
                        info = json.loads(payload.decode())
                    except ValueError:
                        raise ProtocolError("malformed info") from None
                    if isinstance(info, dict):
                        rec.host = clean(str(info.get("host", "")))[:64]
                else:
                    raise ProtocolError(f"unexpected message {kind!r}")
        except TimeoutError:
            rec.outcome = "authenticated, dropped (silent for too long)"
        except ProtocolError as exc:
            rec.outcome = f"authenticated, dropped (bad frame: {exc})"
        except (ConnectionError, OSError):
            pass
        finally:
            done.set()
            with self._lock:
                if self._active is conn:
                    self._active = None
                    buf.reset()
            rec.seconds = buf.seconds - seconds_before
            reporter.join(timeout=1)

    def _report(self, channel: Channel, done: threading.Event) -> None:
        conn = channel.sock
        buf = self.buffer
        last = -1
        last_t = 0.0
        try:
            while not done.is_set():
                buf.changed.wait(self._report_every)
                buf.changed.clear()
                now = time.monotonic()  # link timing is real time, like the socket timeouts
                if self._active is not conn:
                    continue
                if buf.consumed != last or now - last_t >= KEEPALIVE or last_t == 0.0:
                    last, last_t = buf.consumed, now
                    lat = int(max(0.0, min(self.output.latency, 4.0)) * 1e6)
                    channel.send(PLAYED, struct.pack(">QII", last, lat, min(buf.frames, 2**32 - 1)))
        except OSError:
            pass


def default_socket_path() -> str:
    """A guess at the same user's home on the server: /home/<login>/.earmark/audio.sock."""
    try:
        user = getpass.getuser()
    except Exception:
        user = "me"
    home = Path("/root") if user == "root" else Path("/home") / user
    return str(home / ".earmark" / "audio.sock")
