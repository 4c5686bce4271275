"""`earmark import MANIFEST... [--lexicon FILE] [--batch NAME] [--audio-root DIR]`.

Exit 0 when the import ran, even if some lines were refused: the summary names every
refused line, and the good lines are in. Exit 2 (UserError) when the command itself cannot
run: a manifest, lexicon or --audio-root that does not exist or cannot be read. Those are
checked before the database is opened, so a typo never leaves an empty database behind.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from earmark.config import current_user, db_path
from earmark.errors import UserError
from earmark.importing import check_inputs, import_manifests, stderr_is_tty
from earmark.store import open_store


def run(args) -> int:
    manifests = [Path(m) for m in args.manifests]
    lexicon = Path(args.lexicon) if args.lexicon else None
    audio_root = Path(args.audio_root) if args.audio_root else None
    check_inputs(manifests, lexicon=lexicon, audio_root=audio_root, batch=args.batch)
    db = db_path(args.db)
    store = open_store(db)
    try:
        summary = import_manifests(
            store,
            manifests,
            lexicon=lexicon,
            batch=args.batch,
            audio_root=audio_root,
            progress=stderr_is_tty(),
        )
        store.audit_append(
            current_user(getattr(args, "user", None)),
            "import",
            detail={
                "manifests": [m.name for m in manifests],
                "imported": summary.imported,
                "duplicates": summary.duplicates,
                "excluded": summary.excluded,
                "unplayable": summary.unplayable,
                "bad_lines": summary.bad_line_count,
            },
        )
    except sqlite3.OperationalError as exc:  # disk full, database locked for too long ...
        raise UserError(
            f"database {db}: {exc} (clips imported before this are kept; "
            "run the same import again to continue)"
        ) from None
    finally:
        store.close()
    for line in summary.lines():
        print(line)
    return 0
