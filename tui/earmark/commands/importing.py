"""`earmark import MANIFEST... [--lexicon FILE] [--batch NAME] [--audio-root DIR] ...`.

Exit 0 when the import ran, even if some lines were refused: the summary names every
refused line, and the good lines are in. Exit 2 (UserError) when the command itself cannot
run: a manifest, lexicon or --audio-root that does not exist or cannot be read. Those are
checked before the database is opened, so a typo never leaves an empty database behind.
An import cut short (Ctrl-C, a full disk) is audited too, with what it had done, so the
log never shows clips that nobody imported.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
from pathlib import Path

from earmark.commands.batch import changes as batch_flags
from earmark.config import current_user, db_path
from earmark.errors import UserError
from earmark.importing import ImportSummary, check_inputs, import_manifests, stderr_is_tty
from earmark.store import Store, open_store


def run(args: argparse.Namespace) -> int:
    manifests = [Path(m) for m in args.manifests]
    lexicon = Path(args.lexicon) if args.lexicon else None
    audio_root = Path(args.audio_root) if args.audio_root else None
    check_inputs(manifests, lexicon=lexicon, audio_root=audio_root, batch=args.batch)
    settings = batch_flags(args)
    actor = current_user(getattr(args, "user", None))
    db = db_path(args.db)
    store = open_store(db)
    summary = ImportSummary()
    try:
        if settings:
            _set_batches(store, actor, [args.batch or m.name for m in manifests], settings)
        import_manifests(
            store,
            manifests,
            lexicon=lexicon,
            batch=args.batch,
            audio_root=audio_root,
            progress=stderr_is_tty(),
            new_key=bool(getattr(args, "new_key", False)),
            require_consent=bool(getattr(args, "require_consent", False)),
            actor=actor,
            summary=summary,
        )
    except sqlite3.OperationalError as exc:  # disk full, database locked for too long ...
        if "readonly" in str(exc).lower():
            raise  # the command line says read-only in its one line
        raise UserError(
            f"database {db}: {exc} (clips imported before this are kept; "
            "run the same import again to continue)"
        ) from None
    finally:
        _audit(store, actor, manifests, summary)
        store.close()
    for line in summary.lines():
        print(line)
    if summary.bad_line_count and not (summary.imported or summary.duplicates or summary.excluded):
        # a script must not take "every line refused" for success
        print("earmark: nothing imported: every line was refused (reasons above)", file=sys.stderr)
        return 1
    return 0


def _set_batches(
    store: Store, actor: str, names: list[str], settings: dict[str, int | float]
) -> None:
    """Create each batch with the settings given before any clip goes in (a clip's slots
    follow its batch's overlap); only a lead may set them on a batch."""
    store.ensure_user(actor)
    for name in dict.fromkeys(names):
        store.batch_id(name)
        store.set_batch_settings(name, actor=actor, **settings)


def _audit(store: Store, actor: str, manifests: list[Path], summary: ImportSummary) -> None:
    """The import's audit entry, complete or cut short; a disk too full to take it is the
    one case that cannot be logged, and the error already says so."""
    detail = {
        "manifests": [m.name for m in manifests],
        "batch": summary.batches,
        "imported": summary.imported,
        "duplicates": summary.duplicates,
        "excluded": summary.excluded,
        "purged": summary.purged,
        "unplayable": summary.unplayable,
        "bad_lines": summary.bad_line_count,
        "complete": summary.complete,
    }
    with contextlib.suppress(sqlite3.Error):
        store.audit_append(actor, "import", detail=detail)
