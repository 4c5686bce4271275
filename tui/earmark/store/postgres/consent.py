"""Withdrawn consent and project set-up on PostgreSQL: purge, bulk import, who leads.

A purge deletes the clips and, through the schema's ON DELETE CASCADE, every row that
refers to them (slots, revisions, drafts, flags with their notes and escalations, plays),
in one transaction that PostgreSQL lets only leads run. The audit log keeps its entries
(pseudonyms and numbers, never text) plus one counting what went.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from earmark.store.postgres.base import PgBase

_REFERRING = ("slots", "revisions", "drafts", "flags", "escalations", "plays")


class PgConsentMixin(PgBase):
    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Each add_clips is already one transaction; after the import the planner is told
        the queue's new size at once (refresh_queue_stats), so the first claims do not run
        on a plan made for an empty table."""
        yield
        self.db.query_one("SELECT refresh_queue_stats() AS done")

    def name_lead_if_none(self, name: str) -> bool:
        """On PostgreSQL nobody becomes lead by arriving first: a lead is a GRANT of
        earmark_lead, made by the owner or another lead (`earmark roles grant`)."""
        self._as(name)
        return False

    def purge_clips(self, names: Iterable[str], *, actor: str, reason: str) -> dict[str, int]:
        """Delete the named clips and everything derived from them; {table: rows} deleted."""
        wanted = sorted(set(names))
        counts: dict[str, int] = {}
        if not wanted:
            return counts
        with self.db.tx() as c:
            ids = [
                int(r["id"])
                for r in c.execute("SELECT id FROM clips WHERE name = ANY(%s)", (wanted,))
            ]
            if not ids:
                return counts
            for table in _REFERRING:
                row = c.execute(
                    f"SELECT count(*) AS n FROM {table} WHERE clip_id = ANY(%s)", (ids,)
                ).fetchone()
                counts[table] = int(row["n"]) if row else 0
            for table in ("clip_words", "learned_utterances"):  # the purger's own index
                counts[table] = c.execute(
                    f"DELETE FROM {table} WHERE clip_id = ANY(%s)", (ids,)
                ).rowcount
            counts["clips"] = c.execute("DELETE FROM clips WHERE id = ANY(%s)", (ids,)).rowcount
            detail = {"reason": reason, **{k: v for k, v in sorted(counts.items()) if v}}
            self.audit_append(actor, "purge", None, detail)
        return counts
