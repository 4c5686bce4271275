"""What a `--db` target is: a SQLite file, or a PostgreSQL URL or conninfo; shown without its
password, and named for files kept beside it (the pseudonym key of a server database).

Plain string rules with no imports, so that configuration, the store and the importer can
all ask without depending on each other.
"""

from __future__ import annotations

import re

_CONNINFO = re.compile(
    r"^\s*(host|hostaddr|port|dbname|user|password|service|sslmode|sslcert|passfile)\s*=",
    re.IGNORECASE,
)


def is_postgres(target: object) -> bool:
    """A postgresql:// (or postgres://) URL or a libpq conninfo string ("dbname=x host=y")."""
    text = str(target)
    return text.startswith(("postgresql://", "postgres://")) or bool(_CONNINFO.match(text))


def shown(target: str) -> str:
    """The target without any password, for messages."""
    text = re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", target)
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", text, flags=re.IGNORECASE)


def key_name(target: str) -> str:
    """A file name for the pseudonym key of a server database (kept by the importing lead)."""
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", shown(target).replace("***", "")).strip("_")
    return f"{plain[:80] or 'postgresql'}.key"
