"""The lead's report figures on SQLite: one grouped query per figure, over indexed columns
or the maintained per-batch totals, so the report costs the same on a busy project as the
`stats` line does (measured in tests/bench/bench_report.py).

Times are grouped by UTC hour (`at / 3600`); earmark/reporting/figures.py folds hours into
the reader's local days, so no query depends on the server's time zone. The rows are the
plain records of earmark/store/figure_rows.py, the same on both backends.
"""

from __future__ import annotations

from collections import defaultdict

from earmark.store.base import StoreBase
from earmark.store.figure_rows import BatchWer, HourWork, TaskTime, UserHour

# Clips someone flagged distressing or escalated: what exposure counts (earmark/wellbeing.py).
_FLAGGED = (
    "SELECT clip_id FROM flags WHERE kind IN ('distressing','escalation') AND state = 'active'"
)


class FiguresMixin(StoreBase):
    def hourly_work(self, since: float) -> list[HourWork]:
        """Per annotator and UTC hour since `since`: clips submitted (done) and skipped, and
        the time on them, from the revisions (a clip reopened and resubmitted counts once an
        hour)."""
        rows = self.db.query(
            "SELECT annotator, CAST(at / 3600 AS INTEGER) AS h,"
            " count(DISTINCT clip_id) FILTER (WHERE status = 'done'),"
            " total(seconds) FILTER (WHERE status = 'done'),"
            " count(DISTINCT clip_id) FILTER (WHERE status = 'skipped'),"
            " total(seconds) FILTER (WHERE status = 'skipped')"
            " FROM revisions INDEXED BY revisions_by_at"
            " WHERE at >= ? AND status IN ('done','skipped') GROUP BY annotator, h",
            (since,),
        )
        return [
            HourWork(str(r[0]), int(r[1]) * 3600, int(r[2]), float(r[3]), int(r[4]), float(r[5]))
            for r in rows
        ]

    def task_times(self) -> list[TaskTime]:
        """Per annotator: time on the clips they finished, time listening to them, and what
        productivity leaves out (skipped clips; clips they flagged distressing or escalated
        and handed back, unfinished)."""
        out: dict[str, dict[str, float]] = {}

        def put(name: object, **values: float) -> None:
            out.setdefault(str(name), {}).update(values)

        for who, status, n, secs in self.db.query(
            "SELECT annotator, status, count(*), total(secs) FROM ("
            " SELECT annotator, status, seconds_on_clip AS secs FROM clips"
            "  WHERE status IN ('done','skipped') AND annotator IS NOT NULL"
            " UNION ALL SELECT annotator, state, seconds FROM slots"
            "  WHERE state IN ('done','skipped')"
            ") GROUP BY annotator, status"
        ):
            put(who, **{f"{status}_clips": n, f"{status}_seconds": secs})
        listened: dict[str, float] = defaultdict(float)
        for who, secs in self.db.query(
            # CROSS JOIN fixes the order: each done clip, then its annotator's plays of it by
            # plays_by_clip (left alone the planner may walk every play of the annotator for
            # each clip). Then the later slots of overlapped clips, the same way.
            "SELECT c.annotator, total((p.end - p.start) / p.speed) FROM clips c"
            " CROSS JOIN plays p ON p.clip_id = c.id AND p.user = c.annotator"
            " WHERE c.status = 'done' GROUP BY c.annotator"
            " UNION ALL SELECT s.annotator, total((p.end - p.start) / p.speed) FROM slots s"
            " CROSS JOIN plays p ON p.clip_id = s.clip_id AND p.user = s.annotator"
            " WHERE s.state = 'done' GROUP BY s.annotator"
        ):
            listened[str(who)] += float(secs)
        for who, secs in listened.items():
            put(who, listen_seconds=secs)
        for who, n in self.db.query(
            "SELECT f.raised_by, count(DISTINCT f.clip_id) FROM flags f"
            " JOIN clips c ON c.id = f.clip_id"
            " WHERE f.kind IN ('distressing','escalation')"
            " AND NOT (c.status IN ('done','skipped') AND c.annotator = f.raised_by)"
            " AND NOT EXISTS (SELECT 1 FROM slots s WHERE s.clip_id = f.clip_id"
            "  AND s.annotator = f.raised_by AND s.state IN ('done','skipped'))"
            " GROUP BY f.raised_by"
        ):
            put(who, handed_back=n)
        return [TaskTime.of(name, v) for name, v in sorted(out.items())]

    def wer_by_batch(self) -> list[BatchWer]:
        """Per batch: transcripts and the ASR guess's word error parts (maintained totals for
        each clip's first transcript, the later slots of overlapped clips summed)."""
        rows = self.db.query(
            "SELECT b.name, sum(t.n), sum(t.e), sum(t.w) FROM ("
            " SELECT batch_id AS bid, clips AS n, wer_edits AS e, wer_words AS w"
            "  FROM clip_totals WHERE status = 'done'"
            " UNION ALL SELECT c.batch_id, count(*), total(s.wer_edits), total(s.wer_words)"
            "  FROM slots s JOIN clips c ON c.id = s.clip_id WHERE s.state = 'done'"
            "  GROUP BY c.batch_id"
            ") t JOIN batches b ON b.id = t.bid GROUP BY b.id HAVING sum(t.n) > 0 ORDER BY b.id"
        )
        return [BatchWer(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]

    def exposure_by_hour(self, since: float) -> list[UserHour]:
        """Per listener and UTC hour since `since`: seconds heard of flagged clips."""
        rows = self.db.query(
            "SELECT p.user, CAST(p.at / 3600 AS INTEGER) AS h,"
            " total((p.end - p.start) / p.speed) FROM plays p"
            f" WHERE p.at >= ? AND p.clip_id IN ({_FLAGGED}) GROUP BY p.user, h",
            (since,),
        )
        return [UserHour(str(r[0]), int(r[1]) * 3600, float(r[2])) for r in rows]
