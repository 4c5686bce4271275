"""Clips, transcripts and drafts on PostgreSQL, seen through the viewer's own slot.

With overlap N a clip has N transcripts, one per slot. An annotator sees a clip through
their own slot (its status, their text); exports and figures see the clip as a whole:
done when every slot is finished and at least one was transcribed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from earmark.errors import UserError
from earmark.store.postgres.base import PgBase
from earmark.store.records import STATUSES, Clip, Draft, NewClip, Revision, Totals, Word

_BASE = """
SELECT c.id, c.name, b.name AS batch, c.audio, c.duration, c.samplerate, c.channels,
       c.asr, c.asr_words, c.asr_alternatives, c.unplayable_reason, c.asr_source,
"""
# The viewer's own slot.
OWN = (
    _BASE
    + """
       s.state, s.text, s.skip_reason, s.annotator, s.seconds, s.submitted_at
FROM clips c JOIN batches b ON b.id = c.batch_id
LEFT JOIN slots s ON s.clip_id = c.id AND s.annotator = session_user
"""
)
# Every slot the viewer may see, folded into one status.
WHOLE = (
    _BASE
    + """
       a.state, a.text, a.skip_reason, a.annotator, a.seconds, a.submitted_at
FROM clips c JOIN batches b ON b.id = c.batch_id
LEFT JOIN LATERAL (
  SELECT CASE WHEN count(*) = 0 THEN NULL
              WHEN bool_and(state IN ('done','skipped')) AND bool_or(state = 'done') THEN 'done'
              WHEN bool_and(state = 'skipped') THEN 'skipped'
              WHEN bool_or(state <> 'open') THEN 'leased' END AS state,
         (array_agg(text ORDER BY submitted_at DESC) FILTER (WHERE state = 'done'))[1] AS text,
         (array_agg(skip_reason ORDER BY submitted_at DESC)
            FILTER (WHERE state = 'skipped'))[1] AS skip_reason,
         (array_agg(annotator ORDER BY submitted_at DESC NULLS LAST))[1] AS annotator,
         coalesce(sum(seconds), 0) AS seconds, max(submitted_at) AS submitted_at
  FROM slots WHERE clip_id = c.id) a ON true
