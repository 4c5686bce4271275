"""`earmark batch list [--json]` and `earmark batch set NAME --overlap N ...` (leads).

Also the four batch flags `earmark import` takes, declared once here for both commands:
`--overlap N` (independent transcripts per clip, 1 to 20), `--gold-rate F` (share of gold
clips served), `--review-share F` (share of each annotator's clips sampled for second-pass
review) and `--min-listen F` (share of a clip heard before a submit; 0 is off). Values are
checked (store/records.py: check_batch_changes) before the database is opened.

This module is imported when the parser is built, so it imports nothing heavy at the top.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

FLAGS = (
    ("--overlap", "N", "independent transcripts per clip, 1 to 20 (default 1)"),
    ("--gold-rate", "F", "share of gold clips served, 0 to 1 (default 0)"),
    ("--review-share", "F", "share of each annotator's clips sampled for review (default 0)"),
    ("--min-listen", "F", "share of a clip heard before a submit, 0 to 1 (default 0: off)"),
)


def add_flags(p: argparse.ArgumentParser) -> None:
    """The batch settings as flags (strings: checked with one message for both commands)."""
    for flag, metavar, text in FLAGS:
        p.add_argument(flag, metavar=metavar, default=None, help=text)


def changes(args: argparse.Namespace) -> dict[str, int | float]:
    """The settings the command line gave, checked; UserError naming a bad one."""
    from earmark.store.records import check_batch_changes

    given = {f[0][2:].replace("-", "_"): getattr(args, f[0][2:].replace("-", "_")) for f in FLAGS}
    return check_batch_changes(given)


def add_parser(sub: Any, add_db: Any) -> None:
    """`batch` with its `list` and `set` actions; `add_db` is cli.py's --db declaration."""
    p = sub.add_parser(
        "batch",
        help="batch settings: list them, or change them (leads)",
        description="batch settings: list them, or change them (leads)",
    )
    add_db(p)
    bsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = bsub.add_parser("list", help="every batch with its settings")
    lst.add_argument("--json", action="store_true", help="a JSON array of objects")
    add_db(lst, True)
    st = bsub.add_parser("set", help="change a batch's settings (leads only)")
    st.add_argument("name", metavar="NAME")
    add_flags(st)
    st.add_argument("--user", metavar="NAME", help="act as NAME (default: your login name)")
    add_db(st, True)


def run(args: argparse.Namespace) -> int:
    from earmark.config import current_user, db_path
    from earmark.errors import UserError
    from earmark.store import open_store
    from earmark.textsafe import clean

    wanted = changes(args) if args.action == "set" else {}
    if args.action == "set" and not wanted:
        raise UserError("batch set: give at least one of " + ", ".join(f[0] for f in FLAGS))
    store = open_store(db_path(args.db), create=False)
    try:
        if args.action == "set":
            store.set_batch_settings(args.name, actor=current_user(args.user), **wanted)
            shown = [store.batch_settings(args.name)]
        else:
            shown = store.batches()
        if getattr(args, "json", False):
            print(json.dumps([dataclasses.asdict(b) for b in shown]))
            return 0
        print(f"{'batch':<24} {'overlap':>7} {'gold':>6} {'review':>6} {'listen':>6}")
        for b in shown:
            print(
                f"{clean(b.name)[:24]:<24} {b.overlap:>7} {b.gold_rate:>6.2f}"
                f" {b.review_share:>6.2f} {b.min_listen:>6.2f}"
            )
        return 0
    finally:
        store.close()
