"""Suggestion data on PostgreSQL: each annotator's own word index, redaction marks, pace.

The index mirrors the SQLite one (earmark/store/words.py) per annotator: row-level
security keeps it to the words of the user's own transcripts, so suggestions never show one
annotator what another heard. Clips flagged critical never feed the recent corrections.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from earmark import redaction
from earmark.errors import UserError
from earmark.redaction import Mark
from earmark.store.postgres.base import PgBase

_NOT_CRITICAL = (
    " AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.clip_id = s.clip_id AND f.kind = 'critical')"
)


class PgWordsMixin(PgBase):
    def learn_words(
        self, clip_id: int, words: Sequence[tuple[str, str]], guess: str | None = None
    ) -> None:
        self.learn_words_many([(clip_id, words, guess)])

    def learn_words_many(
        self, items: Sequence[tuple[int, Sequence[tuple[str, str]], str | None]]
    ) -> None:
        with self.db.tx() as c:
            for clip_id, words, guess in items:
                uses: dict[str, int] = {}
                shown: dict[str, str] = {}
                for k, form in words:
                    uses[k] = uses.get(k, 0) + 1
                    shown.setdefault(k, form)
                self._unlearn(c, clip_id)
                for k, n in uses.items():
                    c.execute(
                        "INSERT INTO word_index(key, display, uses, clips) VALUES (%s, %s, %s, 1)"
                        " ON CONFLICT (who, key) DO UPDATE SET uses = word_index.uses"
                        " + excluded.uses, clips = word_index.clips + 1",
                        (k, shown[k], n),
                    )
                    c.execute(
                        "INSERT INTO clip_words(clip_id, key, uses) VALUES (%s, %s, %s)",
                        (clip_id, k, n),
                    )
                if guess is not None:
                    c.execute(
                        "DELETE FROM learned_utterances WHERE clip_id = %s AND who = session_user",
                        (clip_id,),
                    )
                    c.execute("INSERT INTO learned_utterances(clip_id) VALUES (%s)", (clip_id,))

    @staticmethod
    def _unlearn(c: Any, clip_id: int) -> None:
        rows = c.execute(
            "DELETE FROM clip_words WHERE clip_id = %s AND who = session_user RETURNING key, uses",
            (clip_id,),
        ).fetchall()
        for r in rows:
            c.execute(
                "UPDATE word_index SET uses = uses - %s, clips = clips - 1"
                " WHERE key = %s AND who = session_user",
                (r["uses"], r["key"]),
            )
        if rows:
            c.execute("DELETE FROM word_index WHERE clips <= 0 AND who = session_user")

    def offerable_words(self, min_clips: int, limit: int) -> list[tuple[str, int, int]]:
        rows = self.db.query(
            "SELECT display, uses, clips FROM word_index WHERE who = session_user"
            " AND clips >= %s ORDER BY clips DESC LIMIT %s",
            (int(min_clips), int(limit)),
        )
        return [(r["display"], int(r["uses"]), int(r["clips"])) for r in rows]

    def recent_corrections(self, limit: int) -> list[tuple[str, str]]:
        rows = self.db.query(
            "SELECT c.asr, s.text FROM learned_utterances u JOIN clips c ON c.id = u.clip_id"
            " JOIN slots s ON s.clip_id = u.clip_id AND s.annotator = session_user"
            " WHERE u.who = session_user AND s.state = 'done' AND s.text IS NOT NULL"
            + _NOT_CRITICAL
            + " ORDER BY u.seq DESC LIMIT %s",
            (int(limit),),
        )
        return [(r["asr"] or "", r["text"]) for r in reversed(rows)]

    def word_index_ready(self) -> bool:
        return self.db.query_one("SELECT 1 AS x FROM word_index_ready") is not None

    def unindexed_transcripts(self, after: int, limit: int) -> list[tuple[int, str, str]]:
        rows = self.db.query(
            "SELECT s.clip_id, s.text, c.asr FROM slots s JOIN clips c ON c.id = s.clip_id"
            " WHERE s.annotator = session_user AND s.state = 'done' AND s.text IS NOT NULL"
            " AND s.clip_id > %s" + _NOT_CRITICAL + " ORDER BY s.clip_id LIMIT %s",
            (int(after), int(limit)),
        )
        return [(int(r["clip_id"]), r["text"], r["asr"] or "") for r in rows]

    def mark_word_index_ready(self) -> None:
        with self.db.tx() as c:
            c.execute("INSERT INTO word_index_ready DEFAULT VALUES ON CONFLICT DO NOTHING")

    def submit_times(self, annotator: str, since: float) -> list[float]:
        """When this user last submitted each clip they submitted since `since` (done only)."""
        rows = self.db.query(
            "SELECT max(at) AS at FROM revisions WHERE at >= %s AND status = 'done'"
            " AND annotator = %s GROUP BY clip_id",
            (since, self._as(annotator)),
        )
        return [float(r["at"]) for r in rows]

    # -- redaction marks: words, not positions (earmark/redaction.py) ----------------------
    def set_redaction(self, flag_id: int, marks: Iterable[Mark], *, actor: str) -> None:
        """Store the words a critical flag redacts; the audit entry counts them only."""
        stored = redaction.dumps(marks)
        with self.db.tx() as c:
            row = c.execute(
                "UPDATE flags SET redact_words = %s WHERE id = %s RETURNING clip_id, kind",
                (stored, flag_id),
            ).fetchone()
            if row is None:
                raise UserError(f"no flag {flag_id} of yours to mark")
            self.audit_append(
                actor,
                "flag_redaction",
                row["clip_id"],
                {
                    "flag": flag_id,
                    "kind": row["kind"],
                    "redact_words": len(redaction.loads(stored)),
                },
            )

    def redaction_marks(self, flag_id: int) -> list[Mark] | None:
        row = self.db.query_one("SELECT redact_words FROM flags WHERE id = %s", (flag_id,))
        if row is None or row["redact_words"] is None:
            return None
        return redaction.loads(row["redact_words"])

    def redaction_marks_for_clip(self, clip_id: int) -> list[Mark]:
        """Every mark of the clip's active critical flags."""
        rows = self.db.query(
            "SELECT redact_words FROM flags WHERE clip_id = %s AND kind = 'critical'"
            " AND state = 'active' AND redact_words IS NOT NULL",
            (clip_id,),
        )
        return sorted({m for r in rows for m in redaction.loads(r["redact_words"])})

    def redaction_marks_by_flag(self) -> dict[int, list[Mark]]:
        rows = self.db.query(
            "SELECT id, redact_words FROM flags WHERE kind = 'critical' AND state = 'active'"
            " AND redact_words IS NOT NULL"
        )
        return {int(r["id"]): redaction.loads(r["redact_words"]) for r in rows}
