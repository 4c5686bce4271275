"""The PostgreSQL team backend: the same store interface as SQLite, with PostgreSQL's
identity and privileges behind it.

`open_postgres("postgresql:///earmark")` connects (the local socket with peer
authentication, a URL, or libpq conninfo), checks the schema and returns a `PgStore`.
`earmark init` creates or migrates the schema and the group roles (see schema.py).
Importing this package does not import psycopg: `is_postgres` is what `open_store` needs to
choose a backend, and psycopg is an optional extra (`pip install 'earmark[postgres]'`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from earmark.clock import SYSTEM, Clock
from earmark.errors import UserError
from earmark.store.postgres.target import is_postgres, shown

if TYPE_CHECKING:
    from earmark.store.postgres.store import PgStore

__all__ = ["is_postgres", "open_postgres", "shown"]


def open_postgres(
    target: str,
    *,
    clock: Clock = SYSTEM,
    create: bool = False,
    lease_seconds: float | None = None,
) -> PgStore:
    """Connect to `target`. `create` (earmark init, as the owner) creates or migrates the
    schema; otherwise a missing or old schema is a one-line error naming what to run."""
    try:
        from earmark.store.postgres.db import PgDatabase
        from earmark.store.postgres.store import PgStore
    except ImportError as exc:
        raise UserError(
            f"PostgreSQL needs psycopg: pip install 'earmark[postgres]' ({exc})"
        ) from None
    return PgStore(PgDatabase(target, clock=clock, create=create), lease_seconds=lease_seconds)
