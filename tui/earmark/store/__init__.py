"""The SQLite store: the one place in earmark that writes SQL.

`Store` is assembled from one mixin per area (clips, escalations, audit, ...) so that each
area's queries live in a small module of their own. Nothing here imports Textual.
"""

from __future__ import annotations

from pathlib import Path

from earmark.clock import SYSTEM, Clock
from earmark.store.audit import AuditMixin
from earmark.store.clips import SKIP_REASONS, STATUSES, Clip, ClipsMixin, Draft, NewClip, Word
from earmark.store.db import Database
from earmark.store.escalations import EscalationsMixin
from earmark.store.flags import CRITICAL_CATEGORIES, FLAG_KINDS, Flag, FlagsMixin
from earmark.store.queue import QueueMixin
from earmark.store.users import UsersMixin
from earmark.store.words import WordsMixin

__all__ = [
    "CRITICAL_CATEGORIES",
    "FLAG_KINDS",
    "Flag",
    "FlagsMixin",
    "SKIP_REASONS",
    "STATUSES",
    "Clip",
    "Database",
    "Draft",
    "NewClip",
    "Store",
    "Word",
    "open_store",
]


class Store(
    ClipsMixin, FlagsMixin, QueueMixin, EscalationsMixin, UsersMixin, AuditMixin, WordsMixin
):
    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def clock(self) -> Clock:
        return self.db.clock

    def close(self) -> None:
        self.db.close()


def open_store(path: Path | str, *, clock: Clock = SYSTEM, create: bool = True) -> Store:
    return Store(Database(path, clock=clock, create=create))
