"""`earmark import MANIFEST... [--lexicon FILE] [--batch NAME] [--audio-root DIR]`.

Exit 0 when the import ran, even if some lines were refused: the summary names every
refused line, and the good lines are in. Exit 2 (UserError) when the command itself cannot
run: a manifest, lexicon or --audio-root that does not exist or cannot be read.
"""

from __future__ import annotations

from pathlib import Path

from tui.config import db_path
from tui.importing import import_manifests, stderr_is_tty
from tui.store import open_store


def run(args) -> int:
    manifests = [Path(m) for m in args.manifests]
    from tui.manifest import validate_manifests

    validate_manifests(manifests)  # before creating a database for nothing
    store = open_store(db_path(args.db))
    try:
        summary = import_manifests(
            store, manifests,
            lexicon=Path(args.lexicon) if args.lexicon else None,
            batch=args.batch,
            audio_root=Path(args.audio_root) if args.audio_root else None,
            progress=stderr_is_tty(),
        )
        audit = getattr(store, "audit_append", None)
        if audit is not None:
            from tui.config import current_user

            audit(current_user(None), "import", detail={
                "manifests": [m.name for m in manifests], "imported": summary.imported,
                "duplicates": summary.duplicates, "excluded": summary.excluded,
                "unplayable": summary.unplayable, "bad_lines": summary.bad_line_count,
            })
    finally:
        store.close()
    for line in summary.lines():
        print(line)
    return 0
