"""`earmark export [--format jsonl|nemo|csv] [--out FILE] [--force] [--include-critical]`.

The export is audited however it ends: complete, or cut short because the reader left
(`earmark export | head`) or the user pressed Ctrl-C; the entry says how many clips went out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from earmark.config import current_user, db_path
from earmark.exporting import Tally, export_to_file, write
from earmark.roles import REVIEW_ROLES, require
from earmark.store import open_store


def run(args: argparse.Namespace) -> int:
    actor = current_user(getattr(args, "user", None))
    store = open_store(db_path(args.db), create=False)
    tally = Tally()
    complete = False
    gold = bool(getattr(args, "include_gold", False))
    try:
        if gold:  # the references are for reviewers and leads (PostgreSQL checks it too)
            require(actor, store.role_of(actor), REVIEW_ROLES, "export gold references")
        if args.out:
            tally.clips = export_to_file(
                store,
                args.format,
                Path(args.out),
                include_critical=args.include_critical,
                force=bool(getattr(args, "force", False)),
                include_gold=gold,
            )
        else:
            write(
                store,
                args.format,
                sys.stdout,
                include_critical=args.include_critical,
                include_gold=gold,
                tally=tally,
            )
            sys.stdout.flush()
        complete = True
    finally:
        if complete or not args.out:
            store.audit_append(
                actor,
                "export",
                detail={
                    "format": args.format,
                    "clips": tally.clips,
                    "include_critical": bool(args.include_critical),
                    **({"include_gold": True} if gold else {}),
                    "to": "file" if args.out else "stdout",
                    "complete": complete,
                },
            )
        store.close()
    if args.out:
        n = tally.clips
        print(
            f"wrote {n:,} clip{'s' if n != 1 else ''} ({args.format}) to {args.out}",
            file=sys.stderr,
        )
    return 0
