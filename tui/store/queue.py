"""The annotator's queue: which clip comes next, where to resume, what was passed over.

These queries serve tui/session.py. They treat a clip another annotator has in progress as
taken, and one of the annotator's own clips in progress as still open, so a clip passed over
with next_clip comes back round instead of being lost from the pending stream.
"""

from __future__ import annotations

from tui.store.db import Database

_OPEN = "(status = 'pending' OR (status = 'in_progress' AND annotator = ?))"


class QueueMixin:
    db: Database

    def resume_clip(self, annotator: str) -> int | None:
        """The clip this annotator last typed on (newest draft), else their oldest in progress."""
        row = self.db.query_one(
            "SELECT d.clip_id FROM drafts d JOIN clips c ON c.id = d.clip_id"
            " WHERE d.annotator = ? AND c.status = 'in_progress' AND c.annotator = ?"
            " ORDER BY d.updated_at DESC, d.clip_id DESC LIMIT 1",
            (annotator, annotator),
        )
        if row:
            return row[0]
        row = self.db.query_one(
            "SELECT id FROM clips WHERE status = 'in_progress' AND annotator = ? ORDER BY id LIMIT 1",
            (annotator,),
        )
        if row:
            return row[0]
        return self.next_open(annotator, 0)

    def next_open(self, annotator: str, after: int) -> int | None:
        """The next clip after `after` still to do (wrapping round to the start)."""
        row = self.db.query_one(
            f"SELECT id FROM clips WHERE id > ? AND {_OPEN} ORDER BY id LIMIT 1",
            (after, annotator),
        )
        if row is None and after:
            row = self.db.query_one(
                f"SELECT id FROM clips WHERE id < ? AND {_OPEN} ORDER BY id LIMIT 1",
                (after, annotator),
            )
        return row[0] if row else None

    def neighbour_playable(self, clip_id: int, step: int) -> int | None:
        """The previous/next clip in import order that can be played, whatever its status."""
        if step > 0:
            q = "SELECT id FROM clips WHERE id > ? AND status != 'unplayable' ORDER BY id LIMIT 1"
        else:
            q = "SELECT id FROM clips WHERE id < ? AND status != 'unplayable' ORDER BY id DESC LIMIT 1"
        row = self.db.query_one(q, (clip_id,))
        return row[0] if row else None

    def unplayable_between(self, low: int, high: int) -> list[tuple[int, str]]:
        """Unplayable clips strictly between two ids: (id, reason), in import order."""
        return [
            (r[0], r[1] or "unplayable")
            for r in self.db.query(
                "SELECT id, skip_reason FROM clips WHERE status = 'unplayable' AND id > ? AND id < ?"
                " ORDER BY id LIMIT 1000",
                (low, high),
            )
        ]

    def open_count(self, annotator: str) -> int:
        return self.db.query_one(f"SELECT count(*) FROM clips WHERE {_OPEN}", (annotator,))[0]
