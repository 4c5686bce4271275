"""What every part of the PostgreSQL store shares: the database, the lease length, and the
rule that the acting user is the authenticated one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from earmark import audit
from earmark.clock import Clock
from earmark.errors import UserError
from earmark.store.postgres.db import PgDatabase
from earmark.store.records import Play

LEASE_SECONDS = 300.0
_ENTRY = "seq, at, actor, action, clip, detail, prev_hash, hash"


class PgBase:
    db: PgDatabase
    lease_seconds: float = LEASE_SECONDS

    @property
    def clock(self) -> Clock:
        return self.db.clock

    @property
    def secret(self) -> bytes:
        """The pseudonym key: PostgreSQL lets only leads read it."""
        return self.db.secret

    @property
    def location(self) -> str:
        """The database, without any password."""
        return self.db.path

    @property
    def me(self) -> str:
        return self.db.user

    def _as(self, name: str | None) -> str:
        """The authenticated user; a different name asked for is refused, never adopted."""
        if name is not None and name not in (self.db.user, self.db.login):
            raise UserError(
                f"on PostgreSQL you are {self.db.user}, as PostgreSQL authenticated you:"
                f" earmark cannot act as {name} (--user is refused here)"
            )
        return self.db.user

    # -- roles and routing, as PostgreSQL sees them ----------------------------------------
    def _is_staff(self) -> bool:
        row = self.db.query_one("SELECT is_staff() AS s")
        return bool(row and row["s"])

    def exposure_seconds(self, user: str, since: float) -> float:
        """Listening time since `since` on clips flagged distressing or escalated."""
        row = self.db.query_one(
            'SELECT COALESCE(sum((p."end" - p.start) / p.speed), 0) AS s FROM plays p'
            " WHERE p.who = %s AND p.at >= %s AND p.clip_id IN (SELECT clip_id FROM flags"
            "  WHERE kind IN ('distressing','escalation') AND state = 'active')",
            (user, since),
        )
        return float(row["s"]) if row else 0.0

    def routed_away_clip_ids(self, user: str, *, at_hard_limit: bool) -> set[int]:
        """Clips flagged by others with a category this user opted out of, or (at the hard
        exposure limit) flagged distressing or escalated at all."""
        rows = self.db.query(
            "SELECT DISTINCT f.clip_id FROM flags f WHERE f.state = 'active'"
            " AND f.raised_by <> %(u)s AND f.kind IN ('distressing','escalation') AND ("
            "   %(hard)s OR f.category IN (SELECT category FROM opt_outs WHERE who = %(u)s)"
            "   OR (f.kind = 'distressing' AND EXISTS (SELECT 1 FROM opt_outs"
            "       WHERE who = %(u)s AND category = 'distressing')))",
            {"u": user, "hard": bool(at_hard_limit)},
        )
        return {int(r["clip_id"]) for r in rows}

    # -- the audit log: appends only through the server's function -------------------------
    def _clip_name(self, clip: int | str | None) -> str | None:
        if clip is None or isinstance(clip, str):
            return clip
        row = self.db.query_one("SELECT name FROM clips WHERE id = %s", (clip,))
        return row["name"] if row else f"#{clip}"

    def audit_append(
        self,
        actor: str,
        action: str,
        clip: int | str | None = None,
        detail: Mapping[str, Any] | str | None = None,
    ) -> int:
        """Append one entry as the authenticated user (in the caller's transaction if open).

        The server takes the actor from the session and the time from its own clock, and
        links the entry into the chain under a lock (functions.py); the client only names
        the action and its detail. Returns the entry's place in the append queue."""
        self._as(actor)
        if isinstance(detail, str):
            detail = {"info": detail[:200]}
        body = audit.check_detail(detail)
        with self.db.tx() as c:
            row = c.execute(
                "SELECT audit_append(%s, %s, %s) AS seq", (action, self._clip_name(clip), body)
            ).fetchone()
            assert row is not None
            return int(row["seq"])

    def audit_flush(self) -> None:
        """Link every queued entry into the chain (readers see the whole log)."""
        self.db.query_one("SELECT audit_link(true) AS n")

    def audit_entries(self, *, after: int = 0, limit: int | None = None) -> list[audit.Entry]:
        if after == 0:
            self.audit_flush()
        q = f"SELECT {_ENTRY} FROM audit WHERE seq > %s ORDER BY seq"
        if limit is not None:
            q += f" LIMIT {int(limit)}"
        return [audit.Entry(**r) for r in self.db.query(q, (after,))]

    def iter_audit(self, chunk: int = 5000) -> Iterator[audit.Entry]:
        last = 0
        while True:
            rows = self.audit_entries(after=last, limit=chunk)
            if not rows:
                return
            yield from rows
            last = rows[-1].seq

    def audit_verify(self, expect: tuple[int, str] | None = None) -> audit.Verdict:
        return audit.verify(self.iter_audit(), expect=expect)

    def audit_head(self) -> tuple[int, str]:
        self.audit_flush()
        row = self.db.query_one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        return (int(row["seq"]), str(row["hash"])) if row else (0, audit.GENESIS)

    # -- plays: audit line plus the exposure meter's input --------------------------------
    def log_play(
        self, user: str, clip_id: int, start: float, end: float, speed: float = 1.0
    ) -> None:
        self._as(user)
        start, end, speed = float(start), float(end), float(speed)
        if end < start:
            start, end = end, start
        if end - start <= 0:
            return
        with self.db.tx() as c:
            c.execute(
                'INSERT INTO plays(clip_id, start, "end", speed, at) VALUES (%s,%s,%s,%s,%s)',
                (clip_id, start, end, speed or 1.0, self.db.clock.now()),
            )
            self.audit_append(
                user,
                "play",
                clip_id,
                {"start": round(start, 3), "end": round(end, 3), "speed": round(speed, 3)},
            )

    def plays(self, clip_id: int | None = None, user: str | None = None) -> list[Play]:
        q = 'SELECT who AS user, clip_id, start, "end", speed, at FROM plays WHERE true'
        params: list[Any] = []
        if clip_id is not None:
            q += " AND clip_id = %s"
            params.append(clip_id)
        if user is not None:
            q += " AND who = %s"
            params.append(user)
        return self.db.query(q + " ORDER BY id", params)  # type: ignore[return-value]
