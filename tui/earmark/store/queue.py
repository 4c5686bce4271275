"""The annotator's queue: every "which clip next" question, in one place.

These queries serve earmark/session/workflow.py. They treat a clip another annotator has in
progress as taken, and one of the annotator's own clips in progress as still open, so a clip
passed over with next_clip comes back round instead of being lost from the pending stream.

Each answer is one or two index lookups, whatever the project's size: positions and the clip
count come from the last id less the ids removed before it (`clip_gaps`, kept by triggers),
never from counting clips, which at clip 900,000 of a million cost a fifth of a second.
"""

from __future__ import annotations

from collections.abc import Iterable

from earmark.errors import UserError
from earmark.store.base import StoreBase


class LeaseLost(UserError):
    """A submit on a clip whose claim ran out and that another annotator has since taken."""


class QueueMixin(StoreBase):
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

    def resume_clip(self, annotator: str) -> int | None:
        """The clip this annotator last typed on (newest draft), else their oldest in progress,
        else the first clip still open."""
        found = self.db.scalar(
            "SELECT d.clip_id FROM drafts d JOIN clips c ON c.id = d.clip_id"
            " WHERE d.annotator = ? AND c.status = 'in_progress' AND c.annotator = ?"
            " ORDER BY d.updated_at DESC, d.clip_id DESC LIMIT 1",
            (annotator, annotator),
        )
        if found is None:
            found = self.db.scalar(
                "SELECT id FROM clips WHERE status = 'in_progress' AND annotator = ?"
                " ORDER BY id LIMIT 1",
                (annotator,),
            )
        if found is not None:
            return int(found)
        return self.next_open(annotator, 0)

    def next_open(self, annotator: str, after: int) -> int | None:
        """The next clip after `after` still to do (wrapping round to the start).

        Two index lookups rather than one OR: SQLite answers an OR over the status index by
        sorting every match, which on 100,000 pending clips costs tens of milliseconds.
        """
        found = self._first_open(annotator, after, None)
        if found is None and after:
            found = self._first_open(annotator, 0, after)
        return found

    def _first_open(self, annotator: str, after: int, before: int | None) -> int | None:
        bound = "" if before is None else " AND id < ?"
        extra: tuple[int, ...] = () if before is None else (before,)
        ids = []
        pending = self.db.scalar(
            f"SELECT id FROM clips WHERE status = 'pending' AND id > ?{bound} ORDER BY id LIMIT 1",
            (after, *extra),
        )
        if pending is not None:
            ids.append(int(pending))
        mine = self.db.scalar(
            "SELECT id FROM clips WHERE status = 'in_progress' AND annotator = ? AND id > ?"
            f"{bound} ORDER BY id LIMIT 1",
            (annotator, after, *extra),
        )
        if mine is not None:
            ids.append(int(mine))
        return min(ids) if ids else None

    def neighbour_playable(self, clip_id: int, step: int) -> int | None:
        """The previous/next clip in import order that can be played, whatever its status."""
        if step > 0:
            q = "SELECT id FROM clips WHERE id > ? AND status != 'unplayable' ORDER BY id"
        else:
            q = "SELECT id FROM clips WHERE id < ? AND status != 'unplayable' ORDER BY id DESC"
        q += " LIMIT 1"
        found = self.db.scalar(q, (clip_id,))
        return None if found is None else int(found)

    def last_playable(self) -> int | None:
        """The last clip in import order that can be played (the "last clip" key)."""
        found = self.db.scalar(
            "SELECT id FROM clips WHERE status != 'unplayable' ORDER BY id DESC LIMIT 1"
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

    # -- claims with leases: several annotators on one file ------------------------------
    lease_seconds: float = 300.0

    def claim_next(self, annotator: str, *, avoid: Iterable[int] = ()) -> int | None:
        """Claim a clip for `annotator` in one BEGIN IMMEDIATE transaction (one claimer at a
        time on the file, so two annotators never get the same clip): their own clip in
        progress first, else a clip whose lease ran out, else the next pending clip."""
        skip = sorted({int(i) for i in avoid})
        not_in = f" AND id NOT IN ({','.join('?' * len(skip))})" if skip else ""
        now = self.db.clock.now()
        with self.db.write() as c:
            row = c.execute(
                "SELECT id FROM clips WHERE status = 'in_progress' AND annotator = ?"
                f"{not_in} ORDER BY id LIMIT 1",
                (annotator, *skip),
            ).fetchone()
            if row is None:
                row = c.execute(
                    "SELECT id FROM clips WHERE status = 'in_progress' AND lease_until < ?"
                    f"{not_in} ORDER BY id LIMIT 1",
                    (now, *skip),
                ).fetchone()
            if row is None:
                row = c.execute(
                    f"SELECT id FROM clips WHERE status = 'pending'{not_in} ORDER BY id LIMIT 1",
                    tuple(skip),
                ).fetchone()
            if row is None:
                return None
            c.execute(
                "UPDATE clips SET status = 'in_progress', annotator = ?, lease_until = ?,"
                " updated_at = ? WHERE id = ?",
                (annotator, now + self.lease_seconds, now, row[0]),
            )
            return int(row[0])

    def holds(self, clip_id: int, annotator: str) -> bool:
        """Whether `annotator` still holds the clip (theirs, in progress)."""
        row = self.db.query_one(
            "SELECT 1 FROM clips WHERE id = ? AND status = 'in_progress' AND annotator = ?",
            (clip_id, annotator),
        )
        return row is not None

    def forget(self, clip_id: int) -> None:
        """Nothing renews leases on SQLite: an unfinished claim lapses when its time is up."""
