"""`earmark init [--db PATH] [--user NAME]`: create the project database and name its lead.

The lead is named by this command (or by the first import that completes), never by
whoever happens to run a command next. On an existing database it migrates the schema and
says who leads; it names the runner lead only when the database has no lead at all.
"""

from __future__ import annotations

import argparse

from earmark.config import current_user, db_path
from earmark.dbtarget import is_postgres
from earmark.store import open_store


def run(args: argparse.Namespace) -> int:
    db = db_path(args.db)
    if is_postgres(db):
        from earmark.store.postgres import open_postgres, shown

        open_postgres(str(db), create=True).close()  # schema and group roles, as the owner
        print(f"database {shown(str(db))} ready (schema and group roles)")
        return 0
    actor = current_user(getattr(args, "user", None))
    existed = db.exists()
    store = open_store(db)
    try:
        named = store.name_lead_if_none(actor)
        role = store.role_of(actor) or "annotator"
        store.audit_append(actor, "init", detail={"created": not existed, "role": role})
        leads = sorted(u.name for u in store.users() if u.role == "lead")
    finally:
        store.close()
    what = "created" if not existed else "ready"
    if role == "lead":
        how = "you are its lead" if named or not existed else "you lead it"
        print(f"database {db} {what}; {how} ({actor})")
    else:
        print(f"database {db} {what}; you are {role} ({actor}); leads: {', '.join(leads)}")
    return 0
