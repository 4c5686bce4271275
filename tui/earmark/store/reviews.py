"""Second-pass review on SQLite: what reviewers may check, their outcomes, and feedback.

A review writes one row per annotator whose transcript of the clip was checked, keeping the
text as it was when checked, and its audit line (outcome and counts, never text) in the
same transaction: the outcome is on disk before any screen says so. A reviewer who wrote
any version of the clip (a submission, a skip, an earlier revision) is refused, and the
table's CHECK refuses a row naming the reviewer as its annotator. A fix also becomes the
clip's final transcript. On SQLite the role check is earmark's (see earmark/roles.py).
"""

from __future__ import annotations

import sqlite3

from earmark.quality.review import (
    Review,
    ReviewError,
    Submission,
    changed_words,
    check_outcome,
    diff_words,
)
from earmark.roles import REVIEW_ROLES, require
from earmark.store.base import StoreBase
from earmark.wer import edits

_SELECT = """
SELECT r.id, r.clip_id, c.name, r.annotator, r.submitted, c.asr, r.reviewer, r.outcome,
       r.text, r.note, r.at
FROM reviews r JOIN clips c ON c.id = r.clip_id
"""


def _review(row: sqlite3.Row | tuple[object, ...]) -> Review:
    return Review(*row)


class ReviewsMixin(StoreBase):
    def submissions(self) -> list[Submission]:
        """Every finished transcript (or skip), one per annotator and clip."""
        rows = self.db.query(
            "SELECT c.id, c.name, b.name, c.annotator, c.text, c.status = 'skipped', c.asr"
            " FROM clips c JOIN batches b ON b.id = c.batch_id"
            " WHERE c.status IN ('done', 'skipped') AND c.annotator IS NOT NULL ORDER BY c.id"
        )
        return [Submission(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6] or "") for r in rows]

    def record_review(
        self, clip_id: int, reviewer: str, outcome: str, *, text: str | None = None, note: str = ""
    ) -> list[Review]:
        try:
            outcome, fixed, note = check_outcome(outcome, text, note)
        except ValueError as exc:
            raise ReviewError(str(exc)) from None
        now = self.db.clock.now()
        with self._tx() as c:
            require(reviewer, self._ensure_user(c, reviewer), REVIEW_ROLES, "review transcripts")
            row = c.execute(
                "SELECT status, annotator, text, asr FROM clips WHERE id = ?", (clip_id,)
            ).fetchone()
            if row is None:
                raise ReviewError(f"no clip {clip_id}")
            status, annotator, submitted, asr = row
            wrote = c.execute(
                "SELECT 1 FROM revisions WHERE clip_id = ? AND annotator = ?"
                " UNION ALL SELECT 1 FROM drafts WHERE clip_id = ? AND annotator = ?",
                (clip_id, reviewer, clip_id, reviewer),
            ).fetchone()
            if annotator == reviewer or wrote:
                raise ReviewError("you transcribed this clip: another reviewer must check it")
            if status != "done" or annotator is None:
                raise ReviewError(f"clip {clip_id} has no submitted transcript to review")
            if c.execute("SELECT 1 FROM reviews WHERE clip_id = ?", (clip_id,)).fetchone():
                raise ReviewError(f"clip {clip_id} has been reviewed already")
            c.execute(
                "INSERT INTO reviews(clip_id, annotator, submitted, reviewer, outcome, text,"
                " note, at) VALUES (?,?,?,?,?,?,?,?)",
                (clip_id, annotator, submitted or "", reviewer, outcome, fixed, note, now),
            )
            if fixed is not None:
                wer_edits, wer_words = edits(fixed, asr or "")
                c.execute(
                    "UPDATE clips SET text = ?, wer_edits = ?, wer_words = ? WHERE id = ?",
                    (fixed, wer_edits, wer_words, clip_id),
                )
            self.audit_append(
                reviewer,
                "qa_review",
                clip_id,
                {
                    "outcome": outcome,
                    "annotators": 1,
                    "changed_words": changed_words(diff_words(submitted, fixed))
                    if fixed is not None
                    else 0,
                    "has_reason": bool(note),
                },
            )
        return self.reviews(clip_id=clip_id)

    def reviews(self, *, clip_id: int | None = None, annotator: str | None = None) -> list[Review]:
        """Reviews of one clip, or of one annotator's work (their feedback), newest last."""
        where: list[str] = []
        params: list[object] = []
        if clip_id is not None:
            where.append("r.clip_id = ?")
            params.append(clip_id)
        if annotator is not None:
            where.append("r.annotator = ?")
            params.append(annotator)
        sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY r.id"
        return [_review(r) for r in self.db.query(sql, tuple(params))]

    def reviewed_clip_ids(self) -> set[int]:
        return {int(r[0]) for r in self.db.query("SELECT DISTINCT clip_id FROM reviews")}

    def feedback_seen(self, annotator: str) -> int:
        row = self.db.query("SELECT last_id FROM review_seen WHERE annotator = ?", (annotator,))
        return int(row[0][0]) if row else 0

    def mark_feedback_seen(self, annotator: str, last_id: int) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO review_seen(annotator, last_id) VALUES (?, ?) ON CONFLICT(annotator)"
                " DO UPDATE SET last_id = max(last_id, excluded.last_id)",
                (annotator, last_id),
            )
