"""`earmark export [--format jsonl|nemo|csv] [--out FILE] [--include-critical]`."""

from __future__ import annotations

import sys
from pathlib import Path

from earmark.config import current_user, db_path
from earmark.exporting import export_to_file, write
from earmark.store import open_store


def run(args) -> int:
    store = open_store(db_path(args.db), create=False)
    try:
        if args.out:
            n = export_to_file(
                store, args.format, Path(args.out), include_critical=args.include_critical
            )
        else:
            n = write(store, args.format, sys.stdout, include_critical=args.include_critical)
            sys.stdout.flush()
        store.audit_append(
            current_user(getattr(args, "user", None)),
            "export",
            detail={
                "format": args.format,
                "clips": n,
                "include_critical": bool(args.include_critical),
                "to": "file" if args.out else "stdout",
            },
        )
    finally:
        store.close()
    if args.out:
        print(
            f"wrote {n:,} clip{'s' if n != 1 else ''} ({args.format}) to {args.out}",
            file=sys.stderr,
        )
    return 0
