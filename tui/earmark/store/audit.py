"""The audit log and the play log in the database.

`audit_append` joins the caller's open write transaction when there is one (so a submit and
its audit line commit or roll back together) and opens its own otherwise. Appends are
serialised by SQLite's write lock (BEGIN IMMEDIATE), so two processes on one database file
cannot fork the chain.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping

from earmark import audit
from earmark.store.db import Database

_ENTRY_COLUMNS = "seq, at, actor, action, clip, detail, prev_hash, hash"


def _entry(row) -> audit.Entry:
    return audit.Entry(*row)


class AuditMixin:
    db: Database

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """The open write transaction of this thread if any, else a new one."""
        with self.db._lock:
            if self.db.conn.in_transaction:
                yield self.db.conn
            else:
                with self.db.write() as c:
                    yield c

    def _clip_pseudonym(self, c: sqlite3.Connection, clip: int | str | None) -> str | None:
        if clip is None or isinstance(clip, str):
            return clip
        row = c.execute("SELECT name FROM clips WHERE id = ?", (clip,)).fetchone()
        return row[0] if row else f"#{clip}"

    def audit_append(
        self, actor: str, action: str, clip: int | str | None = None, detail: Mapping | None = None
    ) -> int:
        """Append one entry; `clip` is a clip id or pseudonym. Returns the entry's seq.

        Every actor is a user of the database: the first one ever becomes its lead (so the
        person who imports the clips leads, not the first annotator to submit)."""
        if isinstance(detail, str):
            detail = {"info": detail[:200]}
        with self._tx() as c:
            self._ensure_user(c, actor)
            row = c.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM audit ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            entry = audit.make_entry(
                _entry(row) if row else None,
                now=self.db.clock.now(),
                actor=actor,
                action=action,
                clip=self._clip_pseudonym(c, clip),
                detail=detail,
            )
            c.execute(
                f"INSERT INTO audit({_ENTRY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
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

    def audit_entries(self, *, after: int = 0, limit: int | None = None) -> list[audit.Entry]:
        q = f"SELECT {_ENTRY_COLUMNS} FROM audit WHERE seq > ? ORDER BY seq"
        if limit is not None:
            q += f" LIMIT {int(limit)}"
        return [_entry(r) for r in self.db.query(q, (after,))]

    def iter_audit(self, chunk: int = 5000) -> Iterator[audit.Entry]:
        """Every entry in seq order, in chunks so verifying a long log stays flat in memory."""
        last = None
        while True:
            if last is None:
                rows = self.db.query(
                    f"SELECT {_ENTRY_COLUMNS} FROM audit ORDER BY seq LIMIT {chunk}"
                )
            else:
                rows = self.db.query(
                    f"SELECT {_ENTRY_COLUMNS} FROM audit WHERE seq > ? ORDER BY seq LIMIT {chunk}",
                    (last,),
                )
            if not rows:
                return
            for r in rows:
                yield _entry(r)
            last = rows[-1][0]

    def audit_verify(self, expect: tuple[int, str] | None = None) -> audit.Verdict:
        return audit.verify(self.iter_audit(), expect=expect)

    def audit_head(self) -> tuple[int, str]:
        row = self.db.query_one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        return (row[0], row[1]) if row else (0, audit.GENESIS)

    # -- plays: audit line plus the exposure meter's input ----------------------------
    def log_play(
        self, user: str, clip_id: int, start: float, end: float, speed: float = 1.0
    ) -> None:
        """One stretch of playback heard by `user` (seconds into the clip, at `speed`)."""
        start, end, speed = float(start), float(end), float(speed)
        if end < start:
            start, end = end, start
        if end - start <= 0:
            return
        with self._tx() as c:
            c.execute(
                "INSERT INTO plays(user, clip_id, start, end, speed, at) VALUES (?,?,?,?,?,?)",
                (user, clip_id, start, end, speed or 1.0, self.db.clock.now()),
            )
            self.audit_append(
                user,
                "play",
                clip_id,
                {"start": round(start, 3), "end": round(end, 3), "speed": round(speed, 3)},
            )

    def plays(self, clip_id: int | None = None, user: str | None = None) -> list[sqlite3.Row]:
        q, params = "SELECT user, clip_id, start, end, speed, at FROM plays WHERE 1=1", []
        if clip_id is not None:
            q += " AND clip_id = ?"
            params.append(clip_id)
        if user is not None:
            q += " AND user = ?"
            params.append(user)
        return self.db.query(q + " ORDER BY id", tuple(params))
