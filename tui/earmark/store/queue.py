"""The annotator's queue on SQLite: every "which clip next" question, and claims with leases.

Several annotators may share one project file (a few people on one server). A claim is one
BEGIN IMMEDIATE transaction, so claims are taken one at a time and two annotators never get
the same clip; the claim holds a lease that a heartbeat renews while this process runs, and a
lease left to run out (the annotator walked away, the process died) makes the clip claimable
again. A submit on a clip someone else has since claimed is refused (LeaseLost) and the text
kept as the annotator's own draft. PostgreSQL keeps the same rules (store/postgres/queue.py).

What is free to claim: a pending clip, a clip whose lease ran out, or a free extra slot of a
clip in a batch with overlap N (store/slots.py), never a clip the annotator already has a
slot of. Which comes first: the annotator's own clip in progress when it is the nearer one
after the current clip (so a clip passed over with PageDown comes back round), else a clip
whose other slots are done (agreement data arrives early), else the next free clip in import
order, wrapping round to the start.

Each answer is a few index lookups, whatever the project's size: positions and the clip
count come from the last id less the ids removed before it (`clip_gaps`, kept by triggers),
never from counting clips, which at clip 900,000 of a million cost a fifth of a second.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator

from earmark.errors import UserError
from earmark.store.base import StoreBase


class _Peeked(Exception):
    """Raised inside a claim to roll it back (`peek_next`)."""


class LeaseLost(UserError):
    """A submit on a clip whose claim ran out and that another annotator has since taken."""


# Clips in batches with overlap above 1: only those have extra slots.
_OVERLAPPED = "(SELECT id FROM batches WHERE overlap > 1)"
_MINE_EXTRA = "EXISTS (SELECT 1 FROM slots m WHERE m.clip_id = c.id AND m.annotator = :me)"
# What an annotator may page to: their own clips (any slot) and clips nobody has opened.
_PAGEABLE = (
    f" AND c.status != 'unplayable' AND (c.status = 'pending' OR c.annotator = :me"
    f" OR (c.batch_id IN {_OVERLAPPED} AND {_MINE_EXTRA}))"
)


class QueueMixin(StoreBase):
    lease_seconds: float = 300.0

    def clip_count(self) -> int:
        row = self.db.query_one(
            "SELECT m.last - (SELECT count(*) FROM clip_gaps WHERE id < m.last)"
            " FROM (SELECT coalesce(max(id), 0) AS last FROM clips) m"
        )
        return int(row[0]) if row else 0

    def position(self, clip_id: int) -> int:
        """1-based position of a clip in import order."""
        gaps = self.db.scalar("SELECT count(*) FROM clip_gaps WHERE id < ?", (clip_id,))
        return int(clip_id) - int(gaps or 0)

    # -- claiming ---------------------------------------------------------------------------
    def resume_clip(self, annotator: str) -> int | None:
        """The clip this annotator last typed on (newest draft) while still holding it, else
        their oldest clip in progress, else a fresh claim."""
        with self._lease_write() as c:
            row = c.execute(
                "SELECT d.clip_id FROM drafts d JOIN clips c ON c.id = d.clip_id"
                " WHERE d.annotator = :me AND ((c.status = 'in_progress' AND c.annotator = :me)"
                "  OR EXISTS (SELECT 1 FROM slots m WHERE m.clip_id = c.id"
                "   AND m.annotator = :me AND m.state = 'leased'))"
                " ORDER BY d.updated_at DESC, d.clip_id DESC LIMIT 1",
                {"me": annotator},
            ).fetchone()
            found = int(row[0]) if row else self._own(c, annotator, 0, None, ())
            if found is not None:
                self._renew_in(c, found, annotator)
        if found is not None:
            self._hold(found, annotator)
            return found
        return self.next_open(annotator, 0)

    def next_open(self, annotator: str, after: int, *, avoid: Iterable[int] = ()) -> int | None:
        """Claim (or keep) the clip this annotator works on next after `after`; clips in
        `avoid` (routed away for wellbeing) are passed over."""
        skip = tuple(sorted({int(i) for i in avoid}))
        with self._lease_write() as c:
            got = self._pick(c, annotator, int(after), skip)
        if got is not None:
            self._hold(got, annotator)
        return got

    def claim_next(self, annotator: str, *, avoid: Iterable[int] = ()) -> int | None:
        """Claim the next clip (the load test's and scripts' name for next_open(user, 0))."""
        return self.next_open(annotator, 0, avoid=avoid)

    def peek_next(self, annotator: str, after: int, *, avoid: Iterable[int] = ()) -> int | None:
        """The clip `next_open` would give now, left unclaimed: the claim is made and rolled
        back, so the answer follows the same rules without holding a second clip."""
        skip = tuple(sorted({int(i) for i in avoid}))
        got = None
        with self.db._lock:
            if self.db.conn.in_transaction:
                return None  # inside another write its rollback would be that write's too
            with contextlib.suppress(_Peeked), self._lease_write() as c:
                got = self._pick(c, annotator, int(after), skip)
                raise _Peeked  # roll the claim back
        return got

    def _pick(
        self, c: sqlite3.Connection, me: str, after: int, skip: tuple[int, ...]
    ) -> int | None:
        now = self.db.clock.now()
        own = self._own(c, me, after, None, skip)
        free = self._free(c, me, now, after, None, skip)
        if own is not None and (free is None or own < free[0]):
            self._renew_in(c, own, me)
            return own
        best = self._first_done_elsewhere(c, me, now, skip) or free
        if best is None and after:
            own = self._own(c, me, 0, after, skip)
            if own is not None:
                self._renew_in(c, own, me)
                return own
            best = self._free(c, me, now, 0, after, skip)
        if best is None:
            return None
        self._take(c, me, now, *best)
        return best[0]

    def _own(
        self, c: sqlite3.Connection, me: str, lo: int, hi: int | None, skip: tuple[int, ...]
    ) -> int | None:
        """The annotator's first clip in progress (any slot) in (lo, hi)."""
        bound, args = _bounds("id", lo, hi, skip)
        first = c.execute(
            f"SELECT id FROM clips WHERE status = 'in_progress' AND annotator = ?{bound}"
            " ORDER BY id LIMIT 1",
            (me, *args),
        ).fetchone()
        bound, args = _bounds("clip_id", lo, hi, skip)
        extra = c.execute(
            f"SELECT clip_id FROM slots WHERE annotator = ? AND state = 'leased'{bound}"
            " ORDER BY clip_id LIMIT 1",
            (me, *args),
        ).fetchone()
        found = [int(r[0]) for r in (first, extra) if r is not None]
        return min(found) if found else None

    def _free(
        self,
        c: sqlite3.Connection,
        me: str,
        now: float,
        lo: int,
        hi: int | None,
        skip: tuple[int, ...],
    ) -> tuple[int, int] | None:
        """The first slot free to claim in (lo, hi): (clip id, slot number; 1 = the clip)."""
        bound, args = _bounds("c.id", lo, hi, skip)
        named = {f"a{i}": v for i, v in enumerate(args)}
        bound = _named(bound)
        found: list[tuple[int, int]] = []
        for where in ("c.status = 'pending'", "c.status = 'in_progress' AND c.lease_until < :now"):
            row = c.execute(
                f"SELECT c.id FROM clips c WHERE {where} AND coalesce(c.annotator, '') != :me"
                f" AND NOT {_MINE_EXTRA}{bound} ORDER BY c.id LIMIT 1",
                {"me": me, "now": now, **named},
            ).fetchone()
            if row is not None:
                found.append((int(row[0]), 1))
        bound, args = _bounds("s.clip_id", lo, hi, skip)
        row = c.execute(
            "SELECT s.clip_id, s.n FROM slots s INDEXED BY slots_claimable"
            " JOIN clips c ON c.id = s.clip_id"
            " WHERE s.state IN ('open', 'leased') AND s.prio = 0"
            f" AND (s.state = 'open' OR s.lease_until < :now){_named(bound)}"
            f" AND c.status != 'unplayable' AND coalesce(c.annotator, '') != :me"
            f" AND NOT {_MINE_EXTRA.replace('c.id', 's.clip_id')}"
            " ORDER BY s.clip_id LIMIT 1",
            {"me": me, "now": now, **{f"a{i}": v for i, v in enumerate(args)}},
        ).fetchone()
        if row is not None:
            found.append((int(row[0]), int(row[1])))
        return min(found) if found else None

    def _first_done_elsewhere(
        self, c: sqlite3.Connection, me: str, now: float, skip: tuple[int, ...]
    ) -> tuple[int, int] | None:
        """A free extra slot of a clip whose other slots others have finished."""
        bound, args = _bounds("s.clip_id", 0, None, skip)
        row = c.execute(
            "SELECT s.clip_id, s.n FROM slots s INDEXED BY slots_claimable"
            " JOIN clips c ON c.id = s.clip_id"
            " WHERE s.state IN ('open', 'leased') AND s.prio > 0"
            f" AND (s.state = 'open' OR s.lease_until < :now){_named(bound)}"
            " AND c.status != 'unplayable' AND coalesce(c.annotator, '') != :me"
            f" AND NOT {_MINE_EXTRA.replace('c.id', 's.clip_id')}"
            " ORDER BY s.prio DESC, s.clip_id LIMIT 1",
            {"me": me, "now": now, **{f"a{i}": v for i, v in enumerate(args)}},
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def _take(self, c: sqlite3.Connection, me: str, now: float, clip_id: int, n: int) -> None:
        until = now + self.lease_seconds
        if n == 1:
            c.execute(
                "UPDATE clips SET status = 'in_progress', annotator = ?, lease_until = ?,"
                " updated_at = ? WHERE id = ?",
                (me, until, now, clip_id),
            )
        else:
            c.execute(
                "UPDATE slots SET state = 'leased', annotator = ?, lease_until = ?"
                " WHERE clip_id = ? AND n = ?",
                (me, until, clip_id, n),
            )

    def start_clip(self, clip_id: int, annotator: str) -> None:
        """Hold this clip (opened by moving to it): renew the annotator's lease on it, or take
        it if nobody holds it, or take a free extra slot of it. A clip the annotator finished
        is reopened without a claim; one someone else holds is left to them."""
        now = self.db.clock.now()
        with self._lease_write() as c:
            if self._renew_in(c, clip_id, annotator):
                held = True
            else:
                held = self._claim_named(c, clip_id, annotator, now)
        if held:
            self._hold(clip_id, annotator)

    def _claim_named(self, c: sqlite3.Connection, clip_id: int, me: str, now: float) -> bool:
        row = c.execute(
            "SELECT status, annotator, lease_until FROM clips WHERE id = ?", (clip_id,)
        ).fetchone()
        if row is None or row[0] == "unplayable":
            return False
        if c.execute(
            "SELECT 1 FROM slots WHERE clip_id = ? AND annotator = ?", (clip_id, me)
        ).fetchone():
            return False  # their extra slot, finished: reopened, not claimed
        lapsed = row[0] == "in_progress" and row[2] is not None and row[2] < now
        if row[0] == "pending" or (lapsed and row[1] != me):
            self._take(c, me, now, clip_id, 1)
            return True
        if row[1] == me:
            return False
        free = c.execute(
            "SELECT n FROM slots WHERE clip_id = ? AND (state = 'open'"
            " OR (state = 'leased' AND lease_until < ?)) ORDER BY n LIMIT 1",
            (clip_id, now),
        ).fetchone()
        if free is None:
            return False
        self._take(c, me, now, clip_id, int(free[0]))
        return True

    def holds(self, clip_id: int, annotator: str) -> bool:
        """Whether `annotator` holds the clip now (its first slot or an extra one)."""
        row = self.db.query_one(
            "SELECT 1 FROM clips WHERE id = :c AND status = 'in_progress' AND annotator = :me"
            " UNION ALL SELECT 1 FROM slots WHERE clip_id = :c AND annotator = :me"
            " AND state = 'leased'",
            {"c": clip_id, "me": annotator},
        )
        return row is not None

    # -- moving around ------------------------------------------------------------------------
    def neighbour_playable(
        self, clip_id: int, step: int, annotator: str | None = None
    ) -> int | None:
        """The previous/next playable clip in import order; for an annotator, only their own
        clips and clips nobody has opened: never another annotator's clip in progress."""
        op, order = (">", "") if step > 0 else ("<", " DESC")
        mine = _PAGEABLE if annotator else " AND c.status != 'unplayable'"
        found = self.db.scalar(
            f"SELECT c.id FROM clips c WHERE c.id {op} :id{mine} ORDER BY c.id{order} LIMIT 1",
            {"id": clip_id, "me": annotator},
        )
        return None if found is None else int(found)

    def last_playable(self, annotator: str | None = None) -> int | None:
        """The last playable clip in import order (for an annotator: as neighbour_playable)."""
        mine = _PAGEABLE if annotator else " AND c.status != 'unplayable'"
        found = self.db.scalar(
            f"SELECT c.id FROM clips c WHERE 1{mine} ORDER BY c.id DESC LIMIT 1",
            {"me": annotator},
        )
        return None if found is None else int(found)

    def unplayable_between(self, low: int, high: int) -> list[tuple[int, str]]:
        """Unplayable clips strictly between two ids: (id, reason), in import order."""
        return [
            (int(r[0]), str(r[1] or "unplayable"))
            for r in self.db.query(
                "SELECT id, skip_reason FROM clips"
                " WHERE status = 'unplayable' AND id > ? AND id < ?"
                " ORDER BY id LIMIT 1000",
                (low, high),
            )
        ]

    # -- leases held by this process -----------------------------------------------------------
    @contextlib.contextmanager
    def _lease_write(self) -> Iterator[sqlite3.Connection]:
        """A write of leases only: soft state (after a crash a claim is simply open again),
        so its commit does not wait for the disk (synchronous=NORMAL in WAL mode, for this
        transaction alone) and the file's one write lock is held for microseconds, not for a
        disk flush: claims from many annotators do not queue behind each other's fsync."""
        with self.db._lock:
            if self.db.conn.in_transaction:
                with self.db.write() as c:
                    yield c
                return
            self.db.conn.execute("PRAGMA synchronous=NORMAL")
            try:
                with self.db.write() as c:
                    yield c
            finally:
                self.db.conn.execute("PRAGMA synchronous=FULL")

    def _renew_in(self, c: sqlite3.Connection, clip_id: int, me: str) -> bool:
        until = self.db.clock.now() + self.lease_seconds
        first = c.execute(
            "UPDATE clips SET lease_until = ? WHERE id = ? AND status = 'in_progress'"
            " AND annotator = ?",
            (until, clip_id, me),
        ).rowcount
        extra = c.execute(
            "UPDATE slots SET lease_until = ? WHERE clip_id = ? AND annotator = ?"
            " AND state = 'leased'",
            (until, clip_id, me),
        ).rowcount
        return bool(first or extra)

    def _leases(self) -> dict[int, str]:
        held: dict[int, str] | None = self.__dict__.get("_held_leases")
        if held is None:
            held = self.__dict__["_held_leases"] = {}
        return held

    def _hold(self, clip_id: int, annotator: str) -> None:
        self._leases()[clip_id] = annotator
        if self.__dict__.get("_beat") is None:
            beat = self.__dict__["_beat"] = threading.Event()
            threading.Thread(
                target=self._heartbeat, args=(beat,), name="earmark-lease", daemon=True
            ).start()

    def _heartbeat(self, beat: threading.Event) -> None:
        """Renew this process's leases every third of a lease while it runs."""
        while not beat.wait(max(1.0, self.lease_seconds / 3)):
            for clip_id, me in list(self._leases().items()):
                with contextlib.suppress(sqlite3.Error), self._lease_write() as c:
                    if not self._renew_in(c, clip_id, me):
                        self._leases().pop(clip_id, None)

    def forget(self, clip_id: int) -> None:
        """Stop renewing this clip's lease (finished, or lost to someone else)."""
        self._leases().pop(clip_id, None)

    def close(self) -> None:
        beat = self.__dict__.get("_beat")
        if beat is not None:
            beat.set()
        with self.db._lock:  # a renewal under way finishes before the connection closes
            super().close()


def _bounds(
    col: str, lo: int, hi: int | None, skip: tuple[int, ...]
) -> tuple[str, tuple[int, ...]]:
    """SQL for `col` in (lo, hi) and not in `skip`, with its positional arguments."""
    sql = f" AND {col} > ?"
    args: tuple[int, ...] = (lo,)
    if hi is not None:
        sql += f" AND {col} < ?"
        args += (hi,)
    if skip:
        sql += f" AND {col} NOT IN ({','.join('?' * len(skip))})"
        args += skip
    return sql, args


def _named(sql: str) -> str:
    """The same condition with named placeholders :a0, :a1, ... (to mix with :me, :now)."""
    parts = sql.split("?")
    return "".join(p + (f":a{i}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))
