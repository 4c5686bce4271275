"""The lead's report figures on PostgreSQL, through functions only a lead may run.

Reviewers can read revisions and plays row by row (they need to, to review), but the
per-annotator figures are a lead's: each figure is a SECURITY DEFINER function that refuses
anyone not in `earmark_lead` (42501, earmark's one-line PermissionDenied) and whose EXECUTE
is granted to `earmark_lead` alone. One grouped query each, as on SQLite
(earmark/store/figures.py), in UTC hours so the server's time zone never matters.
"""

from __future__ import annotations

from earmark.store.figure_rows import BatchWer, HourWork, TaskTime, UserHour
from earmark.store.postgres.base import PgBase


class PgFiguresMixin(PgBase):
    def hourly_work(self, since: float) -> list[HourWork]:
        rows = self.db.query("SELECT * FROM report_hourly_work(%s)", (since,))
        return [
            HourWork(
                r["annotator"],
                int(r["h"]) * 3600,
                int(r["done"]),
                float(r["done_s"]),
                int(r["skipped"]),
                float(r["skipped_s"]),
            )
            for r in rows
        ]

    def task_times(self) -> list[TaskTime]:
        out: dict[str, dict[str, float]] = {}
        for r in self.db.query("SELECT * FROM report_task_times()"):
            is_seconds = r["what"].endswith("seconds")
            value = float(r["secs"]) if is_seconds else float(r["n"])
            out.setdefault(r["annotator"], {})[r["what"]] = value
        return [TaskTime.of(name, v) for name, v in sorted(out.items())]

    def wer_by_batch(self) -> list[BatchWer]:
        rows = self.db.query("SELECT * FROM report_wer_by_batch()")
        return [
            BatchWer(r["batch"], int(r["done"]), int(r["edits"]), int(r["words"])) for r in rows
        ]

    def exposure_by_hour(self, since: float) -> list[UserHour]:
        rows = self.db.query("SELECT * FROM report_exposure_by_hour(%s)", (since,))
        return [UserHour(r["who"], int(r["h"]) * 3600, float(r["secs"])) for r in rows]
