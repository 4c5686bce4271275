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

import hashlib
import hmac
import json
import os
import socket
import struct
import threading
import time
from typing import Any

MAGIC = b"EARMARK-AUDIO/1\n"
NONCE = 32
MAX_FRAME = 64 * 1024
DEFAULT_PORT = 47311

HELLO, CHALLENGE, AUTH, READY, INFO = b"H", b"C", b"A", b"R", b"I"
TAG = 16  # Poly1305 tag bytes on every sealed frame
FORMAT, AUDIO, FLUSH, PING, PLAYED, PONG = b"F", b"D", b"X", b"K", b"P", b"O"

HANDSHAKE_TIMEOUT = 3.0  # the sender's wait for the listener
LISTEN_HANDSHAKE = 2.0  # the listener's deadline for a whole handshake: then it sheds
MAX_PENDING = 32  # unauthenticated connections at once; beyond it the oldest is shed
IO_TIMEOUT = 5.0  # no message for this long: the other side is gone (half-open)
KEEPALIVE = 0.5  # seconds between PINGs (and idle PLAYED reports)
MAX_RTT = 2.0


class ProtocolError(Exception):
    """The peer sent something that is not our protocol: drop the connection."""


class AuthError(Exception):
    """The peer could not prove it knows the secret."""


# -- framing ------------------------------------------------------------------------------------
def send_msg(sock: socket.socket, kind: bytes, payload: bytes = b"") -> None:
    sock.sendall(struct.pack(">I", 1 + len(payload)) + kind + payload)


def _recv_exact(sock: socket.socket, n: int, deadline: float | None = None) -> bytes:
    """Exactly n bytes. With a `deadline` (monotonic seconds) the whole read must finish by
    then: a peer dripping one byte at a time cannot stretch it, as a per-recv timeout allows."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("handshake deadline passed")
            sock.settimeout(left)
        k = sock.recv_into(view[got:])
        if k == 0:
            raise ConnectionError("connection closed")
        got += k
    return bytes(buf)


def recv_msg(
    sock: socket.socket, limit: int = MAX_FRAME, *, deadline: float | None = None
) -> tuple[bytes, bytes]:
    (length,) = struct.unpack(">I", _recv_exact(sock, 4, deadline))
    if length == 0 or length > limit:
        raise ProtocolError(f"frame of {length} bytes (limit {limit})")
    data = _recv_exact(sock, length, deadline)
    return data[:1], data[1:]


def _proof(secret: str, role: bytes, first: bytes, second: bytes) -> bytes:
    return hmac.new(secret.encode(), role + first + second, hashlib.sha256).digest()


def _aead(key: bytes) -> Any:
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
) -> tuple[dict[str, Any], Channel]:
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
    sock: socket.socket, secret: str, ready: dict[str, Any], *, timeout: float = HANDSHAKE_TIMEOUT
) -> Channel:
    """The listener's half; raises AuthError/ProtocolError/TimeoutError, returns the sealed
    channel. `timeout` bounds the whole handshake, however the peer paces its bytes."""
    deadline = time.monotonic() + timeout
    kind, payload = recv_msg(sock, limit=1024, deadline=deadline)
    if kind != HELLO or len(payload) != len(MAGIC) + NONCE or not payload.startswith(MAGIC):
        raise ProtocolError("not an earmark sender")
    sn = payload[len(MAGIC) :]
    ln = os.urandom(NONCE)
    send_msg(sock, CHALLENGE, ln + _proof(secret, b"listener", sn, ln))
    try:
        kind, payload = recv_msg(sock, limit=1024, deadline=deadline)
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
