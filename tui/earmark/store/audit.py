"""The audit log and the play log in the database.

Appending lives in earmark/store/base.py (every area appends); this module reads the chain
back, verifies it, and records plays (an audit line plus the exposure meter's input).
"""

from __future__ import annotations

from collections.abc import Iterator

from earmark import audit
from earmark.store.base import ENTRY_COLUMNS as _ENTRY_COLUMNS
from earmark.store.base import StoreBase
from earmark.store.base import entry_from_row as _entry
from earmark.store.records import Play


class AuditMixin(StoreBase):
    """Reading and verifying the chain; appending is `StoreBase.audit_append`."""

    def audit_entries(self, *, after: int = 0, limit: int | None = None) -> list[audit.Entry]:
        q = f"SELECT {_ENTRY_COLUMNS} FROM audit WHERE seq > ? ORDER BY seq"
        if limit is not None:
            q += f" LIMIT {int(limit)}"
        return [_entry(r) for r in self.db.query(q, (after,))]

    def iter_audit(self, chunk: int = 5000) -> Iterator[audit.Entry]:
        """Every entry in seq order, in chunks so verifying a long log stays flat in memory."""
        last: int | None = None
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
        return (int(row[0]), str(row[1])) if row else (0, audit.GENESIS)

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

    def plays(self, clip_id: int | None = None, user: str | None = None) -> list[Play]:
        q = "SELECT user, clip_id, start, end, speed, at FROM plays WHERE 1=1"
        params: list[object] = []
        if clip_id is not None:
            q += " AND clip_id = ?"
            params.append(clip_id)
        if user is not None:
            q += " AND user = ?"
            params.append(user)
        return [
            Play(user=r[0], clip_id=r[1], start=r[2], end=r[3], speed=r[4], at=r[5])
            for r in self.db.query(q + " ORDER BY id", tuple(params))
        ]
