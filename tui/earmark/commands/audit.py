"""`earmark audit verify|head`: check the hash chain, or print its head to record elsewhere."""

from __future__ import annotations

import argparse
import sys

from earmark.audit import parse_head
from earmark.config import db_path
from earmark.errors import UserError
from earmark.store import open_store


def run(args: argparse.Namespace) -> int:
    expect = None
    if getattr(args, "head", None):
        try:
            expect = parse_head(args.head)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    store = open_store(db_path(args.db), create=False)
    try:
        if args.action == "head":
            seq, digest = store.audit_head()
            print(f"{seq}:{digest}")
            return 0
        verdict = store.audit_verify(expect)
        if verdict.ok:
            print(verdict.message())
            return 0
        print(f"earmark: {verdict.message()}", file=sys.stderr)
        return 1
    finally:
        store.close()
