"""The store: the one place in earmark that writes SQL.

`Store` (earmark/store/protocol.py) is what callers annotate with; `open_store` gives the
embedded SQLite implementation, `SQLiteStore`, assembled from one mixin per area (clips,
queue, flags, escalations, users, audit) over `StoreBase`, which declares the helpers they
share. Nothing here imports Textual.
"""

from __future__ import annotations

from pathlib import Path

from earmark.clock import SYSTEM, Clock
from earmark.store.audit import AuditMixin
from earmark.store.checks import ChecksMixin
from earmark.store.db import Database
from earmark.store.escalations import EscalationsMixin
from earmark.store.figures import FiguresMixin
from earmark.store.flags import FlagsMixin
from earmark.store.gold import GoldMixin
from earmark.store.protocol import Store
from earmark.store.records import (
    CRITICAL_CATEGORIES,
    FLAG_KINDS,
    SKIP_REASONS,
    STATUSES,
    Clip,
    Draft,
    Flag,
    NewClip,
    Totals,
    Word,
)
from earmark.store.reviews import ReviewsMixin
from earmark.store.slots import SlotsMixin
from earmark.store.users import UsersMixin
from earmark.store.words import WordsMixin
from earmark.wer import edits

__all__ = [
    "CRITICAL_CATEGORIES",
    "FLAG_KINDS",
    "SKIP_REASONS",
    "STATUSES",
    "Clip",
    "Database",
    "Draft",
    "Flag",
    "FlagsMixin",
    "NewClip",
    "SQLiteStore",
    "Store",
    "Totals",
    "Word",
    "open_store",
]


class SQLiteStore(
    SlotsMixin,
    FlagsMixin,
    EscalationsMixin,
    UsersMixin,
    AuditMixin,
    WordsMixin,
    GoldMixin,
    ChecksMixin,
    ReviewsMixin,
    FiguresMixin,
):
    """The embedded backend: one SQLite file per project."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._fill_wer_parts()

    def _fill_wer_parts(self, chunk: int = 5000) -> None:
        """Done clips without their WER parts (submitted before earmark kept them, or by an
        older earmark since): computed once here, so `stats` never recomputes them."""
        while True:
            # INDEXED BY: left to itself the planner walks every done clip by status
            # (a second at a million clips, on every open); the partial index is empty
            # once the parts are filled.
            rows = self.db.query(
                "SELECT id, text, asr FROM clips INDEXED BY clips_wer_missing"
                " WHERE status = 'done' AND wer_words IS NULL"
                f" ORDER BY id LIMIT {int(chunk)}"
            )
            if not rows:
                return
            parts = [(*(edits(r[1], r[2]) if r[1] is not None else (0, 0)), r[0]) for r in rows]
            with self.db.write() as c:
                c.executemany(
                    "UPDATE clips SET wer_edits = ?, wer_words = ? WHERE id = ?"
                    " AND status = 'done' AND wer_words IS NULL",
                    parts,
                )


def _conforms(store: SQLiteStore) -> Store:
    """Never called: mypy checks here that the SQLite backend implements the whole Protocol."""
    return store


def open_store(path: Path | str, *, clock: Clock = SYSTEM, create: bool = True) -> SQLiteStore:
    from earmark.store.postgres import is_postgres, open_postgres

    if is_postgres(path):  # the team backend; its schema is created by `earmark init` only
        return open_postgres(str(path), clock=clock)  # type: ignore[return-value]
    return SQLiteStore(Database(path, clock=clock, create=create))
