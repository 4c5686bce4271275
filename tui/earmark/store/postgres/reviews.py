"""Second-pass review on PostgreSQL: the same interface, with the rules held by the server.

Row-level security shows an annotator only the reviews of their own transcripts (and their
own seen-marker); reviewers and leads see all. An insert must name the session user as
reviewer, come from a reviewer, and is refused when the reviewer holds a slot, a revision
or a draft of that clip, so a reviewer cannot check a clip they transcribed whatever client
they use (tests/pg/test_pg_reviews.py runs the raw SQL as the attacker).
"""

from __future__ import annotations

from typing import Any

from earmark.quality.review import (
    Review,
    ReviewError,
    Submission,
    changed_words,
    check_outcome,
    diff_words,
)
from earmark.roles import REVIEW_ROLES, require
from earmark.store.postgres.base import PgBase

_SELECT = """
SELECT r.id, r.clip_id, c.name, r.annotator, r.submitted, c.asr, r.reviewer, r.outcome,
       r.text, r.note, r.at
FROM reviews r JOIN clips c ON c.id = r.clip_id
"""


def _review(r: dict[str, Any]) -> Review:
    return Review(*r.values())


class PgReviewsMixin(PgBase):
    def submissions(self) -> list[Submission]:
        rows = self.db.query(
            "SELECT s.clip_id, c.name, b.name AS batch, s.annotator, s.text,"
            " s.state = 'skipped' AS skipped, c.asr FROM slots s"
            " JOIN clips c ON c.id = s.clip_id JOIN batches b ON b.id = c.batch_id"
            " WHERE s.state IN ('done', 'skipped') AND s.annotator IS NOT NULL"
            " ORDER BY s.clip_id, s.n"
        )
        return [Submission(*r.values()) for r in rows]

    def record_review(
        self, clip_id: int, reviewer: str, outcome: str, *, text: str | None = None, note: str = ""
    ) -> list[Review]:
        reviewer = self._as(reviewer)
        try:
            outcome, fixed, note = check_outcome(outcome, text, note)
        except ValueError as exc:
            raise ReviewError(str(exc)) from None
        require(reviewer, "reviewer" if self._is_staff() else None, REVIEW_ROLES, "review")
        now = self.db.clock.now()
        with self.db.tx() as c:
            mine = c.execute(
                "SELECT 1 FROM slots WHERE clip_id = %s AND annotator = session_user"
                " UNION ALL SELECT 1 FROM revisions WHERE clip_id = %s AND annotator ="
                " session_user UNION ALL SELECT 1 FROM drafts WHERE clip_id = %s",
                (clip_id, clip_id, clip_id),
            ).fetchone()
            if mine:
                raise ReviewError("you transcribed this clip: another reviewer must check it")
            done = c.execute(
                "SELECT annotator, text FROM slots WHERE clip_id = %s AND state = 'done'"
                " ORDER BY n",
                (clip_id,),
            ).fetchall()
            if not done:
                raise ReviewError(f"clip {clip_id} has no submitted transcript to review")
            if c.execute("SELECT 1 FROM reviews WHERE clip_id = %s", (clip_id,)).fetchone():
                raise ReviewError(f"clip {clip_id} has been reviewed already")
            changed = 0
            for row in done:
                c.execute(
                    "INSERT INTO reviews(clip_id, annotator, submitted, outcome, text, note, at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (clip_id, row["annotator"], row["text"] or "", outcome, fixed, note, now),
                )
                if fixed is not None:
                    changed = max(changed, changed_words(diff_words(row["text"], fixed)))
            self.audit_append(
                reviewer,
                "qa_review",
                clip_id,
                {
                    "outcome": outcome,
                    "annotators": len(done),
                    "changed_words": changed,
                    "has_reason": bool(note),
                },
            )
        return self.reviews(clip_id=clip_id)

    def reviews(self, *, clip_id: int | None = None, annotator: str | None = None) -> list[Review]:
        where: list[str] = []
        params: list[object] = []
        if clip_id is not None:
            where.append("r.clip_id = %s")
            params.append(clip_id)
        if annotator is not None:
            where.append("r.annotator = %s")
            params.append(annotator)
        sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY r.id"
        return [_review(r) for r in self.db.query(sql, params)]

    def reviewed_clip_ids(self) -> set[int]:
        return {int(r["clip_id"]) for r in self.db.query("SELECT DISTINCT clip_id FROM reviews")}

    def feedback_seen(self, annotator: str) -> int:
        row = self.db.query_one(
            "SELECT last_id FROM review_seen WHERE annotator = %s", (self._as(annotator),)
        )
        return int(row["last_id"]) if row else 0

    def mark_feedback_seen(self, annotator: str, last_id: int) -> None:
        self._as(annotator)
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO review_seen(last_id) VALUES (%s) ON CONFLICT (annotator)"
                " DO UPDATE SET last_id = greatest(review_seen.last_id, excluded.last_id)",
                (last_id,),
            )
