"""Clips, transcripts, drafts and the lexicon: the annotation half of the store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from earmark.store.base import StoreBase
from earmark.store.purge import purge_rows
from earmark.store.records import (
    SKIP_REASONS,
    STATUSES,
    Clip,
    Draft,
    NewClip,
    Revision,
    Totals,
    Word,
)
from earmark.wer import edits

__all__ = ["SKIP_REASONS", "STATUSES", "Clip", "ClipsMixin", "Draft", "NewClip", "Word"]

# One encoder for every row: json.dumps with options builds a new encoder per call, which
# would cost a little at import speed; compact separators also keep rows smaller.
_compact = json.JSONEncoder(separators=(",", ":")).encode

_CLIP_SELECT = """
SELECT c.id, c.name, b.name AS batch, c.audio, c.duration, c.samplerate, c.channels,
       c.asr, c.asr_words, c.asr_alternatives, c.status, c.skip_reason, c.text,
       c.annotator, c.seconds_on_clip, c.submitted_at, c.asr_source
FROM clips c JOIN batches b ON b.id = c.batch_id
"""


def _clip(row: sqlite3.Row) -> Clip:
    words = tuple(Word(**w) for w in json.loads(row["asr_words"])) if row["asr_words"] else ()
    alts = tuple(json.loads(row["asr_alternatives"])) if row["asr_alternatives"] else ()
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
        status=row["status"],
        skip_reason=row["skip_reason"],
        text=row["text"],
        annotator=row["annotator"],
        seconds_on_clip=row["seconds_on_clip"],
        submitted_at=row["submitted_at"],
        guess_source=row["asr_source"],
    )


class ClipsMixin(StoreBase):
    # -- batches and import ----------------------------------------------------------
    def batch_id(self, name: str) -> int:
        with self.db.write() as c:
            c.execute(
                "INSERT OR IGNORE INTO batches(name, created_at) VALUES (?, ?)",
                (name, self.db.clock.now()),
            )
            return int(c.execute("SELECT id FROM batches WHERE name = ?", (name,)).fetchone()[0])

    def existing_names(self, names: Iterable[str]) -> set[str]:
        wanted = list(names)
        found: set[str] = set()
        for i in range(0, len(wanted), 900):
            chunk = wanted[i : i + 900]
            q = f"SELECT name FROM clips WHERE name IN ({','.join('?' * len(chunk))})"
            found.update(r[0] for r in self.db.query(q, tuple(chunk)))
        return found

    def add_clips(self, batch_id: int, clips: Iterable[NewClip]) -> int:
        """Insert in order, ignoring names already present; returns how many were new."""
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
                c.words_json or (_compact(c.words) if c.words else None),
                _compact(c.alternatives) if c.alternatives else None,
                "unplayable" if c.unplayable_reason else "pending",
                c.unplayable_reason,
                now,
            )
            for c in clips
        ]
        with self.db.write() as conn:
            # rowcount, not total_changes: the triggers' own writes must not count as clips
            cur = conn.executemany(
                "INSERT OR IGNORE INTO clips(name, batch_id, audio, duration, samplerate, channels,"
                " asr, asr_words, asr_alternatives, status, skip_reason, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            added = max(cur.rowcount, 0)
        self.db.bulk_step(len(rows))
        return added

    def add_lexicon(self, batch_id: int | None, terms: Iterable[str]) -> int:
        with self.db.write() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO lexicon(term, batch_id) VALUES (?, ?)",
                ((t, batch_id) for t in terms),
            )
            return conn.total_changes - before

    def lexicon(self) -> list[str]:
        return [r[0] for r in self.db.query("SELECT term FROM lexicon ORDER BY term")]

    # -- reading clips ---------------------------------------------------------------
    def clip(self, clip_id: int) -> Clip | None:
        row = self.db.query_one(_CLIP_SELECT + " WHERE c.id = ?", (clip_id,))
        return _clip(row) if row else None

    def clip_by_name(self, name: str) -> Clip | None:
        row = self.db.query_one(_CLIP_SELECT + " WHERE c.name = ?", (name,))
        return _clip(row) if row else None

    def iter_clips(
        self, statuses: Iterable[str] | None = None, chunk: int = 2000
    ) -> Iterator[Clip]:
        """Every clip in import order, read in chunks so memory stays flat on big stores."""
        where = ""
        params: tuple[str, ...] = ()
        if statuses is not None:
            st = tuple(statuses)
            where = f" AND c.status IN ({','.join('?' * len(st))})"
            params = st
        last = 0
        while True:
            rows = self.db.query(
                _CLIP_SELECT + f" WHERE c.id > ?{where} ORDER BY c.id LIMIT {chunk}",
                (last, *params),
            )
            if not rows:
                return
            for r in rows:
                yield _clip(r)
            last = rows[-1]["id"]

    def totals(self) -> Totals:
        """Maintained by triggers in the same transaction as every change to a clip."""
        counts = dict.fromkeys(STATUSES, 0)
        seconds = 0.0
        wer_e = wer_n = 0
        for status, n, secs, e, w in self.db.query(
            "SELECT status, sum(clips), total(seconds), sum(wer_edits), sum(wer_words)"
            " FROM clip_totals GROUP BY status"
        ):
            counts[status] = int(n)
            if status in ("done", "skipped"):
                seconds += float(secs)
            if status == "done":
                wer_e, wer_n = int(e), int(w)
        # a gold clip is held 'in_progress' so the queue never hands it out; to everyone it
        # is a clip nobody finished, as export shows it (one row per gold clip: cheap)
        (held,) = self.db.query(
            "SELECT count(*) FROM gold JOIN clips ON clips.id = gold.clip_id"
            " WHERE clips.status = 'in_progress'"
        )[0]
        counts["in_progress"] -= int(held)
        counts["pending"] += int(held)
        return Totals(counts=counts, finished_seconds=seconds, wer_edits=wer_e, wer_words=wer_n)

    def status_counts(self) -> dict[str, int]:
        return self.totals().counts

    # -- annotating ------------------------------------------------------------------
    def _finish(
        self,
        clip_id: int,
        status: str,
        text: str | None,
        reason: str | None,
        annotator: str,
        seconds: float,
    ) -> None:
        now = self.db.clock.now()
        # Its own durable transaction, or the caller's when one is open (a bulk build of a
        # benchmark project runs many real submits in one commit).
        with self._tx() as c:
            before = c.execute(
                "SELECT status, asr, annotator, lease_until FROM clips WHERE id = ?", (clip_id,)
            ).fetchone()
            # A clip claimed through store/queue.py is its claimant's: once another annotator
            # took it over (the first claim ran out), the first one's submit is refused.
            if before is not None and before[3] is not None and before[2] not in (None, annotator):
                from earmark.store.queue import LeaseLost

                raise LeaseLost(
                    "not saved: your claim on this clip ran out and another annotator took it"
                )
            # The word error rate's parts, kept per clip so `stats` only adds up maintained sums.
            wer_e, wer_n = (None, None)
            if status == "done" and before is not None:
                wer_e, wer_n = edits(text, before[1]) if text is not None else (0, 0)
            c.execute(
                "UPDATE clips SET status = ?, text = ?, skip_reason = ?, annotator = ?,"
                " seconds_on_clip = seconds_on_clip + ?, submitted_at = ?, updated_at = ?,"
                " wer_edits = ?, wer_words = ?"
                " WHERE id = ? AND status != 'unplayable'",
                (status, text, reason, annotator, seconds, now, now, wer_e, wer_n, clip_id),
            )
            c.execute(
                "INSERT INTO revisions(clip_id, status, text, skip_reason, annotator, seconds, at)"
                " VALUES (?,?,?,?,?,?,?)",
                (clip_id, status, text, reason, annotator, seconds, now),
            )
            c.execute(
                "DELETE FROM drafts WHERE clip_id = ? AND annotator = ?", (clip_id, annotator)
            )
            # Same transaction: the audit line (no transcript text) commits with the submit.
            self._ensure_user(c, annotator)
            detail: dict[str, Any] = {
                "seconds": round(seconds, 3),
                "reopened": bool(before and before[0] in ("done", "skipped")),
            }
            if status == "done":
                detail["word_count"] = len((text or "").split())
            else:
                detail["reason"] = reason
            self.audit_append(annotator, "submit" if status == "done" else "skip", clip_id, detail)

    def mark_unplayable(self, clip_id: int, reason: str) -> None:
        with self.db.write() as c:
            c.execute(
                "UPDATE clips SET status = 'unplayable', skip_reason = ?, updated_at = ?"
                " WHERE id = ?",
                (reason, self.db.clock.now(), clip_id),
            )

    def revisions(self, clip_id: int) -> list[Revision]:
        return [
            Revision(
                status=r[0], text=r[1], skip_reason=r[2], annotator=r[3], seconds=r[4], at=r[5]
            )
            for r in self.db.query(
                "SELECT status, text, skip_reason, annotator, seconds, at FROM revisions"
                " WHERE clip_id = ? ORDER BY id",
                (clip_id,),
            )
        ]

    # -- drafts ----------------------------------------------------------------------
    def save_draft(
        self, clip_id: int, annotator: str, text: str, cursor: int, seconds: float
    ) -> None:
        with self.db.write() as c:
            c.execute(
                "INSERT INTO drafts(clip_id, annotator, text, cursor, seconds, updated_at)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT(clip_id, annotator) DO UPDATE SET"
                " text = excluded.text, cursor = excluded.cursor, seconds = excluded.seconds,"
                " updated_at = excluded.updated_at",
                (clip_id, annotator, text, cursor, seconds, self.db.clock.now()),
            )

    def draft(self, clip_id: int, annotator: str | None = None) -> Draft | None:
        """`annotator`'s own draft of the clip (without one: the clip's newest draft)."""
        who, args = (" AND annotator = ?", (clip_id, annotator)) if annotator else ("", (clip_id,))
        row = self.db.query_one(
            "SELECT clip_id, annotator, text, cursor, seconds, updated_at FROM drafts"
            f" WHERE clip_id = ?{who} ORDER BY updated_at DESC LIMIT 1",
            args,
        )
        return Draft(*row) if row else None

    def delete_draft(self, clip_id: int, annotator: str | None = None) -> None:
        """`annotator`'s own draft of the clip (without one: every draft of it)."""
        who, args = (" AND annotator = ?", (clip_id, annotator)) if annotator else ("", (clip_id,))
        with self.db.write() as c:
            c.execute(f"DELETE FROM drafts WHERE clip_id = ?{who}", args)

    # -- consent withdrawn: the clip and everything derived from it go ------------------
    def purge_clips(self, names: Iterable[str], *, actor: str, reason: str) -> dict[str, int]:
        """Delete the named clips and every row that refers to them, in one transaction.

        Referring tables are found from the schema's foreign keys (recursively: a flag's
        escalation goes with the flag), so a table added later is purged too. The audit
        log keeps what it already holds (pseudonyms and numbers, never text) plus one entry
        counting what went. Returns {table: rows deleted}, `clips` included.
        """
        wanted = sorted(set(names))
        counts: dict[str, int] = {}
        if not wanted:
            return counts
        with self._tx() as c:
            ids: list[int] = []
            for i in range(0, len(wanted), 900):
                chunk = wanted[i : i + 900]
                q = f"SELECT id FROM clips WHERE name IN ({','.join('?' * len(chunk))})"
                ids.extend(r[0] for r in c.execute(q, chunk))
            if ids:
                c.execute("PRAGMA secure_delete = ON")  # purged text is zeroed, not left
                unlearn = getattr(type(self), "_unlearn", None)  # the word index's counts
                if unlearn is not None:
                    for clip_id in ids:
                        unlearn(c, clip_id)
                purge_rows(c, "clips", "id", ids, counts)
                detail = {"reason": reason, **{k: v for k, v in sorted(counts.items()) if v}}
                self.audit_append(actor, "purge", None, detail)
        return counts

    # -- what suggestions and stats read ---------------------------------------------
    def submitted_texts(self) -> list[str]:
        """What the suggester learns from: never a clip with an active critical flag, whose
        transcript holds the personal data the flag is about."""
        return [
            r[0]
            for r in self.db.query(
                "SELECT text FROM clips WHERE status = 'done' AND text IS NOT NULL"
                " AND id NOT IN (SELECT clip_id FROM flags"
                "  WHERE kind = 'critical' AND state = 'active')"
            )
        ]

    def submit_times(self, annotator: str, since: float) -> list[float]:
        """When `annotator` last submitted each clip they submitted since `since` (done only)."""
        return [
            float(r[0])
            for r in self.db.query(
                # INDEXED BY: for the GROUP BY the planner would rather walk every revision
                # in clip order (a third of a second at 900k revisions) than the recent few
                "SELECT max(at) FROM revisions INDEXED BY revisions_by_at"
                " WHERE at >= ? AND status = 'done' AND annotator = ? GROUP BY clip_id",
                (since, annotator),
            )
        ]

    def throughput_since(self, since: float) -> list[tuple[str, int, float]]:
        """Per annotator since `since`: (annotator, clips finished, seconds spent on them)."""
        return [
            (str(r[0]), int(r[1]), float(r[2]))
            for r in self.db.query(
                "SELECT annotator, count(DISTINCT clip_id), coalesce(sum(seconds), 0)"
                " FROM revisions WHERE at >= ? AND status IN ('done','skipped')"
                " GROUP BY annotator ORDER BY annotator",
                (since,),
            )
        ]

    def mean_seconds_on_clip(self) -> float | None:
        """Average time annotators spent per finished (done or skipped) clip."""
        return self.totals().mean_seconds_on_clip
