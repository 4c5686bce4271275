"""The shared queue on PostgreSQL: claims, leases, submits on a held slot, waking idle users.

A claim is one statement on the server (`claim()` in functions.py): the user's own live
lease first, else `UPDATE slots ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1)`,
so fifty annotators pressing Enter at once get fifty different slots and never wait on each
other's row locks. UNIQUE (clip_id, annotator) means nobody holds two slots of one clip.
While this process runs, a heartbeat renews the leases it claimed; a lease left to run out
(the annotator walked away, the process died) makes the slot claimable again, and a submit
on a slot someone else has since taken is refused with the text kept as a draft.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import psycopg

from earmark import audit
from earmark.errors import UserError
from earmark.store.postgres.clips import PgClipsMixin
from earmark.store.queue import LeaseLost
from earmark.wer import edits

WORK_LOOK = 0.25  # seconds between two looks for a notice that came while nothing read


class PgQueueMixin(PgClipsMixin):
    _held: set[int]
    _beat: threading.Event | None = None
    _listening: bool = False

    # -- claiming -------------------------------------------------------------------------
    def next_open(self, annotator: str, after: int, *, avoid: Iterable[int] = ()) -> int | None:
        """Claim (or keep) a clip for this annotator: their own live lease other than
        `after` first, else the best free slot. Routing for wellbeing applies here, and
        clips in `avoid` are passed over."""
        got = self._claim(annotator, after, avoid, self.db.query_one)
        if got is not None:
            self._hold(got)
        return got

    def claim_next(self, annotator: str, *, avoid: Iterable[int] = ()) -> int | None:
        """Claim the next clip (the load test's and scripts' name for next_open(user, 0))."""
        return self.next_open(annotator, 0, avoid=avoid)

    def peek_next(self, annotator: str, after: int, *, avoid: Iterable[int] = ()) -> int | None:
        """The clip `next_open` would give now, left unclaimed: `claim()` runs in a
        transaction that is rolled back (the same rules, no second clip held)."""
        return self._claim(annotator, after, avoid, self.db.trial_one)

    def _claim(
        self,
        annotator: str,
        after: int,
        avoid: Iterable[int],
        ask: Callable[[str, tuple[Any, ...]], dict[str, Any] | None],
    ) -> int | None:
        """The server's `claim()` for this annotator, asked through `ask` (a query that
        commits, or one rolled back)."""
        from earmark.wellbeing import start_of_day

        self._as(annotator)
        now = self.db.clock.now()
        row = ask(
            "SELECT claim(%s, %s, %s, %s::bigint[], %s) AS clip",
            (now, self.lease_seconds, int(after), sorted(set(avoid)), start_of_day(now)),
        )
        got = row["clip"] if row else None
        return int(got) if got is not None else None

    def forget(self, clip_id: int) -> None:
        """Stop renewing this clip's lease from this process (it runs out like a dead one's)."""
        self._held.discard(clip_id)

    def resume_clip(self, annotator: str) -> int | None:
        """The clip this annotator last typed on (newest draft) while still holding it, else
        their oldest live lease, else a fresh claim."""
        self._as(annotator)
        row = self.db.query_one(
            "SELECT d.clip_id FROM drafts d JOIN slots s ON s.clip_id = d.clip_id"
            " AND s.annotator = session_user AND s.state = 'leased'"
            " WHERE d.annotator = session_user ORDER BY d.updated_at DESC LIMIT 1"
        )
        if row:
            self._renew(int(row["clip_id"]))
            return int(row["clip_id"])
        return self.next_open(annotator, 0)

    def start_clip(self, clip_id: int, annotator: str) -> None:
        """Hold this clip: renew the lease, or take a free slot of it if there is one."""
        self._as(annotator)
        row = self.db.query_one(
            "SELECT claim_clip(%s, %s, %s) AS ok",
            (clip_id, self.db.clock.now(), self.lease_seconds),
        )
        if row and row["ok"]:
            self._hold(clip_id)

    def holds(self, clip_id: int, annotator: str | None = None) -> bool:
        """Whether this user holds a live lease on the clip now."""
        self._as(annotator)
        row = self.db.query_one(
            "SELECT 1 AS x FROM slots WHERE clip_id = %s AND annotator = session_user"
            " AND state = 'leased' AND lease_until >= %s",
            (clip_id, self.db.clock.now()),
        )
        return row is not None

    # -- finishing --------------------------------------------------------------------------
    def submit(self, clip_id: int, text: str, annotator: str, seconds: float) -> None:
        self._finish(clip_id, "done", text, None, annotator, seconds)

    def skip(self, clip_id: int, reason: str, annotator: str, seconds: float) -> None:
        self._finish(clip_id, "skipped", None, reason, annotator, seconds)

    def _finish(
        self,
        clip_id: int,
        state: str,
        text: str | None,
        reason: str | None,
        annotator: str,
        seconds: float,
    ) -> None:
        self._as(annotator)
        detail: dict[str, Any] = {"seconds": round(seconds, 3), "reopened": False}
        if state == "done":
            detail["word_count"] = len((text or "").split())
        else:
            detail["reason"] = reason
        again = audit.check_detail({**detail, "reopened": True})
        wer: tuple[int | None, int | None] = (None, None)
        if text is not None:
            asr = self.db.query_one("SELECT asr FROM clips WHERE id = %s", (clip_id,))
            wer = edits(text, asr["asr"]) if asr else (None, None)
        row = self.db.query_one(
            "SELECT submit_slot(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) AS ok",
            (
                clip_id,
                state,
                text,
                reason,
                seconds,
                self.db.clock.now(),
                audit.check_detail(detail),
                again,
                *wer,
            ),
        )
        if row and row["ok"]:
            self._held.discard(clip_id)
            return
        if text is not None:  # keep what was typed: the annotator's own draft
            self.save_draft(clip_id, annotator, text, len(text), seconds)
        self._held.discard(clip_id)
        raise LeaseLost(
            f"not saved as submitted: your hold on this clip ran out and another annotator"
            f" took it; your text is kept as your draft (clip {self.position(clip_id)})"
        )

    # -- moving around ----------------------------------------------------------------------
    def neighbour_playable(
        self, clip_id: int, step: int, annotator: str | None = None
    ) -> int | None:
        """Previous/next playable clip among the viewer's own slots (staff: every clip), so
        an annotator never pages into a clip someone else is working on."""
        mine = "" if self._is_staff() else " AND id IN (SELECT clip_id FROM slots"
        mine += "" if self._is_staff() else " WHERE annotator = session_user)"
        op, order = (">", "") if step > 0 else ("<", " DESC")
        row = self.db.query_one(
            f"SELECT id FROM clips WHERE id {op} %s AND unplayable_reason IS NULL{mine}"
            f" ORDER BY id{order} LIMIT 1",
            (clip_id,),
        )
        return int(row["id"]) if row else None

    def last_playable(self, annotator: str | None = None) -> int | None:
        """The last playable clip: among the viewer's own slots (staff: every clip)."""
        mine = "" if self._is_staff() else " AND id IN (SELECT clip_id FROM slots"
        mine += "" if self._is_staff() else " WHERE annotator = session_user)"
        row = self.db.query_one(
            f"SELECT max(id) AS id FROM clips WHERE unplayable_reason IS NULL{mine}"
        )
        return int(row["id"]) if row and row["id"] is not None else None

    def unplayable_between(self, low: int, high: int) -> list[tuple[int, str]]:
        rows = self.db.query(
            "SELECT id, unplayable_reason FROM clips WHERE unplayable_reason IS NOT NULL"
            " AND id > %s AND id < %s ORDER BY id LIMIT 1000",
            (low, high),
        )
        return [(int(r["id"]), r["unplayable_reason"] or "unplayable") for r in rows]

    # -- waiting for work -------------------------------------------------------------------
    def wait_for_work(self, timeout: float) -> bool:
        """True once new work is announced (LISTEN/NOTIFY), False after `timeout`. Listens on
        the store's own connection (a team of fifty must not need a hundred connections) and
        holds its lock only for a look at what arrived, never for the wait: the annotator's
        other store calls go on meanwhile. A notice that comes in during one of them is kept
        by psycopg (its backlog) until this looks."""
        end = time.monotonic() + timeout
        while True:
            with self.db._lock:
                if not self._listening:
                    self.db.conn.execute("LISTEN earmark_work")
                    self._listening = True
                for _ in self.db.conn.notifies(timeout=0, stop_after=1):
                    return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(WORK_LOOK, left))

    # -- leases held by this process ----------------------------------------------------------
    def _hold(self, clip_id: int) -> None:
        self._held.add(clip_id)
        if self._beat is None:
            self._beat = threading.Event()
            threading.Thread(target=self._heartbeat, name="earmark-lease", daemon=True).start()

    def _renew(self, clip_id: int) -> bool:
        row = self.db.query_one(
            "SELECT renew_lease(%s, %s, %s) AS ok",
            (clip_id, self.db.clock.now(), self.lease_seconds),
        )
        return bool(row and row["ok"])

    def _heartbeat(self) -> None:
        beat = self._beat
        while beat is not None and not beat.wait(max(1.0, self.lease_seconds / 3)):
            for clip_id in list(self._held):
                with contextlib.suppress(UserError, psycopg.Error):
                    if not self._renew(clip_id):
                        self._held.discard(clip_id)

    def stop_queue(self) -> None:
        if self._beat is not None:
            self._beat.set()
