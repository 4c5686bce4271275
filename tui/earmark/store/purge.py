"""Deleting a clip and every row that refers to it: consent withdrawn (`purge_clips`).

The referring tables are read from the schema (foreign keys, and any table with a `clip_id`
column), so a table added by a later migration is purged too without this module knowing it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def _referrers(c: sqlite3.Connection, parent: str) -> list[tuple[str, str, str]]:
    """(table, column, parent column) for every foreign key that points at `parent`, and,
    for clips, every table with a `clip_id` column even without one (the word index)."""
    out = []
    tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        fks = [
            (table, fk["from"], fk["to"] or "id")
            for fk in c.execute(f'PRAGMA foreign_key_list("{table}")')
            if fk["table"] == parent
        ]
        if not fks and parent == "clips" and table != "clips":
            columns = {r["name"] for r in c.execute(f'PRAGMA table_info("{table}")')}
            if "clip_id" in columns:
                fks = [(table, "clip_id", "id")]
        out.extend(fks)
    return out


def purge_rows(
    c: sqlite3.Connection,
    table: str,
    column: str,
    values: Sequence[object],
    counts: dict[str, int],
) -> None:
    """Delete rows of `table` whose `column` is in `values`, children first."""
    for child, child_col, parent_col in _referrers(c, table):
        keys: list[object] = []
        for i in range(0, len(values), 900):
            chunk = values[i : i + 900]
            q = (
                f'SELECT "{parent_col}" FROM "{table}"'
                f' WHERE "{column}" IN ({",".join("?" * len(chunk))})'
            )
            keys.extend(r[0] for r in c.execute(q, chunk))
        if keys and child != table:
            purge_rows(c, child, child_col, keys, counts)
    for i in range(0, len(values), 900):
        chunk = values[i : i + 900]
        cur = c.execute(
            f'DELETE FROM "{table}" WHERE "{column}" IN ({",".join("?" * len(chunk))})', chunk
        )
        counts[table] = counts.get(table, 0) + cur.rowcount