"""
)
_STATUS = {"leased": "in_progress", "done": "done", "skipped": "skipped"}


def to_clip(row: dict[str, Any]) -> Clip:
    words = tuple(Word(**w) for w in json.loads(row["asr_words"])) if row["asr_words"] else ()
    alts = tuple(json.loads(row["asr_alternatives"])) if row["asr_alternatives"] else ()
    unplayable = row["unplayable_reason"]
    status = "unplayable" if unplayable else _STATUS.get(row["state"] or "", "pending")
    return Clip(
        id=row["id"],
        name=row["name"],
        batch=row["batch"],
        audio=row["audio"],
        duration=row["duration"],
        samplerate=row["samplerate"],
        channels=row["channels"],
        asr=row["asr"],
        words=words,
        alternatives=alts,
        status=status,
        skip_reason=unplayable or row["skip_reason"],
        text=row["text"],
        annotator=row["annotator"],
        seconds_on_clip=row["seconds"] or 0.0,
        submitted_at=row["submitted_at"],
        guess_source=row["asr_source"],
    )


class PgClipsMixin(PgBase):
    # -- batches and import (leads) -------------------------------------------------------
    def batch_id(self, name: str, overlap: int | None = None) -> int:
        if overlap is not None and not 1 <= int(overlap) <= 20:
            raise UserError("--overlap must be between 1 and 20")
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO batches(name, overlap, created_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (name) DO NOTHING",
                (name, int(overlap or 1), self.db.clock.now()),
            )
            if overlap is not None:
                c.execute("UPDATE batches SET overlap = %s WHERE name = %s", (int(overlap), name))
            row = c.execute("SELECT id FROM batches WHERE name = %s", (name,)).fetchone()
            assert row is not None
            return int(row["id"])

    def existing_names(self, names: Iterable[str]) -> set[str]:
        rows = self.db.query("SELECT name FROM clips WHERE name = ANY(%s)", (list(names),))
        return {r["name"] for r in rows}

    def add_clips(self, batch_id: int, clips: Iterable[NewClip]) -> int:
        """Insert in order, ignoring names already present, each with its batch's slots."""
        now = self.db.clock.now()
        rows = [
            (
                c.name,
                batch_id,
                c.audio,
                c.duration,
                c.samplerate,
                c.channels,
                c.asr,
                c.words_json or (json.dumps(c.words) if c.words else None),
                json.dumps(c.alternatives) if c.alternatives else None,
                c.unplayable_reason,
                now,
            )
            for c in clips
        ]
        with self.db.tx() as c:
            # One batch of round trips for the chunk (psycopg pipelines executemany), not two
            # per clip: over a network each is a wait, and a 1M-line import made 2M of them.
            c.executemany(
                "INSERT INTO clips(name, batch_id, audio, duration, samplerate, channels,"
                " asr, asr_words, asr_alternatives, unplayable_reason, created_at)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT (name) DO NOTHING RETURNING id",
                rows,
                returning=True,
            )
            ids: list[int] = []
            while True:
                got = c.fetchone()
                if got is not None:
                    ids.append(int(got["id"]))
                if not c.nextset():
                    break
            if ids:
                c.execute(
                    "INSERT INTO slots(clip_id, n) SELECT i, g FROM unnest(%s::bigint[]) i,"
                    " batches, generate_series(1, overlap) g WHERE batches.id = %s",
                    (ids, batch_id),
                )
                c.execute("NOTIFY earmark_work")
        return len(ids)

    def add_lexicon(self, batch_id: int | None, terms: Iterable[str]) -> int:
        added = 0
        with self.db.tx() as c:
            for t in terms:
                cur = c.execute(
                    "INSERT INTO lexicon(term, batch_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    (t, batch_id),
                )
                added += cur.rowcount
        return added

    def lexicon(self) -> list[str]:
        return [r["term"] for r in self.db.query("SELECT term FROM lexicon ORDER BY term")]

    # -- reading clips --------------------------------------------------------------------
    def clip(self, clip_id: int, annotator: str | None = None) -> Clip | None:
        self._as(annotator)  # through the session user's own slot, whoever asks
        row = self.db.query_one(OWN + " WHERE c.id = %s", (clip_id,))
        return to_clip(row) if row else None

    def clip_by_name(self, name: str) -> Clip | None:
        row = self.db.query_one(OWN + " WHERE c.name = %s", (name,))
        return to_clip(row) if row else None

    def iter_clips(
        self, statuses: Iterable[str] | None = None, chunk: int = 2000
    ) -> Iterator[Clip]:
        """Every clip in import order, whole (all slots the viewer may see), in chunks."""
        wanted = set(statuses) if statuses is not None else None
        last = 0
        while True:
            rows = self.db.query(
                WHOLE + " WHERE c.id > %s ORDER BY c.id LIMIT %s", (last, int(chunk))
            )
            if not rows:
                return
            for r in rows:
                clip = to_clip(r)
                if wanted is None or clip.status in wanted:
                    yield clip
            last = rows[-1]["id"]

    def clip_count(self) -> int:
        """Maintained: the last clip's position (store/postgres/totals.py), one index probe."""
        row = self.db.query_one("SELECT coalesce(max(pos), 0) AS n FROM clips")
        return int(row["n"]) if row else 0

    def position(self, clip_id: int) -> int:
        row = self.db.query_one("SELECT pos FROM clips WHERE id = %s", (clip_id,))
        return int(row["pos"]) if row and row["pos"] is not None else 0

    def status_counts(self) -> dict[str, int]:
        return self.totals().counts

    def totals(self) -> Totals:
        """Clips per whole-clip status, time on finished slots, WER parts of transcribed
        slots: the maintained shards added up (store/postgres/totals.py), never a count."""
        rows = self.db.query(
            "SELECT status, sum(clips) AS n, sum(seconds) AS s, sum(wer_edits) AS e,"
            " sum(wer_words) AS w FROM clip_totals GROUP BY status"
        )
        counts = dict.fromkeys(STATUSES, 0)
        seconds, wer_e, wer_w = 0.0, 0, 0
        for r in rows:
            if r["status"] in counts:
                counts[r["status"]] = int(r["n"])
            if r["status"] in ("done", "skipped"):
                seconds += float(r["s"])
            wer_e, wer_w = wer_e + int(r["e"]), wer_w + int(r["w"])
        return Totals(counts=counts, finished_seconds=seconds, wer_edits=wer_e, wer_words=wer_w)

    def revisions(self, clip_id: int) -> list[Revision]:
        return self.db.query(  # type: ignore[return-value]
            "SELECT status, text, skip_reason, annotator, seconds, at FROM revisions"
            " WHERE clip_id = %s ORDER BY id",
            (clip_id,),
        )

    # -- drafts (each annotator's own; row-level security hides the others') -------------
    def save_draft(
        self, clip_id: int, annotator: str, text: str, cursor: int, seconds: float
    ) -> None:
        self._as(annotator)
        now = self.db.clock.now()
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO drafts(clip_id, text, cursor, seconds, updated_at)"
                " VALUES (%s,%s,%s,%s,%s) ON CONFLICT (clip_id, annotator) DO UPDATE SET"
                " text = excluded.text, cursor = excluded.cursor, seconds = excluded.seconds,"
                " updated_at = excluded.updated_at",
                (clip_id, text, cursor, seconds, now),
            )
            c.execute("SELECT renew_lease(%s, %s, %s)", (clip_id, now, self.lease_seconds))

    def draft(self, clip_id: int, annotator: str | None = None) -> Draft | None:
        self._as(annotator)
        row = self.db.query_one(
            "SELECT clip_id, annotator, text, cursor, seconds, updated_at FROM drafts"
            " WHERE clip_id = %s AND annotator = session_user",
            (clip_id,),
        )
        return Draft(**row) if row else None

    def delete_draft(self, clip_id: int, annotator: str | None = None) -> None:
        self._as(annotator)
        with self.db.tx() as c:
            c.execute(
                "DELETE FROM drafts WHERE clip_id = %s AND annotator = session_user", (clip_id,)
            )

    def mark_unplayable(self, clip_id: int, reason: str) -> None:
        with self.db.tx() as c:
            c.execute("UPDATE clips SET unplayable_reason = %s WHERE id = %s", (reason, clip_id))
            c.execute("SELECT release_slot(%s)", (clip_id,))

    # -- what suggestions and stats read (the viewer's rows) ------------------------------
    def submitted_texts(self) -> list[str]:
        rows = self.db.query(  # never a clip flagged critical: its text holds the data
            "SELECT text FROM slots WHERE state = 'done' AND text IS NOT NULL AND clip_id NOT IN"
            " (SELECT clip_id FROM flags WHERE kind = 'critical' AND state = 'active')"
        )
        return [r["text"] for r in rows]

    def throughput_since(self, since: float) -> list[tuple[str, int, float]]:
        rows = self.db.query(
            "SELECT annotator, count(DISTINCT clip_id) AS n, coalesce(sum(seconds), 0) AS s"
            " FROM revisions WHERE at >= %s AND status IN ('done','skipped')"
            " GROUP BY annotator ORDER BY annotator",
            (since,),
        )
        return [(r["annotator"], int(r["n"]), float(r["s"])) for r in rows]

    def mean_seconds_on_clip(self) -> float | None:
        row = self.db.query_one(
            "SELECT avg(seconds) AS m FROM slots WHERE state IN ('done','skipped')"
        )
        return float(row["m"]) if row and row["m"] is not None else None
