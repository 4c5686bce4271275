"""What every part of the SQLite store shares: its database, transactions, users, the audit line.

Each area of the store (clips, queue, flags, escalations, users, audit) is a mixin over
`StoreBase`, so the helpers they all lean on are declared once, with their types, instead
of being methods one mixin hopes another provides. A step that must commit with its caller
(an audit line with a submit, a user registered by their first action) takes the caller's
open transaction through `_tx()`; see `Database.transaction`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

from earmark import audit
from earmark.clock import Clock
from earmark.store.db import Database

ENTRY_COLUMNS = "seq, at, actor, action, clip, detail, prev_hash, hash"


def entry_from_row(row: sqlite3.Row | tuple[Any, ...]) -> audit.Entry:
    return audit.Entry(*row)


class StoreBase:
    """The database plus the helpers every area of the store uses."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def clock(self) -> Clock:
        return self.db.clock

    @property
    def secret(self) -> bytes:
        """The per-database key behind clip pseudonyms (never leaves the database)."""
        return self.db.secret

    @property
    def location(self) -> str:
        """Where the project lives, for messages: the database file's path."""
        return str(self.db.path)

    def close(self) -> None:
        self.db.close()

    def stay_open(self) -> None:
        self.db.checkpoint_in_background()

    def bulk(self) -> contextlib.AbstractContextManager[None]:
        """Many add_clips calls follow (an import): write them in large steps when nobody
        else has the project open. See Database.bulk."""
        return self.db.bulk()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """The open write transaction of this thread if any, else a new one."""
        with self.db.transaction() as c:
            yield c

    # -- users: every actor is a user of the database ----------------------------------
    def ensure_user(self, name: str) -> str:
        """The user's role, registering them first if new: the very first user is lead."""
        with self._tx() as c:
            return self._ensure_user(c, name)

    def _ensure_user(self, c: sqlite3.Connection, name: str) -> str:
        """The user's role, registering them first if new: the very first user is lead."""
        row = c.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
        if row:
            return str(row[0])
        first = c.execute("SELECT 1 FROM users LIMIT 1").fetchone() is None
        role = "lead" if first else "annotator"
        c.execute(
            "INSERT INTO users(name, role, joined_at) VALUES (?,?,?)",
            (name, role, self.db.clock.now()),
        )
        self.audit_append(name, "user_join", None, {"role": role, "first_user": first})
        return role

    # -- the audit line ------------------------------------------------------------------
    def _clip_pseudonym(self, c: sqlite3.Connection, clip: int | str | None) -> str | None:
        if clip is None or isinstance(clip, str):
            return clip
        row = c.execute("SELECT name FROM clips WHERE id = ?", (clip,)).fetchone()
        return str(row[0]) if row else f"#{clip}"

    def audit_append(
        self,
        actor: str,
        action: str,
        clip: int | str | None = None,
        detail: Mapping[str, Any] | str | None = None,
    ) -> int:
        """Append one entry; `clip` is a clip id or pseudonym. Returns the entry's seq.

        Joins the caller's open write transaction when there is one (so a submit and its
        audit line commit or roll back together). Appends are serialised by SQLite's write
        lock (BEGIN IMMEDIATE), so two processes on one database file cannot fork the chain.
        Every actor is a user of the database: the first one ever becomes its lead (so the
        person who imports the clips leads, not the first annotator to submit)."""
        if isinstance(detail, str):
            detail = {"info": detail[:200]}
        with self._tx() as c:
            self._ensure_user(c, actor)
            row = c.execute(
                f"SELECT {ENTRY_COLUMNS} FROM audit ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            entry = audit.make_entry(
                entry_from_row(row) if row else None,
                now=self.db.clock.now(),
                actor=actor,
                action=action,
                clip=self._clip_pseudonym(c, clip),
                detail=detail,
            )
            c.execute(
                f"INSERT INTO audit({ENTRY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                (
                    entry.seq,
                    entry.at,
                    entry.actor,
                    entry.action,
                    entry.clip,
                    entry.detail,
                    entry.prev_hash,
                    entry.hash,
                ),
            )
            return entry.seq
