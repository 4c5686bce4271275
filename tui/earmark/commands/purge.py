"""`earmark purge --ids FILE`: clips whose consent was withdrawn go, with all derived data.

FILE lists source ids as the supplier's manifests gave them, one per line. They are turned
into pseudonyms with the pseudonym key (which only the importing lead holds), and each
matching clip is deleted with its drafts, transcripts, flags, escalations and plays; the
audit log gets one entry counting what went. Leads only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from earmark.config import current_user, db_path
from earmark.errors import UserError
from earmark.importing import pseudonym_key
from earmark.manifest import pseudonym
from earmark.roles import require
from earmark.store import open_store


def read_ids(path: Path) -> list[str]:
    """Source ids, one per line; blank lines and `#` comments ignored."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"--ids {path} not found") from None
    except IsADirectoryError:
        raise UserError(f"--ids {path} is a folder, not a file") from None
    except OSError as exc:
        raise UserError(f"cannot read --ids {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"--ids {path} is not UTF-8 text") from None
    ids = [line.strip() for line in text.splitlines()]
    return [i for i in ids if i and not i.startswith("#")]


def run(args: argparse.Namespace) -> int:
    ids = read_ids(Path(args.ids))
    actor = current_user(getattr(args, "user", None))
    store = open_store(db_path(args.db), create=False)
    try:
        require(actor, store.role_of(actor), ("lead",), "purge clips")
        key = pseudonym_key(store)
        names = {pseudonym(key, i) for i in ids}
        counts = store.purge_clips(names, actor=actor, reason="purge --ids")
    finally:
        store.close()
    n = counts.get("clips", 0)
    rows = ", ".join(f"{t} {c:,}" for t, c in sorted(counts.items()) if c and t != "clips")
    print(
        f"purged {n:,} clip{'s' if n != 1 else ''} of {len(ids):,} id"
        f"{'s' if len(ids) != 1 else ''} listed" + (f"; derived rows: {rows}" if rows else "")
    )
    if n < len(set(ids)):
        print(f"not in this database (never imported, or purged before): {len(set(ids)) - n:,}")
    return 0
