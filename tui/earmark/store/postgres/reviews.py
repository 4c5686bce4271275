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
    changed_words,
    check_accept,
    check_outcome,
    diff_words,
    is_gold_miss,
    outcome_for,
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
                " session_user UNION ALL SELECT 1 FROM drafts WHERE clip_id = %s"
                " UNION ALL SELECT 1 FROM gold_answers WHERE clip_id = %s"
                " AND annotator = session_user",
                (clip_id, clip_id, clip_id, clip_id),
            ).fetchone()
            if mine:
                raise ReviewError("you transcribed this clip: another reviewer must check it")
            gold = c.execute("SELECT 1 FROM gold WHERE clip_id = %s", (clip_id,)).fetchone()
            if gold:
                finished = [
                    (a.annotator, a.text or "")
                    for a in self.gold_answers()  # type: ignore[attr-defined]
                    if a.clip_id == clip_id and is_gold_miss(a)
                ]
            else:
                finished = [
                    (r["annotator"], r["text"] or "")
                    for r in c.execute(
                        "SELECT annotator, text FROM slots WHERE clip_id = %s AND state = 'done'"
                        " ORDER BY n",
                        (clip_id,),
                    ).fetchall()
                ]
            done = {
                r["annotator"]
                for r in c.execute("SELECT annotator FROM reviews WHERE clip_id = %s", (clip_id,))
            }
            todo = [(who, t) for who, t in finished if who not in done]
            if not todo and done:
                raise ReviewError(f"clip {clip_id} has been reviewed already")
            if not todo:
                raise ReviewError(f"clip {clip_id} has no submitted transcript to review")
            if not gold:
                check_accept(outcome, [t for _, t in todo])
            for who, submitted in todo:
                got = outcome_for(outcome, submitted, fixed)
                c.execute(
                    "INSERT INTO reviews(clip_id, annotator, submitted, outcome, text, note, at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (clip_id, who, submitted, got, fixed, note, now),
                )
            if fixed is not None and not gold:
                self.set_final(clip_id, fixed, reviewer)  # type: ignore[attr-defined]
            changed = max(changed_words(diff_words(t, fixed)) for _, t in todo) if fixed else 0
            self.audit_append(
                reviewer,
                "qa_review",
                clip_id,
                {
                    "outcome": outcome,
                    "annotators": len(todo),
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

    def reviewed_pairs(self) -> set[tuple[int, str]]:
        rows = self.db.query("SELECT clip_id, annotator FROM reviews")
        return {(int(r["clip_id"]), str(r["annotator"])) for r in rows}

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
