"""The sending end of the relay: an Output whose device is an `earmark listen` down a tunnel."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable

import numpy as np

from earmark.audio.outputs import RENDER_ERRORS, Output, one_line
from earmark.audio.remote.url import AudioURL
from earmark.audio.remote.wire import (
    AUDIO,
    FLUSH,
    FORMAT,
    HANDSHAKE_TIMEOUT,
    IO_TIMEOUT,
    KEEPALIVE,
    MAX_RTT,
    PING,
    PLAYED,
    PONG,
    AuthError,
    Channel,
    ProtocolError,
    client_handshake,
)
from earmark.clock import SYSTEM, Clock
from earmark.textsafe import clean

LINK_CONNECTING = "connecting to audio listener"
LINK_UP = "connected"
LINK_LOST = "audio link lost, reconnecting"
LINK_AUTH = "audio listener failed authentication (check EARMARK_AUDIO), retrying"


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
        self.listener_info: dict[str, str] = {}
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
                    f"audio listener at {self.url.display}: {exc} (wrong EARMARK_AUDIO, "
                    "an old `earmark listen`, or another process on that port)"
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
                        src = self._source
                        try:
                            m = src.render(buf, index) if src is not None else 0
                        except RENDER_ERRORS as exc:  # a render bug must not kill the link
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
