"""Gold clips and final transcripts on SQLite.

A gold clip is an ordinary row of `clips` (audio, guess, batch, place in import order) whose
hidden reference lives in `gold`. It is held out of the shared queue (in progress, held by
nobody, with no lease to run out), so no annotator is ever given it by the queue, and each
annotator gets it at most once through `next_gold`, decided by earmark/session/gold.py.
Their go at it (draft, answer, score) is their own row of `gold_answers`, so every annotator
may answer every gold clip. The submit looks like any submit from outside: a revision (so
the day's and the hour's counts move as for any clip) and the same audit line.

On a shared SQLite file nothing stops someone who can read the file from reading `gold`
(earmark/roles.py says the same of roles); what earmark promises here is that nothing an
annotator runs shows it. The PostgreSQL backend enforces it (store/postgres/gold.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from earmark.errors import UserError
from earmark.quality.gold import (
    GoldAnswer,
    GoldOpen,
    GoldRef,
    GoldTally,
    flag_kinds,
    parse_flags,
    score,
)
from earmark.roles import PermissionDenied
from earmark.store.base import StoreBase


class GoldMixin(StoreBase):
    # -- import (leads) ---------------------------------------------------------------
    def add_gold(self, refs: Iterable[tuple[str, GoldRef]]) -> int:
        """Make the named clips gold with these references; returns how many were stored."""
        n = 0
        now = self.db.clock.now()
        with self._tx() as c:
            for name, ref in refs:
                row = c.execute("SELECT id FROM clips WHERE name = ?", (name,)).fetchone()
                if row is None:
                    continue
                c.execute(
                    "INSERT INTO gold(clip_id, text, flags, added_at) VALUES (?,?,?,?)"
                    " ON CONFLICT(clip_id) DO UPDATE SET text = excluded.text,"
                    " flags = excluded.flags",
                    (row[0], ref.text, ref.flags_json(), now),
                )
                c.execute(
                    "UPDATE clips SET status = 'in_progress', annotator = NULL,"
                    " lease_until = NULL WHERE id = ? AND status = 'pending'",
                    (row[0],),
                )
                c.execute("DELETE FROM slots WHERE clip_id = ? AND state = 'open'", (row[0],))
                n += 1
        return n

    def gold_ids(self) -> set[int]:
        return {int(r[0]) for r in self.db.query("SELECT clip_id FROM gold")}

    def gold_reference(self, clip_id: int) -> GoldRef | None:
        row = self.db.query_one("SELECT text, flags FROM gold WHERE clip_id = ?", (clip_id,))
        return GoldRef(row[0], parse_flags(row[1])) if row else None

    # -- serving (earmark/session/gold.py) ----------------------------------------------
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
        """The gold clip given to `annotator` and not answered yet (other than clip `near`,
        the one they have open); else, when one is `due`
        (or they have answered fewer than `onboarding`), a gold clip they never had: of
        `batch` unless onboarding, the first at or after `near` in import order, wrapping."""
        skip = sorted({int(i) for i in avoid})
        with self.db.write() as c:
            row = c.execute(
                "SELECT a.clip_id FROM gold_answers a JOIN clips c ON c.id = a.clip_id"
                " WHERE a.annotator = ? AND a.state = 'served' AND a.clip_id != ?"
                " AND c.status != 'unplayable' ORDER BY a.served_at, a.clip_id LIMIT 1",
                (annotator, near),
            ).fetchone()
            if row is not None:
                return int(row[0])
            answered = c.execute(
                "SELECT count(*) FROM gold_answers WHERE annotator = ?", (annotator,)
            ).fetchone()[0]
            onboard = answered < onboarding
            if not (due or onboard):
                return None
            q = (
                "SELECT g.clip_id FROM gold g JOIN clips c ON c.id = g.clip_id"
                " JOIN batches b ON b.id = c.batch_id WHERE c.status != 'unplayable'"
                " AND NOT EXISTS (SELECT 1 FROM gold_answers a"
                "  WHERE a.clip_id = g.clip_id AND a.annotator = ?)"
            )
            params: list[Any] = [annotator]
            if skip:
                q += f" AND g.clip_id NOT IN ({','.join('?' * len(skip))})"
                params += skip
            if batch is not None and not onboard:
                q += " AND b.name = ?"
                params.append(batch)
            got = c.execute(q + " AND g.clip_id >= ? ORDER BY g.clip_id LIMIT 1", (*params, near))
            row = got.fetchone() or c.execute(q + " ORDER BY g.clip_id LIMIT 1", params).fetchone()
            if row is None:
                return None
            c.execute(
                "INSERT INTO gold_answers(clip_id, annotator, served_at) VALUES (?,?,?)",
                (row[0], annotator, self.db.clock.now()),
            )
            return int(row[0])

    def gold_open(self, clip_id: int, annotator: str) -> GoldOpen | None:
        """What `annotator` has of this clip if it is gold: None for any other clip. Opening
        a gold clip they were not given yet (paging onto it) gives it to them."""
        if self.db.scalar("SELECT 1 FROM gold WHERE clip_id = ?", (clip_id,)) is None:
            return None
        with self.db.write() as c:
            c.execute(
                "INSERT OR IGNORE INTO gold_answers(clip_id, annotator, served_at) VALUES (?,?,?)",
                (clip_id, annotator, self.db.clock.now()),
            )
            row = c.execute(
                "SELECT state, text, skip_reason, draft, cursor, seconds"
                " FROM gold_answers WHERE clip_id = ? AND annotator = ?",
                (clip_id, annotator),
            ).fetchone()
        return GoldOpen(row[0], row[1], row[2], row[3], int(row[4]), float(row[5]))

    def save_gold_draft(
        self, clip_id: int, annotator: str, text: str, cursor: int, seconds: float
    ) -> None:
        with self.db.write() as c:
            c.execute(
                "UPDATE gold_answers SET draft = ?, cursor = ?, seconds = ?"
                " WHERE clip_id = ? AND annotator = ?",
                (text, cursor, seconds, clip_id, annotator),
            )

    def finish_gold(
        self,
        clip_id: int,
        annotator: str,
        *,
        text: str | None,
        reason: str | None,
        seconds: float,
    ) -> None:
        """Record and score an answer (text None: skipped with `reason`), with its revision
        and the same audit line as any submit or skip, in one transaction."""
        now = self.db.clock.now()
        with self._tx() as c:
            row = c.execute(
                "SELECT a.state, g.text, g.flags FROM gold_answers a"
                " JOIN gold g ON g.clip_id = a.clip_id WHERE a.clip_id = ? AND a.annotator = ?",
                (clip_id, annotator),
            ).fetchone()
            if row is None:
                raise UserError("not saved: this clip was not given to you")
            given = _given(c, clip_id, annotator)
            s = score(GoldRef(row[1], parse_flags(row[2])), text, given)
            state = "done" if text is not None else "skipped"
            c.execute(
                "UPDATE gold_answers SET state = ?, text = ?, skip_reason = ?, draft = NULL,"
                " cursor = 0, seconds = CASE state WHEN 'served' THEN ? ELSE seconds + ? END,"
                " flags = ?, wer_edits = ?, ref_words = ?,"
                " flags_agree = ?, submitted_at = ? WHERE clip_id = ? AND annotator = ?",
                (
                    state,
                    text,
                    reason,
                    seconds,
                    seconds,
                    json.dumps(list(given)),
                    s.edits,
                    s.words,
                    int(s.flags_agree),
                    now,
                    clip_id,
                    annotator,
                ),
            )
            c.execute(
                "INSERT INTO revisions(clip_id, status, text, skip_reason, annotator, seconds, at)"
                " VALUES (?,?,?,?,?,?,?)",
                (clip_id, state, text, reason, annotator, seconds, now),
            )
            detail: dict[str, Any] = {
                "seconds": round(seconds, 3),
                "reopened": row[0] in ("done", "skipped"),
            }
            if text is not None:
                detail["word_count"] = len(text.split())
            else:
                detail["reason"] = reason
            self.audit_append(annotator, "submit" if text is not None else "skip", clip_id, detail)

    # -- scores (reviewers and leads; the annotator's own figure) -----------------------
    def gold_answers(self, batch: str | None = None) -> list[GoldAnswer]:
        q = (
            "SELECT a.clip_id, c.name, b.name, a.annotator, a.state, a.wer_edits, a.ref_words,"
            " a.flags_agree, a.seconds, a.submitted_at, a.text FROM gold_answers a"
            " JOIN clips c ON c.id = a.clip_id JOIN batches b ON b.id = c.batch_id"
            " WHERE a.state IN ('done','skipped')"
        )
        params: tuple[str, ...] = ()
        if batch is not None:
            q, params = q + " AND b.name = ?", (batch,)
        return [_answer(r) for r in self.db.query(q + " ORDER BY a.submitted_at", params)]

    def gold_score(self, annotator: str, since: float) -> GoldTally:
        """`annotator`'s own gold figures over answers since `since` (no clip named)."""
        tally = GoldTally()
        for r in self.db.query(
            "SELECT a.clip_id, c.name, b.name, a.annotator, a.state, a.wer_edits, a.ref_words,"
            " a.flags_agree, a.seconds, a.submitted_at, a.text FROM gold_answers a"
            " JOIN clips c ON c.id = a.clip_id JOIN batches b ON b.id = c.batch_id"
            " WHERE a.annotator = ? AND a.state IN ('done','skipped') AND a.submitted_at >= ?",
            (annotator, since),
        ):
            a = _answer(r)
            tally.add(a.score, skipped=a.skipped)
        return tally

    # -- final transcripts of overlapped clips (earmark/quality/final.py) ---------------
    def set_final(self, clip_id: int, text: str, by: str) -> None:
        """A reviewer's final transcript for a disputed clip; never one of its annotators."""
        wrote = self.db.scalar(
            "SELECT 1 FROM revisions WHERE clip_id = ? AND annotator = ? LIMIT 1", (clip_id, by)
        )
        if wrote is not None:
            raise PermissionDenied(f"{by} transcribed this clip: another reviewer decides it")
        now = self.db.clock.now()
        with self._tx() as c:
            c.execute(
                "INSERT INTO finals(clip_id, text, set_by, set_at) VALUES (?,?,?,?)"
                " ON CONFLICT(clip_id) DO UPDATE SET text = excluded.text,"
                " set_by = excluded.set_by, set_at = excluded.set_at",
                (clip_id, text, by, now),
            )
            self.audit_append(by, "set_final", clip_id, {"word_count": len(text.split())})

    def final_texts(self) -> dict[int, str]:
        """Final transcripts reviewers set, by clip id."""
        return {int(r[0]): str(r[1]) for r in self.db.query("SELECT clip_id, text FROM finals")}


def _given(c: sqlite3.Connection, clip_id: int, annotator: str) -> tuple[str, ...]:
    return flag_kinds(
        r[0]
        for r in c.execute(
            "SELECT kind FROM flags WHERE clip_id = ? AND raised_by = ? AND state = 'active'",
            (clip_id, annotator),
        )
    )


def _answer(r: sqlite3.Row) -> GoldAnswer:
    return GoldAnswer(
        clip_id=int(r[0]),
        clip=str(r[1]),
        batch=str(r[2]),
        annotator=str(r[3]),
        skipped=r[4] == "skipped",
        edits=int(r[5] or 0),
        words=int(r[6] or 0),
        flags_agree=bool(r[7]),
        seconds=float(r[8] or 0.0),
        submitted_at=float(r[9] or 0.0),
        text=r[10],
    )
