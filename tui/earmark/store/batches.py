"""Batch settings on SQLite: overlap, gold rate, review share, listening required.

Given at import and changed later by a lead (`earmark batch set`); every change is audited
with who made it and the values before and after. The gold, review and listening rules read
them through `batch_settings`; the queue reads `overlap` to know how many independent
transcripts a clip needs (store/slots.py keeps the extra slots in step with it).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from earmark import roles as roles_mod
from earmark.errors import UserError
from earmark.store.base import StoreBase
from earmark.store.records import BATCH_FIELDS, BatchSettings, check_batch_changes

_COLUMNS = "name, " + ", ".join(BATCH_FIELDS)


def _settings(row: sqlite3.Row | tuple[Any, ...]) -> BatchSettings:
    return BatchSettings(str(row[0]), int(row[1]), float(row[2]), float(row[3]), float(row[4]))


class BatchesMixin(StoreBase):
    def batch_settings(self, batch: str) -> BatchSettings:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM batches WHERE name = ?", (batch,))
        if row is None:
            raise UserError(f"no batch named {batch!r} in {self.location}")
        return _settings(row)

    def batches(self) -> list[BatchSettings]:
        """Every batch with its settings, oldest first."""
        return [_settings(r) for r in self.db.query(f"SELECT {_COLUMNS} FROM batches ORDER BY id")]

    def set_batch_settings(self, batch: str, *, actor: str | None = None, **changes: Any) -> None:
        """Change a batch's settings (only the ones given). With `actor`, only a lead may;
        without, the caller answers for it (an import creating its batch checks first)."""
        values = check_batch_changes(changes)
        if not values:
            return
        with self._tx() as c:
            if actor is not None:
                roles_mod.require(
                    actor, self._ensure_user(c, actor), ("lead",), "change batch settings"
                )
            row = c.execute(
                f"SELECT id, {_COLUMNS} FROM batches WHERE name = ?", (batch,)
            ).fetchone()
            if row is None:
                raise UserError(f"no batch named {batch!r} in {self.location}")
            before = _settings(row[1:])
            sets = ", ".join(f"{k} = ?" for k in values)
            c.execute(f"UPDATE batches SET {sets} WHERE id = ?", (*values.values(), row[0]))
            if "overlap" in values and values["overlap"] != before.overlap:
                self._overlap_changed(c, int(row[0]), int(values["overlap"]))
            was = {k: getattr(before, k) for k in values}
            self.audit_append(
                actor or "earmark",
                "batch_settings",
                None,
                {"batch": batch, "was": was, "now": dict(values)},
            )

    def _overlap_changed(self, c: sqlite3.Connection, batch_id: int, overlap: int) -> None:
        """Keep each clip's slots in step with the batch's overlap (store/slots.py)."""
