"""`earmark roles [grant USER ROLE]`: who is annotator, reviewer or lead on this database.

A granted name is checked like any name earmark first sees (textsafe.check_user_name), and
every name is printed cleaned: a name is the one piece of text here someone else chose.
"""

from __future__ import annotations

import argparse
import datetime as dt

from earmark.config import current_user, db_path
from earmark.store import open_store
from earmark.textsafe import check_user_name, clean


def run(args: argparse.Namespace) -> int:
    actor = current_user(getattr(args, "user", None))
    if getattr(args, "action", None) == "grant":
        check_user_name(args.user_name)
    store = open_store(db_path(args.db), create=False)
    try:
        if getattr(args, "action", None) == "grant":
            store.grant_role(actor, args.user_name, args.role)
            print(f"{args.user_name} is now {args.role} (granted by {actor})")
            return 0
        store.ensure_user(actor)
        for u in store.users():
            since = dt.datetime.fromtimestamp(u.granted_at or u.joined_at).strftime(
                "%Y-%m-%d %H:%M"
            )
            if u.granted_by:
                how = f"granted by {clean(u.granted_by)}"
            else:
                how = "first user" if u.role == "lead" else "joined"
            me = "  (you)" if u.name == actor else ""
            print(f"{clean(u.name):<20} {u.role:<10} {how}, {since}{me}")
        return 0
    finally:
        store.close()
