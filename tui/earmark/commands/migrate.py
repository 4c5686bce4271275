"""`earmark migrate --from FILE.db --to URL`: copy a SQLite project to PostgreSQL.

Run it as the PostgreSQL superuser (on Debian: `runuser -u postgres -- earmark migrate ...`):
it makes the schema and group roles if the database has none, copies everything in one
transaction, then verifies the audit chain on the copy and compares its head with the file's.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from earmark.errors import UserError


def run(args: argparse.Namespace) -> int:
    from earmark.store.postgres import is_postgres, open_postgres, shown

    source = Path(args.source)
    if not is_postgres(args.to):
        raise UserError(f"--to {args.to!r} is not a postgresql:// URL or conninfo")
    store = open_postgres(args.to, create=True)
    try:
        from earmark.store.postgres.copy import copy_sqlite

        copied = copy_sqlite(source, store.db)
        verdict = store.audit_verify()
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            row = src.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        finally:
            src.close()
        head = (row[0], row[1]) if row else (0, "0" * 64)
        if not verdict.ok or (verdict.head_seq, verdict.head_hash) != head:
            raise UserError(f"copy made, but its audit log does not match: {verdict.message()}")
    finally:
        store.close()
    rows = ", ".join(f"{t} {n}" for t, n in copied.rows.items() if n)
    print(f"copied {source} to {shown(args.to)}: {rows}")
    print(verdict.message())
    if copied.skipped_tables:
        print(f"not copied (no PostgreSQL table yet): {', '.join(copied.skipped_tables)}")
    if copied.roles:
        print("roles are PostgreSQL's now; the file said (grant them with earmark roles grant):")
        for name, role in copied.roles:
            print(f"  createuser {name} && earmark roles grant {name} {role}")
    return 0
