"""Batch settings on PostgreSQL: the same values and rules as on SQLite (store/batches.py).

Only leads may change them, and PostgreSQL says so (UPDATE on batches is granted to
earmark_lead alone); the check here only turns that into a plain sentence first. A changed
overlap adds the missing slots to every clip of the batch, or removes slots nobody holds.
The finished slots are read back here too (`annotations`), for agreement between annotators.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from earmark.errors import UserError
from earmark.store.postgres.people import PgPeopleMixin
from earmark.store.records import (
    BATCH_FIELDS,
    Annotation,
    BatchSettings,
    check_batch_changes,
)

_COLUMNS = "name, " + ", ".join(BATCH_FIELDS)


def _settings(row: dict[str, Any]) -> BatchSettings:
    return BatchSettings(
        str(row["name"]),
        int(row["overlap"]),
        float(row["gold_rate"]),
        float(row["review_share"]),
        float(row["min_listen"]),
    )


class PgBatchesMixin(PgPeopleMixin):
    def batch_settings(self, batch: str) -> BatchSettings:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM batches WHERE name = %s", (batch,))
        if row is None:
            raise UserError(f"no batch named {batch!r} in {self.location}")
        return _settings(row)

    def batches(self) -> list[BatchSettings]:
        """Every batch with its settings, oldest first."""
        return [_settings(r) for r in self.db.query(f"SELECT {_COLUMNS} FROM batches ORDER BY id")]

    def set_batch_settings(self, batch: str, *, actor: str | None = None, **changes: Any) -> None:
        values = check_batch_changes(changes)
        if not values:
            return
        self.require_role(actor or self.me, ("lead",), "change batch settings")
        with self.db.tx() as c:
            row = c.execute(
                f"SELECT id, {_COLUMNS} FROM batches WHERE name = %s FOR UPDATE", (batch,)
            ).fetchone()
            if row is None:
                raise UserError(f"no batch named {batch!r} in {self.location}")
            before = _settings(row)
            sets = ", ".join(f"{k} = %s" for k in values)
            c.execute(f"UPDATE batches SET {sets} WHERE id = %s", (*values.values(), row["id"]))
            overlap = values.get("overlap")
            if overlap is not None and overlap != before.overlap:
                # new slots for every clip short of the overlap; open slots beyond it go
                c.execute(
                    "INSERT INTO slots(clip_id, n) SELECT c.id, g FROM clips c,"
                    " generate_series(1, %s) g WHERE c.batch_id = %s"
                    " ON CONFLICT (clip_id, n) DO NOTHING",
                    (int(overlap), row["id"]),
                )
                c.execute(
                    "DELETE FROM slots s USING clips c WHERE c.id = s.clip_id"
                    " AND c.batch_id = %s AND s.n > %s AND s.state = 'open'",
                    (row["id"], int(overlap)),
                )
                c.execute("NOTIFY earmark_work")
        was = {k: getattr(before, k) for k in values}
        self.audit_append(
            self.me, "batch_settings", None, {"batch": batch, "was": was, "now": dict(values)}
        )

    def annotations(self, batch: str | None = None) -> Iterator[Annotation]:
        """Every finished slot the viewer may see (row-level security: an annotator their
        own), in clip order, fetched in chunks so a large project streams."""
        where = "" if batch is None else " AND b.name = %(batch)s"
        last = (0, 0)
        while True:
            rows = self.db.query(
                "SELECT s.clip_id, s.n, c.name AS clip, b.name AS batch, s.annotator, s.text,"
                " s.state, s.seconds, s.submitted_at FROM slots s"
                " JOIN clips c ON c.id = s.clip_id JOIN batches b ON b.id = c.batch_id"
                " WHERE s.state IN ('done', 'skipped') AND (s.clip_id, s.n) > (%(c)s, %(n)s)"
                f"{where} ORDER BY s.clip_id, s.n LIMIT 2000",
                {"c": last[0], "n": last[1], "batch": batch},
            )
            if not rows:
                return
            for r in rows:
                yield Annotation(
                    clip_id=int(r["clip_id"]),
                    clip=r["clip"],
                    batch=r["batch"],
                    annotator=r["annotator"],
                    text=r["text"],
                    skipped=r["state"] == "skipped",
                    seconds=float(r["seconds"] or 0.0),
                    submitted_at=float(r["submitted_at"] or 0.0),
                )
            last = (int(rows[-1]["clip_id"]), int(rows[-1]["n"]))
