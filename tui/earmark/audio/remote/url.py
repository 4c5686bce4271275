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
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from earmark.audio.outputs import one_line
from earmark.errors import UserError

URL_FORMS = "tcp://SECRET@127.0.0.1:PORT or unix://SECRET@/path/to/audio.sock"
SECRET_FILE_ENV = "EARMARK_AUDIO_SECRET_FILE"
NO_ARGV_SECRET = (
    "--audio: the URL holds the relay secret, and a command line can be read by every user "
    "on this machine (ps); pass --audio without it (tcp://127.0.0.1:PORT) and keep the secret "
    "in EARMARK_AUDIO or in ~/.earmark/audio.secret (chmod 600)"
)
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


def split_secret(url: str) -> tuple[str | None, str]:
    """(the secret in `url` or None, `url` without it)."""
    text = url.strip()
    if text.startswith("unix:"):
        rest = text[len("unix:") :].removeprefix("//")
        if rest.startswith(("/", "~")) or "@" not in rest:
            return None, "unix://" + rest
        secret, _, path = rest.partition("@")
        return secret or None, "unix://" + path
    try:
        parts = urlsplit(text)
    except ValueError:
        return None, text
    if "@" not in parts.netloc:
        return None, text
    bare = parts._replace(netloc=parts.netloc.rpartition("@")[2])
    return parts.username or None, bare.geturl()


def with_secret(url: str, secret: str) -> str:
    """`url` (without a secret) carrying `secret`: for this process only, never for argv."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{secret}@{rest}"


def secret_file(environ: Mapping[str, str]) -> Path:
    named = environ.get(SECRET_FILE_ENV)
    return Path(named).expanduser() if named else Path.home() / ".earmark" / "audio.secret"


def read_secret_file(path: Path) -> str | None:
    """The secret kept in `path`, None if there is no such file; UserError if others could
    read (or change) it, or it is not a plain file of this user's."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UserError(f"audio secret file {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise UserError(f"audio secret file {path}: not a regular file")
        if st.st_uid != os.getuid():
            raise UserError(f"audio secret file {path}: belongs to another user; not used")
        if st.st_mode & 0o077:
            raise UserError(
                f"audio secret file {path}: other users can read it (mode "
                f"{stat.S_IMODE(st.st_mode):04o}); run chmod 600 {path} and make a fresh secret "
                "(restart `earmark listen`)"
            )
        text = fh.read(4096).decode("utf-8", "replace").strip()
    return text or None


def resolve_audio_url(flag: str | None, environ: Mapping[str, str]) -> str | None:
    """The relay URL with its secret (for this process only), from `--audio` (no secret
    allowed), EARMARK_AUDIO and the secret file; None when no relay is configured."""
    env = (environ.get("EARMARK_AUDIO") or "").strip() or None
    if flag:
        secret, target = split_secret(flag)
        if secret:
            raise UserError(NO_ARGV_SECRET)
        secret = split_secret(env)[0] if env else None
    elif env:
        secret, target = split_secret(env)
    else:
        return None
    if not secret:
        where = secret_file(environ)
        secret = read_secret_file(where)
        if not secret:
            raise UserError(
                f"audio relay {target}: no secret; set EARMARK_AUDIO to the line `earmark "
                f"listen` printed, or save its secret in {where} (chmod 600)"
            )
    parse_audio_url(target, secret)  # a malformed URL or secret: one line now, not later
    return with_secret(target, secret)
