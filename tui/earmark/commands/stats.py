"""`earmark stats [--json]`: progress, throughput, flags, ASR word error rate.

In the JSON, `pending` is clips nobody has opened, `in_progress` clips opened but not yet
submitted, `remaining` their sum; see earmark/stats.py. For a lead, `report` holds the
figures of `earmark report` as numbers (earmark/reporting/figures.py); for anyone else it
is null, since those figures are per annotator (on PostgreSQL the server refuses them).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from earmark.config import current_user, db_path
from earmark.stats import compute, summary_lines
from earmark.store import Store, open_store


def _report(store: Store, args: argparse.Namespace) -> dict[str, Any] | None:
    from earmark.dbtarget import is_postgres
    from earmark.reporting.figures import compute as figures
    from earmark.roles import PermissionDenied

    if is_postgres(str(db_path(args.db))):  # the server decides who is a lead
        try:
            return figures(store)
        except PermissionDenied:
            return None
    if store.role_of(current_user(getattr(args, "user", None))) != "lead":
        return None
    return figures(store)


def run(args: argparse.Namespace) -> int:
    store = open_store(db_path(args.db), create=False)
    try:
        s = compute(store)
        if args.json:
            s["report"] = _report(store, args)
    finally:
        store.close()
    if args.json:
        print(json.dumps(s, ensure_ascii=False))
    else:
        from rich.console import Console
        from rich.text import Text

        console = Console(highlight=False, soft_wrap=True)
        for line in summary_lines(s):
            console.print(Text(line))  # annotator names are text, never markup
    return 0
