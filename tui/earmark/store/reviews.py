"""Second-pass review on SQLite: the outcomes reviewers record, and the annotators' feedback.

A review writes one row per annotator whose finished transcript of the clip it covers (every
slot of an overlapped clip, or one annotator's answer of a gold clip they missed), keeping
the text as it was when checked, and its audit line (outcome and counts, never text), all in
one transaction: the outcome is on disk before any screen says so. A reviewer who wrote any
version of the clip (a submission, a skip, a slot they hold, a draft, a gold answer) is
refused, and the table's CHECK refuses a row naming the reviewer as its annotator. A fix is
the clip's final transcript (Store.set_final; for a batch without overlap also the clip's
text, which exports write). On SQLite the role check is earmark's (see earmark/roles.py).
"""

from __future__ import annotations

import sqlite3

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
    def _wrote(self, c: sqlite3.Connection, clip_id: int, user: str) -> bool:
        row = c.execute(
            "SELECT 1 FROM revisions WHERE clip_id = :c AND annotator = :u"
            " UNION ALL SELECT 1 FROM drafts WHERE clip_id = :c AND annotator = :u"
            " UNION ALL SELECT 1 FROM slots WHERE clip_id = :c AND annotator = :u"
            " UNION ALL SELECT 1 FROM clips WHERE id = :c AND annotator = :u"
            " UNION ALL SELECT 1 FROM gold_answers WHERE clip_id = :c AND annotator = :u",
            {"c": clip_id, "u": user},
        ).fetchone()
        return row is not None

    def _finished(self, c: sqlite3.Connection, clip_id: int) -> list[tuple[str, str]]:
        """(annotator, text) of every transcript of the clip a review may cover."""
        if c.execute("SELECT 1 FROM gold WHERE clip_id = ?", (clip_id,)).fetchone():
            return [
                (a.annotator, a.text or "")
                for a in self.gold_answers()  # type: ignore[attr-defined]
                if a.clip_id == clip_id and is_gold_miss(a)
            ]
        rows = c.execute(
            "SELECT annotator, text FROM clips WHERE id = :c AND status = 'done'"
            " AND annotator IS NOT NULL UNION ALL SELECT annotator, text FROM slots"
            " WHERE clip_id = :c AND state = 'done' AND annotator IS NOT NULL",
            {"c": clip_id},
        ).fetchall()
        return [(str(r[0]), str(r[1] or "")) for r in rows]

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
            clip = c.execute("SELECT asr FROM clips WHERE id = ?", (clip_id,)).fetchone()
            if clip is None:
                raise ReviewError(f"no clip {clip_id}")
            if self._wrote(c, clip_id, reviewer):
                raise ReviewError("you transcribed this clip: another reviewer must check it")
            done = {
                r[0]
                for r in c.execute("SELECT annotator FROM reviews WHERE clip_id = ?", (clip_id,))
            }
            todo = [(who, t) for who, t in self._finished(c, clip_id) if who not in done]
            if not todo and done:
                raise ReviewError(f"clip {clip_id} has been reviewed already")
            if not todo:
                raise ReviewError(f"clip {clip_id} has no submitted transcript to review")
            gold = c.execute("SELECT 1 FROM gold WHERE clip_id = ?", (clip_id,)).fetchone()
            if not gold:
                check_accept(outcome, [t for _, t in todo])
            c.executemany(
                "INSERT INTO reviews(clip_id, annotator, submitted, reviewer, outcome, text,"
                " note, at) VALUES (?,?,?,?,?,?,?,?)",
                [
                    (clip_id, who, t, reviewer, outcome_for(outcome, t, fixed), fixed, note, now)
                    for who, t in todo
                ],
            )
            if fixed is not None and not gold:
                self.set_final(clip_id, fixed, reviewer)  # type: ignore[attr-defined]
                wer_edits, wer_words = edits(fixed, clip[0] or "")
                c.execute(
                    "UPDATE clips SET text = ?, wer_edits = ?, wer_words = ? WHERE id = ?"
                    " AND status = 'done' AND NOT EXISTS (SELECT 1 FROM slots WHERE clip_id = ?)",
                    (fixed, wer_edits, wer_words, clip_id, clip_id),
                )
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
        """Reviews of one clip, or of one annotator's work (their feedback), oldest first."""
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

    def reviewed_pairs(self) -> set[tuple[int, str]]:
        """(clip id, annotator) of every transcript a reviewer has checked."""
        return {
            (int(r[0]), str(r[1])) for r in self.db.query("SELECT clip_id, annotator FROM reviews")
        }

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
