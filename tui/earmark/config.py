"""Where things live: the database, the settings file, the keymaps and the demo data.

Precedence is always: command-line flag, then environment, then settings file, then default.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_config_path, user_data_path, user_state_path

from earmark.errors import UserError
from earmark.textsafe import check_user_name

APP = "earmark"
PACKAGE_DIR = Path(__file__).resolve().parent


_CONNINFO = re.compile(
    r"^\s*(host|hostaddr|port|dbname|user|password|service|sslmode|sslcert|passfile)\s*=",
    re.IGNORECASE,
)


def is_postgres(target: object) -> bool:
    """A postgresql:// (or postgres://) URL or a libpq conninfo string ("dbname=x host=y")."""
    text = str(target)
    return text.startswith(("postgresql://", "postgres://")) or bool(_CONNINFO.match(text))


def default_db_path() -> Path:
    return Path(os.environ.get("EARMARK_DB") or "earmark.db")


def db_path(flag: str | None) -> Path:
    """The SQLite file, or (typed as a Path for callers, kept as the exact text) a PostgreSQL
    URL or conninfo: Path("postgresql:///x") would fold its slashes."""
    target = flag or os.environ.get("EARMARK_DB") or "earmark.db"
    if is_postgres(target):
        return target  # type: ignore[return-value]
    return Path(target)


def audio_url(flag: str | None) -> str | None:
    """The remote-audio URL with its secret, for this process only, if a relay is set up.

    `--audio` names the listener without the secret (a command line is public to every local
    user); the secret comes from EARMARK_AUDIO or a file only its owner can read.
    """
    from earmark.audio.remote.url import resolve_audio_url

    return resolve_audio_url(flag, os.environ)


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
