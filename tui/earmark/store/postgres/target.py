"""Telling a PostgreSQL target from a SQLite path, and showing it without its password."""

from __future__ import annotations

import re

_KEYS = r"(host|hostaddr|port|dbname|user|password|service|sslmode|sslcert|passfile)"
_CONNINFO = re.compile(rf"^\s*{_KEYS}\s*=", re.IGNORECASE)


def is_postgres(target: object) -> bool:
    """A postgresql:// (or postgres://) URL or a libpq conninfo string ("dbname=x host=y")."""
    text = str(target)
    return text.startswith(("postgresql://", "postgres://")) or bool(_CONNINFO.match(text))


def shown(target: str) -> str:
    """The target without any password, for messages."""
    text = re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", target)
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", text, flags=re.IGNORECASE)
