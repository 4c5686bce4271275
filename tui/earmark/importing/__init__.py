"""`earmark import`: manifests in, clips out (see `importer` for the loop).

The pieces: `summary` (what an import did), `lines` (reading and checking each line, no
store), `apart` (the same in a reader process, for a big manifest), `importer` (lines to
clips in chunks, probing, consent and purge), `progress` (the bar on stderr). This module
is the entry point: checks of the command as a whole, the pseudonym key, and naming the
importer lead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from earmark.config import current_user
from earmark.errors import UserError
from earmark.importing.importer import Importer
from earmark.importing.progress import progress_for, stderr_is_tty
from earmark.importing.summary import ImportSummary
from earmark.manifest import load_key, read_lexicon, validate_manifests

__all__ = [
    "ImportSummary",
    "check_inputs",
    "import_manifests",
    "pseudonym_key",
    "stderr_is_tty",
]


def pseudonym_key(store: Any, *, create: bool = False, new_key: bool = False) -> bytes:
    """The project's pseudonym key: a 0600 file beside a SQLite database (see
    earmark/manifest/pseudonyms.py); on PostgreSQL a table only leads may read."""
    from earmark.store.db import Database

    if isinstance(store.db, Database):
        return load_key(store.db, create=create, new_key=new_key)
    return bytes(store.secret)


def check_inputs(
    manifests: Sequence[Path],
    *,
    lexicon: Path | None = None,
    audio_root: Path | None = None,
    batch: str | None = None,
) -> list[str] | None:
    """Whole-command checks (UserError); returns the lexicon's terms if one was given."""
    validate_manifests([Path(m) for m in manifests])
    if audio_root is not None and not Path(audio_root).is_dir():
        raise UserError(f"--audio-root {audio_root} is not a folder")
    if batch is not None and not batch.strip():
        raise UserError("--batch must not be empty")
    return read_lexicon(Path(lexicon)) if lexicon is not None else None


def import_manifests(
    store: Any,
    manifests: Sequence[Path],
    *,
    lexicon: Path | None = None,
    batch: str | None = None,
    audio_root: Path | None = None,
    progress: bool = False,
    new_key: bool = False,
    require_consent: bool = False,
    actor: str | None = None,
    summary: ImportSummary | None = None,
) -> ImportSummary:
    """Import each manifest into `store`; bad lines are reported in the summary, not raised.

    UserError only for problems with the command as a whole: a manifest or lexicon that is
    missing or unreadable, an --audio-root that is not a folder, a CSV without an audio column.
    """
    manifests = [Path(m) for m in manifests]
    audio_root = Path(audio_root) if audio_root is not None else None
    terms = check_inputs(manifests, lexicon=lexicon, audio_root=audio_root, batch=batch)

    summary = summary if summary is not None else ImportSummary()
    actor = actor or current_user(None)
    # The importer is a user before any clip is in: a database never holds clips and no one.
    store.ensure_user(actor)
    importer = Importer(
        store,
        summary,
        pseudonym_key(store, create=True, new_key=new_key),
        actor=actor,
        require_consent=require_consent,
    )
    try:
        # store.bulk(): large write steps when the project is not open elsewhere (see
        # earmark/store/db.py): writes stay near the database's size and the per-clip cost
        # flat at a million clips.
        bulk = getattr(store, "bulk", None)  # PostgreSQL writes as it goes
        with bulk() if bulk is not None else contextlib.nullcontext():
            for manifest in manifests:
                name = batch or manifest.name
                with progress_for(manifest, progress) as tick:
                    importer.run(manifest, name, audio_root, tick)
    finally:
        summary.dropped_fields = dict(importer.dropped)
    if terms is not None:
        batch_id = store.batch_id(batch) if batch else None
        summary.lexicon_terms = store.add_lexicon(batch_id, terms)
    name_lead = getattr(store, "name_lead_if_none", None)  # PostgreSQL: roles are logins
    if name_lead is not None:
        name_lead(actor)
    summary.complete = True
    return summary
