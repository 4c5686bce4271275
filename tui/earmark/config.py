"""Where things live: the database, the settings file, the keymaps and the demo data.

Precedence is always: command-line flag, then environment, then settings file, then default.
"""

from __future__ import annotations

import getpass
import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platformdirs import user_config_path, user_data_path, user_state_path

from earmark.dbtarget import is_postgres
from earmark.errors import UserError
from earmark.textsafe import check_user_name

APP = "earmark"
PACKAGE_DIR = Path(__file__).resolve().parent


def db_path(flag: str | None) -> Path:
    """The SQLite file, or (typed as a Path for callers, kept as the exact text) a PostgreSQL
    URL or conninfo: Path("postgresql:///x") would fold its slashes."""
    target = flag or os.environ.get("EARMARK_DB") or "earmark.db"
    if is_postgres(target):
        return target  # type: ignore[return-value]
    return Path(target)


def audio_url(flag: str | None) -> str | None:
    """The remote-audio URL with its secret, for this process only, if a relay is set up.

    The secret never goes on a command line: any local user can read another's with `ps`, and
    with the secret an impostor holding the port would receive and decrypt the audio. So
    `--audio` names the listener without it (and refuses one with it); the secret comes from
    EARMARK_AUDIO (a process's environment is readable only by its owner) or from a file only
    its owner can read.
    """
    return resolve_audio_url(flag, os.environ)


SECRET_FILE_ENV = "EARMARK_AUDIO_SECRET_FILE"
NO_ARGV_SECRET = (
    "--audio: the URL holds the relay secret, and a command line can be read by every user "
    "on this machine (ps); pass --audio without it (tcp://127.0.0.1:PORT) and keep the secret "
    "in EARMARK_AUDIO or in ~/.earmark/audio.secret (chmod 600)"
)


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
    return with_secret(target, secret)


def current_user(flag: str | None = None) -> str:
    """--user, else the login name; refused when it could act on a terminal (textsafe)."""
    if flag is not None:
        return check_user_name(flag)
    try:
        name = getpass.getuser()
    except (KeyError, OSError, ImportError):  # no login name (containers without passwd)
        name = os.environ.get("USER") or "annotator"
    return check_user_name(name)


def config_dir() -> Path:
    return user_config_path(APP, appauthor=False)


def data_dir() -> Path:
    return user_data_path(APP, appauthor=False)


def state_dir() -> Path:
    return user_state_path(APP, appauthor=False)


def settings_file() -> Path:
    return Path(os.environ.get("EARMARK_CONFIG") or config_dir() / "config.toml")


def load_settings() -> dict[str, Any]:
    """The user's settings file, or {} when there is none. A broken file is a UserError."""
    path = settings_file()
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"settings file {path}: {exc}") from None


def _bundled(name: str) -> Path:
    """A folder shipped with the tool: the checkout's copy first, then the installed copy."""
    root = PACKAGE_DIR.parents[1]  # tui/earmark -> the checkout, when run from one
    checkout = root / name
    if checkout.is_dir() and (root / "pyproject.toml").is_file():
        return checkout
    return PACKAGE_DIR / f"_{name}"


def keymaps_dir() -> Path:
    return _bundled("keymaps")


def demo_data_dir() -> Path:
    return _bundled("demo_data")
