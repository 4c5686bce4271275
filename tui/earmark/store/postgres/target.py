"""Telling a PostgreSQL target from a SQLite path, and showing it without its password."""

from __future__ import annotations

import re

# Which targets are PostgreSQL is the configuration's call (`--db`, `EARMARK_DB`).
from earmark.config import is_postgres

__all__ = ["is_postgres", "shown"]


def shown(target: str) -> str:
    """The target without any password, for messages."""
    text = re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", target)
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", text, flags=re.IGNORECASE)


def key_name(target: str) -> str:
    """A file name for the pseudonym key of a server database (kept by the importing lead)."""
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", shown(target).replace("***", "")).strip("_")
    return f"{plain[:80] or 'postgresql'}.key"
