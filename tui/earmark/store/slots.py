"""Overlap on SQLite: a clip of a batch with overlap N takes N independent transcripts.

A clip's row is its first slot (status, annotator, text, lease: as without overlap, so a
project without overlap pays nothing for it); slots 2..N live in `slots`, created with the
clip (or when a lead raises the batch's overlap). `annotations` reads every finished slot.
"""

from __future__ import annotations

from collections.abc import Iterator

from earmark.store.base import StoreBase
from earmark.store.records import Annotation


class SlotsMixin(StoreBase):
    def annotations(self, batch: str | None = None) -> Iterator[Annotation]:
        """Every finished slot, in clip order (first slot first), streamed in chunks."""
        where = "" if batch is None else " AND b.name = ?"
        extra: tuple[str, ...] = () if batch is None else (batch,)
        last = 0
        while True:
            rows = self.db.query(
                "SELECT c.id, c.name, b.name, c.annotator, c.text, c.status,"
                " c.seconds_on_clip, c.submitted_at FROM clips c"
                " JOIN batches b ON b.id = c.batch_id"
                f" WHERE c.id > ? AND c.status IN ('done', 'skipped'){where}"
                " ORDER BY c.id LIMIT 2000",
                (last, *extra),
            )
            if not rows:
                return
            for r in rows:
                yield Annotation(
                    clip_id=int(r[0]),
                    clip=str(r[1]),
                    batch=str(r[2]),
                    annotator=str(r[3] or ""),
                    text=r[4],
                    skipped=r[5] == "skipped",
                    seconds=float(r[6] or 0.0),
                    submitted_at=float(r[7] or 0.0),
                )
            last = int(rows[-1][0])
