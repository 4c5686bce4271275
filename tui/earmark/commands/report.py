"""`earmark report --out FILE.html`: the lead's report, one self-contained HTML page.

Leads only: on SQLite the role is checked here; on PostgreSQL the figures come from
functions only `earmark_lead` may run, so the server refuses anyone else whatever this
code does. The page is written whole or not at all (a temporary file renamed into place),
owner-only, never over the database, its side files or the pseudonym key, and over an
existing file only when it is an earlier earmark report or with --force.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from pathlib import Path

from earmark import roles
from earmark.config import current_user, db_path
from earmark.dbtarget import is_postgres
from earmark.errors import UserError
from earmark.outfile import check_out
from earmark.store import open_store

MARK = "<!-- earmark report -->"


def _check_target(path: Path, db: Path, force: bool) -> Path | None:
    """Refuse an --out that would destroy something; the pseudonym key's path (SQLite)."""
    key = None
    if not is_postgres(str(db)):
        from earmark.manifest.pseudonyms import key_path

        key = key_path(db)
    check_out(path, db=db, key=key, csv_header="", force=True)  # never the project's files
    if path.exists() and not force:
        with open(path, "rb") as fh:
            head = fh.read(256)
        if head.strip() and MARK.encode() not in head:
            raise UserError(
                f"--out {path} exists and is not an earmark report; "
                "choose another name, or pass --force to replace it"
            )
    return key


def _write(path: Path, page: str) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def run(args: argparse.Namespace) -> int:
    from earmark.reporting import charts

    charts.available()  # one line naming what to install, before any work
    if not (0 < args.days <= 3660):
        raise UserError("--days must be between 1 and 3660")
    db = db_path(args.db)
    out = Path(args.out)
    key = _check_target(out, db, args.force)
    store = open_store(db, create=False)
    try:
        if key is not None:  # SQLite; on PostgreSQL the server refuses the figures itself
            user = current_user(getattr(args, "user", None))
            roles.require(user, store.role_of(user), ("lead",), "read the lead's report")
        started = time.perf_counter()
        from earmark.reporting.figures import compute
        from earmark.reporting.page import render

        try:
            figures = compute(store, days=args.days)
        except roles.PermissionDenied as exc:  # PostgreSQL's own refusal
            raise roles.PermissionDenied(f"only a lead may read the lead's report: {exc}") from None
        page = render(
            figures,
            project=store.location,
            generated=time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(store.clock.now())),
        )
    finally:
        store.close()
    _write(out, page.replace("<html", f"{MARK}\n<html", 1))
    took = time.perf_counter() - started
    print(f"wrote {out} ({len(page) // 1024} KiB, {took:.2f} s)")
    return 0
