"""Gold clips and final transcripts on PostgreSQL (the SQL is in gold_sql.py).

A gold clip has no slots, so the shared queue never gives it; `next_gold` asks the server
for the session user's own gold clip, and the answer is scored on the server by
`gold_finish`. Drafts of a gold clip are the user's own drafts, as for any clip.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from earmark import audit
from earmark.errors import UserError
from earmark.quality.gold import GoldAnswer, GoldOpen, GoldRef, GoldTally, parse_flags
from earmark.store.postgres.queue import PgQueueMixin


class PgGoldMixin(PgQueueMixin):
    def add_gold(self, refs: Iterable[tuple[str, GoldRef]]) -> int:
        n = 0
        now = self.db.clock.now()
        with self.db.tx() as c:
            for name, ref in refs:
                row = c.execute("SELECT id FROM clips WHERE name = %s", (name,)).fetchone()
                if row is None:
                    continue
                c.execute(
                    "INSERT INTO gold(clip_id, text, flags, added_at) VALUES (%s,%s,%s,%s)"
                    " ON CONFLICT (clip_id) DO UPDATE SET text = excluded.text,"
                    " flags = excluded.flags",
                    (row["id"], ref.text, ref.flags_json(), now),
                )
                c.execute(
                    "DELETE FROM slots WHERE clip_id = %s AND state = 'open' AND annotator IS NULL",
                    (row["id"],),
                )
                n += 1
        return n

    def gold_ids(self) -> set[int]:
        return {int(r["clip_id"]) for r in self.db.query("SELECT clip_id FROM gold")}

    def gold_reference(self, clip_id: int) -> GoldRef | None:
        row = self.db.query_one("SELECT text, flags FROM gold WHERE clip_id = %s", (clip_id,))
        return GoldRef(row["text"], parse_flags(row["flags"])) if row else None

    def next_gold(
        self,
        annotator: str,
        *,
        due: bool,
        near: int,
        batch: str | None,
        onboarding: int,
        avoid: Iterable[int] = (),
    ) -> int | None:
        self._as(annotator)
        row = self.db.query_one(
            "SELECT gold_next(%s, %s, %s, %s, %s::bigint[], %s) AS clip",
            (bool(due), int(near), batch, int(onboarding), sorted(set(avoid)), self.db.clock.now()),
        )
        return int(row["clip"]) if row and row["clip"] is not None else None

    def gold_open(self, clip_id: int, annotator: str) -> GoldOpen | None:
        self._as(annotator)
        row = self.db.query_one("SELECT * FROM gold_open(%s)", (clip_id,))
        if row is None:
            return None
        draft = self.draft(clip_id)
        return GoldOpen(
            state=row["state"],
            answer=row["text"],
            skip_reason=row["skip_reason"],
            draft=draft.text if draft else None,
            cursor=draft.cursor if draft else 0,
            seconds=draft.seconds if draft else float(row["seconds"]),
        )

    def save_gold_draft(
        self, clip_id: int, annotator: str, text: str, cursor: int, seconds: float
    ) -> None:
        self.save_draft(clip_id, annotator, text, cursor, seconds)

    def finish_gold(
        self,
        clip_id: int,
        annotator: str,
        *,
        text: str | None,
        reason: str | None,
        seconds: float,
    ) -> None:
        self._as(annotator)
        detail: dict[str, Any] = {"seconds": round(seconds, 3), "reopened": False}
        if text is not None:
            detail["word_count"] = len(text.split())
        else:
            detail["reason"] = reason
        again = audit.check_detail({**detail, "reopened": True})
        row = self.db.query_one(
            "SELECT gold_finish(%s, %s, %s, %s, %s, %s, %s) AS ok",
            (
                clip_id,
                text,
                reason,
                seconds,
                self.db.clock.now(),
                audit.check_detail(detail),
                again,
            ),
        )
        if not (row and row["ok"]):
            raise UserError("not saved: this clip was not given to you")

    def gold_answers(self, batch: str | None = None) -> list[GoldAnswer]:
        q = (
            "SELECT a.clip_id, c.name AS clip, b.name AS batch, a.annotator, a.state,"
            " a.wer_edits, a.ref_words, a.flags_agree, a.seconds, a.submitted_at, a.text"
            " FROM gold_answers a JOIN clips c ON c.id = a.clip_id"
            " JOIN batches b ON b.id = c.batch_id WHERE a.state IN ('done','skipped')"
        )
        params: tuple[str, ...] = ()
        if batch is not None:
            q, params = q + " AND b.name = %s", (batch,)
        return [
            GoldAnswer(
                clip_id=int(r["clip_id"]),
                clip=r["clip"],
                batch=r["batch"],
                annotator=r["annotator"],
                skipped=r["state"] == "skipped",
                edits=int(r["wer_edits"] or 0),
                words=int(r["ref_words"] or 0),
                flags_agree=bool(r["flags_agree"]),
                seconds=float(r["seconds"] or 0.0),
                submitted_at=float(r["submitted_at"] or 0.0),
                text=r["text"],
            )
            for r in self.db.query(q + " ORDER BY a.submitted_at", params)
        ]

    def gold_score(self, annotator: str, since: float) -> GoldTally:
        """Anyone's own figures (through the server's function); a reviewer's or lead's
        view of someone else's from the answers themselves."""
        if annotator not in (self.db.user, self.db.login):
            tally = GoldTally()
            for a in self.gold_answers():
                if a.annotator == annotator and a.submitted_at >= since:
                    tally.add(a.score, skipped=a.skipped)
            return tally
        row = self.db.query_one("SELECT * FROM gold_mine(%s)", (since,))
        assert row is not None
        return GoldTally(
            clips=int(row["clips"]),
            skipped=int(row["skipped"]),
            edits=int(row["edits"]),
            words=int(row["words"]),
            flags_agree=int(row["agree"]),
        )

    def set_final(self, clip_id: int, text: str, by: str) -> None:
        """PostgreSQL refuses a final set by someone who transcribed the clip."""
        self._as(by)
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO finals(clip_id, text, set_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (clip_id) DO UPDATE SET text = excluded.text,"
                " set_by = excluded.set_by, set_at = excluded.set_at",
                (clip_id, text, self.db.clock.now()),
            )
            self.audit_append(by, "set_final", clip_id, {"word_count": len(text.split())})

    def final_texts(self) -> dict[int, str]:
        return {
            int(r["clip_id"]): r["text"] for r in self.db.query("SELECT clip_id, text FROM finals")
        }
