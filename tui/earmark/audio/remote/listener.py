"""`earmark listen`'s engine: accept senders on 127.0.0.1, authenticate, play, report."""

from __future__ import annotations

import contextlib
import getpass
import json
import secrets
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import numpy as np

from earmark.audio.outputs import Output, one_line
from earmark.audio.remote.buffer import SessionRecord, _Buffer
from earmark.audio.remote.url import tcp_url, unix_url
from earmark.audio.remote.wire import (
    AUDIO,
    FLUSH,
    FORMAT,
    INFO,
    IO_TIMEOUT,
    KEEPALIVE,
    LISTEN_HANDSHAKE,
    MAX_PENDING,
    PING,
    PLAYED,
    PONG,
    AuthError,
    Channel,
    ProtocolError,
    server_handshake,
)
from earmark.clock import SYSTEM, Clock
from earmark.textsafe import clean


class Listener:
    """`earmark listen`'s engine: accepts senders on 127.0.0.1, authenticates them, plays the
    most recent authenticated one through `output` and reports what it has played.

    Connections that have not authenticated cannot keep the real sender out: each must finish
    the whole handshake within `handshake_timeout` (however it paces its bytes), and at most
    `max_pending` wait at once; a newcomer beyond that sheds the oldest, so a real sender,
    which authenticates within a round trip, always gets its turn.
    """

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
        handshake_timeout: float = LISTEN_HANDSHAKE,
        idle_timeout: float = IO_TIMEOUT,
        max_pending: int = MAX_PENDING,
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
            self._sock.listen(128)
        except OSError:
            self._sock.close()
            raise
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._active: socket.socket | None = None
        self._max_pending = max(1, int(max_pending))
        self._pending: dict[socket.socket, float] = {}  # oldest first
        self._shed: set[socket.socket] = set()
        self.sessions: deque[SessionRecord] = deque(maxlen=1000)
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
            "then, on the server, before starting earmark (type it at the prompt: the secret "
            "must never go on a command line, where `ps` shows it to every user):",
            f"export EARMARK_AUDIO={self.url}",
            "Or forward to a socket in your home on the server, which no other user can take "
            "(once, on the server: mkdir -m 700 -p ~/.earmark):",
            f"ssh -R {path}:127.0.0.1:{self.port} user@server",
            f"export EARMARK_AUDIO={self.unix_url(path)}",
            "Or keep the secret in a file only you can read, and name just the port:",
            f"(umask 077; mkdir -p ~/.earmark; echo {self.secret} > ~/.earmark/audio.secret)",
            f"earmark annotate --audio tcp://127.0.0.1:{self.port}",
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
            self._admit(conn)
            t = threading.Thread(
                target=self._handle,
                args=(conn, f"{peer[0]}:{peer[1]}"),
                name="earmark-listen-session",
                daemon=True,
            )
            self._threads = [x for x in self._threads if x.is_alive()] + [t]
            t.start()

    def _admit(self, conn: socket.socket) -> None:
        """Count `conn` as waiting to authenticate; shed the oldest waiting beyond the cap."""
        with self._lock:
            shed = []
            while len(self._pending) >= self._max_pending:
                oldest = next(iter(self._pending))
                del self._pending[oldest]
                self._shed.add(oldest)
                shed.append(oldest)
            self._pending[conn] = time.monotonic()
        for old in shed:
            with contextlib.suppress(OSError):
                old.shutdown(socket.SHUT_RDWR)

    @property
    def pending(self) -> int:
        """Connections waiting to authenticate now."""
        with self._lock:
            return len(self._pending)

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
                with self._lock:
                    self._pending.pop(conn, None)
                    if conn in self._shed:
                        self._shed.discard(conn)
                        rec.outcome = (
                            "rejected (shed: too many connections waiting to authenticate)"
                        )
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
    except (OSError, KeyError, ImportError):  # no login name (a container's bare uid)
        user = "me"
    home = Path("/root") if user == "root" else Path("/home") / user
    return str(home / ".earmark" / "audio.sock")
