"""Where a relay listener is, and the secret that proves a sender may use it.

The secret never goes on a command line: any local user can read another's with `ps`, and
with the secret an impostor holding the port would receive and decrypt the audio. It comes
from EARMARK_AUDIO in the environment (readable only by its owner, in /proc/PID/environ) or
from a file that only its owner can read; `--audio` takes the URL without it and refuses one
with it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from earmark.audio.outputs import one_line
from earmark.config import resolve_audio_url, split_secret, with_secret
from earmark.errors import UserError

__all__ = [
    "AudioURL",
    "parse_audio_url",
    "resolve_audio_url",
    "split_secret",
    "tcp_url",
    "unix_url",
    "with_secret",
]

URL_FORMS = "tcp://SECRET@127.0.0.1:PORT or unix://SECRET@/path/to/audio.sock"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


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


def parse_audio_url(url: str, secret: str | None = None) -> AudioURL:
    """tcp://SECRET@127.0.0.1:PORT or unix://SECRET@/path/to/audio.sock; UserError otherwise.

    A URL without a secret takes `secret` instead."""

    def bad(problem: str) -> UserError:
        return UserError(
            f"audio URL: {problem}; expected {URL_FORMS} (printed by `earmark listen`)"
        )

    text = (url or "").strip()
    if text.startswith("unix:"):
        rest = text[len("unix:") :].removeprefix("//")
        if rest.startswith(("/", "~")) and secret:
            sep, path = "@", rest
        else:
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
    secret = parts.username or secret
    if not secret:
        raise bad("no secret before '@'")
    host = parts.hostname or ""
    if host not in LOOPBACK:
        raise bad(
            f"host {host!r} is not 127.0.0.1: audio is unencrypted, send it through an SSH tunnel"
        )
    if not port:
        raise bad("no port")
    _check_secret(secret, bad)
    return AudioURL(
        "tcp",
        secret,
        host="127.0.0.1" if host == "localhost" else host.strip("[]"),
        port=port,
    )


def _check_secret(secret: str, bad: Callable[[str], UserError]) -> None:
    if len(secret) < 16 or not all(c.isalnum() or c in "-_" for c in secret):
        raise bad("the secret looks wrong (copy it whole from `earmark listen`)")


def tcp_url(secret: str, port: int) -> str:
    return f"tcp://{secret}@127.0.0.1:{port}"


def unix_url(secret: str, path: str) -> str:
    return f"unix://{secret}@{path}"
