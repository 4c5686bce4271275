"""The acoustic check's results and offline first guesses on PostgreSQL.

As on SQLite (earmark/store/checks.py), with one row per transcript: with overlap a clip has
one transcript per annotator, so timings are kept per (clip, annotator). Row-level security
lets an annotator write only their own; leads write anyone's (a backfill) and staff read all.
First guesses are written by leads only (PostgreSQL grants UPDATE on clips to leads).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from earmark.store.checks import words_from_json, words_json
from earmark.store.clips import _compact
from earmark.store.postgres.base import PgBase
from earmark.store.records import Word

# A transcript is the done slot's text; a lead's backfill names the slot's annotator.
_UPSERT = (
    "INSERT INTO clip_checks(clip_id, who, text, words, marked, at)"
    " SELECT s.clip_id, s.annotator, s.text, %s, %s, %s FROM slots s"
    " WHERE s.clip_id = %s AND s.state = 'done' AND s.text = %s AND s.annotator = {who}"
    " ON CONFLICT (clip_id, who) DO UPDATE SET text = excluded.text, words = excluded.words,"
    " marked = excluded.marked, at = excluded.at"
)


class PgChecksMixin(PgBase):
    def record_check(
        self,
        clip_id: int,
        text: str,
        words: Sequence[Word],
        marked: int | None,
        annotator: str | None = None,
    ) -> bool:
        """The user's own transcript; a lead may name another annotator's (a backfill)."""
        who = "%s" if annotator is not None else "session_user"
        params: list[object] = [words_json(words), marked, self.clock.now(), int(clip_id), text]
        if annotator is not None:
            params.append(annotator)
        with self.db.tx() as c:
            cur = c.execute(_UPSERT.format(who=who), params)
            return cur.rowcount > 0

    def unchecked_transcripts(self, after: int, limit: int) -> list[tuple[int, str, str, str]]:
        rows = self.db.query(
            "SELECT s.clip_id, s.text, c.audio, s.annotator"
            " FROM slots s JOIN clips c ON c.id = s.clip_id"
            " LEFT JOIN clip_checks k ON k.clip_id = s.clip_id AND k.who = s.annotator"
            " WHERE s.state = 'done' AND s.text IS NOT NULL AND s.clip_id > %s"
            " AND (k.clip_id IS NULL OR k.text <> s.text) ORDER BY s.clip_id LIMIT %s",
            (int(after), int(limit)),
        )
        return [(int(r["clip_id"]), r["text"], r["audio"], r["annotator"]) for r in rows]

    def iter_word_timings(self, chunk: int = 2000) -> Iterator[tuple[int, str, list[Word]]]:
        last = 0
        while True:
            rows = self.db.query(
                "SELECT clip_id, text, words FROM clip_checks WHERE clip_id > %s"
                " ORDER BY clip_id, at DESC LIMIT %s",
                (last, int(chunk)),
            )
            full = len(rows) == chunk
            if full:  # the last clip's rows may go on: that clip starts the next chunk
                tail = rows[-1]["clip_id"]
                rows = [r for r in rows if r["clip_id"] != tail] or rows
            for r in rows:
                yield int(r["clip_id"]), r["text"], words_from_json(r["words"])
            if not full:
                return
            last = int(rows[-1]["clip_id"])

    def check_counts(self) -> dict[str, int]:
        row = self.db.query_one(
            "SELECT count(k.marked) AS checked, count(*) FILTER (WHERE k.marked > 0) AS marked"
            " FROM clip_checks k JOIN slots s ON s.clip_id = k.clip_id AND s.annotator = k.who"
            " WHERE s.state = 'done' AND s.text = k.text"
        )
        return {"checked": int(row["checked"]), "marked": int(row["marked"])} if row else {}

    def clips_without_guess(self, batch: str | None = None) -> list[tuple[int, str]]:
        sql = (
            "SELECT c.id, c.audio FROM clips c JOIN batches b ON b.id = c.batch_id"
            " WHERE c.asr = '' AND c.asr_source IS NULL AND c.unplayable_reason IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM slots s WHERE s.clip_id = c.id"
            "  AND s.state IN ('done', 'skipped'))"
        )
        params: tuple[object, ...] = ()
        if batch is not None:
            sql += " AND b.name = %s"
            params = (batch,)
        return [(int(r["id"]), r["audio"]) for r in self.db.query(sql + " ORDER BY c.id", params)]

    def set_machine_guess(
        self,
        clip_id: int,
        text: str,
        words: Sequence[Word],
        alternatives: Sequence[str],
        source: str,
    ) -> bool:
        with self.db.tx() as c:
            cur = c.execute(
                "UPDATE clips SET asr = %s, asr_words = %s, asr_alternatives = %s,"
                " asr_source = %s WHERE id = %s AND asr = '' AND asr_source IS NULL",
                (
                    text,
                    words_json(words) if words else None,
                    _compact(list(alternatives)) if alternatives else None,
                    source,
                    int(clip_id),
                ),
            )
            return cur.rowcount > 0
