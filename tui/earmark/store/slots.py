"""Overlap on SQLite: a clip of a batch with overlap N takes N independent, blind transcripts.

A clip's own row is its first slot (status, annotator, text, lease: as without overlap, so a
project without overlap pays nothing for it); slots 2..N live in `slots`, made with the clip
by a trigger (or when a lead raises the batch's overlap). The store's figures and exports
count a clip by its first slot; `annotations` reads every finished slot, for agreement.

Blind: an annotator who holds a slot sees the clip through it (their status, their text,
their own draft: drafts are per annotator), and one who has no slot of an overlapped clip
sees it as not yet started, never someone else's transcript. A submit by someone who holds
no slot of the clip any more (their lease ran out and another annotator took it) is refused
with LeaseLost and the text kept as their draft.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from typing import Any

from earmark.store.batches import BatchesMixin
from earmark.store.clips import ClipsMixin
from earmark.store.queue import LeaseLost, QueueMixin
from earmark.store.records import Annotation, Clip
from earmark.wer import edits

_STATUS = {"open": "pending", "leased": "in_progress", "done": "done", "skipped": "skipped"}
_LOST = (
    "not saved as submitted: your hold on this clip ran out and another annotator took it;"
    " your text is kept as your draft"
)


class SlotsMixin(ClipsMixin, QueueMixin, BatchesMixin):
    def clip(self, clip_id: int, annotator: str | None = None) -> Clip | None:
        """The clip; for an annotator, as they may see it (see the module docstring)."""
        clip = super().clip(clip_id)
        if clip is None or annotator is None or clip.annotator == annotator:
            return clip
        row = self.db.query_one(
            "SELECT state, text, skip_reason, seconds, submitted_at FROM slots"
            " WHERE clip_id = ? AND annotator = ?",
            (clip_id, annotator),
        )
        if row is not None:
            return dataclasses.replace(
                clip,
                status=_STATUS[row[0]],
                text=row[1],
                skip_reason=row[2],
                annotator=annotator,
                seconds_on_clip=float(row[3]),
                submitted_at=row[4],
            )
        if clip.status in ("pending", "unplayable") or not self._overlapped(clip_id):
            return clip
        return dataclasses.replace(
            clip,
            status="pending",
            text=None,
            skip_reason=None,
            annotator=None,
            seconds_on_clip=0.0,
            submitted_at=None,
        )

    def _overlapped(self, clip_id: int) -> bool:
        return (
            self.db.query_one("SELECT 1 FROM slots WHERE clip_id = ? LIMIT 1", (clip_id,))
            is not None
        )

    # -- finishing a slot ----------------------------------------------------------------------
    def submit(self, clip_id: int, text: str, annotator: str, seconds: float) -> None:
        self._finish_slot(clip_id, "done", text, None, annotator, seconds)

    def skip(self, clip_id: int, reason: str, annotator: str, seconds: float) -> None:
        self._finish_slot(clip_id, "skipped", None, reason, annotator, seconds)

    def _finish_slot(
        self,
        clip_id: int,
        status: str,
        text: str | None,
        reason: str | None,
        annotator: str,
        seconds: float,
    ) -> None:
        try:
            with self._tx() as c:
                slot = c.execute(
                    "SELECT n, state FROM slots WHERE clip_id = ? AND annotator = ?",
                    (clip_id, annotator),
                ).fetchone()
                if slot is None:
                    first = c.execute(
                        "SELECT annotator, status FROM clips WHERE id = ?", (clip_id,)
                    ).fetchone()
                    taken = first is not None and first[0] not in (None, annotator)
                    if taken and self._overlapped(clip_id):
                        raise LeaseLost(_LOST)
                    self._finish(clip_id, status, text, reason, annotator, seconds)
                else:
                    self._finish_extra(
                        c, clip_id, int(slot[0]), slot[1], status, text, reason, annotator, seconds
                    )
        except LeaseLost:
            if text is not None:  # keep what was typed: the annotator's own draft
                self.save_draft(clip_id, annotator, text, len(text), seconds)
            self.forget(clip_id)
            raise LeaseLost(f"{_LOST} (clip {self.position(clip_id)})") from None
        self.forget(clip_id)

    def _finish_extra(
        self,
        c: sqlite3.Connection,
        clip_id: int,
        n: int,
        was: str,
        status: str,
        text: str | None,
        reason: str | None,
        annotator: str,
        seconds: float,
    ) -> None:
        now = self.db.clock.now()
        asr = c.execute("SELECT asr FROM clips WHERE id = ?", (clip_id,)).fetchone()
        wer: tuple[int | None, int | None] = (None, None)
        if status == "done" and asr is not None:
            wer = edits(text, asr[0]) if text is not None else (0, 0)
        c.execute(
            "UPDATE slots SET state = ?, text = ?, skip_reason = ?, seconds = seconds + ?,"
            " submitted_at = ?, lease_until = NULL, wer_edits = ?, wer_words = ?"
            " WHERE clip_id = ? AND n = ?",
            (status, text, reason, seconds, now, *wer, clip_id, n),
        )
        c.execute(
            "INSERT INTO revisions(clip_id, status, text, skip_reason, annotator, seconds, at)"
            " VALUES (?,?,?,?,?,?,?)",
            (clip_id, status, text, reason, annotator, seconds, now),
        )
        c.execute("DELETE FROM drafts WHERE clip_id = ? AND annotator = ?", (clip_id, annotator))
        detail: dict[str, Any] = {
            "seconds": round(seconds, 3),
            "reopened": was in ("done", "skipped"),
            "slot": n,
        }
        if status == "done":
            detail["word_count"] = len((text or "").split())
        else:
            detail["reason"] = reason
        self.audit_append(annotator, "submit" if status == "done" else "skip", clip_id, detail)

    # -- overlap changed by a lead ---------------------------------------------------------------
    def _overlap_changed(self, c: sqlite3.Connection, batch_id: int, overlap: int) -> None:
        """Every clip of the batch gets the slots it now lacks; free slots beyond go."""
        c.execute(
            "INSERT OR IGNORE INTO slots(clip_id, n) SELECT c.id, k.n FROM clips c"
            " JOIN slot_numbers k ON k.n <= ? WHERE c.batch_id = ?",
            (overlap, batch_id),
        )
        c.execute(
            "DELETE FROM slots WHERE n > ? AND state = 'open'"
            " AND clip_id IN (SELECT id FROM clips WHERE batch_id = ?)",
            (overlap, batch_id),
        )

    # -- reading every transcript ------------------------------------------------------------------
    def annotations(self, batch: str | None = None) -> Iterator[Annotation]:
        """Every finished slot, in clip order (first slot first), read a window of clips at a
        time so a million-clip project streams."""
        where = "" if batch is None else " AND b.name = :batch"
        last = 0
        while True:
            ids = [
                r[0]
                for r in self.db.query(
                    "SELECT id FROM clips WHERE id > ? ORDER BY id LIMIT 2000", (last,)
                )
            ]
            if not ids:
                return
            rows = self.db.query(
                "SELECT c.id, 1 AS n, c.name, b.name, c.annotator, c.text, c.status,"
                " c.seconds_on_clip, c.submitted_at FROM clips c JOIN batches b"
                " ON b.id = c.batch_id WHERE c.id BETWEEN :lo AND :hi"
                f" AND c.status IN ('done', 'skipped'){where}"
                " UNION ALL SELECT s.clip_id, s.n, c.name, b.name, s.annotator, s.text, s.state,"
                " s.seconds, s.submitted_at FROM slots s JOIN clips c ON c.id = s.clip_id"
                " JOIN batches b ON b.id = c.batch_id WHERE s.clip_id BETWEEN :lo AND :hi"
                f" AND s.state IN ('done', 'skipped'){where} ORDER BY 1, 2",
                {"lo": ids[0], "hi": ids[-1], "batch": batch},
            )
            for r in rows:
                yield Annotation(
                    clip_id=int(r[0]),
                    clip=str(r[2]),
                    batch=str(r[3]),
                    annotator=str(r[4] or ""),
                    text=r[5],
                    skipped=r[6] == "skipped",
                    seconds=float(r[7] or 0.0),
                    submitted_at=float(r[8] or 0.0),
                )
            last = int(ids[-1])
