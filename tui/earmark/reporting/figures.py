"""The figures behind `earmark report` and `earmark stats --json`, as plain numbers.

Each section reads the store through one method (one grouped query, or maintained totals),
so the report's cost follows the number of annotators, batches and hours, not of clips.
Hours come from the store in UTC and are folded here into the reader's local hours and
days. Sections whose data this project does not have (no gold answer, no clip transcribed
twice, no review) are None, never zeros: a chart of invented figures is worse than none.

Productivity (clips per hour of time on task, seconds per clip) counts finished clips only:
time on skipped clips and on clips handed back for wellbeing reasons is reported beside it,
never in it. Time on task is time with the clip open less idle time (earmark/session/
listening.py: no key and no playback for more than IDLE_LIMIT seconds).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

from earmark.escalation import TIERS, Escalation
from earmark.reporting.quality import agreement_by_day, gold_by_day, review_outcomes
from earmark.session.listening import IDLE_LIMIT
from earmark.store.protocol import Store

DAY = 86400.0


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _local(ts: float, fmt: str, tz: dt.tzinfo | None) -> str:
    return dt.datetime.fromtimestamp(ts, tz).strftime(fmt)


def throughput(store: Store, since: float, tz: dt.tzinfo | None) -> dict[str, Any]:
    """Clips submitted per annotator per local hour, and their time on task."""
    by: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for row in store.hourly_work(since):
        hour = _local(row.hour, "%Y-%m-%d %H:00", tz)
        cell = by[row.annotator].setdefault(hour, {"clips": 0, "seconds": 0.0, "skipped": 0})
        cell["clips"] += row.done
        cell["seconds"] += row.done_seconds
        cell["skipped"] += row.skipped
    return {
        name: {h: {k: _r(v, 1) for k, v in c.items()} for h, c in sorted(hours.items())}
        for name, hours in sorted(by.items())
    }


def time_on_task(store: Store) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for t in store.task_times():
        per_clip = t.open_seconds / t.done if t.done else None
        out[t.annotator] = {
            "done": t.done,
            "seconds_on_task": _r(t.open_seconds, 1),
            "listening_seconds": _r(t.listen_seconds, 1),
            "seconds_per_clip": _r(per_clip, 1),
            "listening_per_clip": _r(t.listen_seconds / t.done if t.done else None, 1),
            "clips_per_hour": _r(t.done * 3600 / t.open_seconds if t.open_seconds else None, 1),
            "excluded": {
                "skipped": t.skipped,
                "skipped_seconds": _r(t.skipped_seconds, 1),
                "handed_back": t.handed_back,
            },
        }
    return out


def wer_by_batch(store: Store) -> dict[str, Any]:
    return {
        b.batch: {"done": b.done, "wer": _r(b.edits / b.words, 4) if b.words else None}
        for b in store.wer_by_batch()
    }


def exposure(store: Store, since: float, tz: dt.tzinfo | None) -> dict[str, Any]:
    """Minutes of flagged audio heard per listener per local day."""
    by: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in store.exposure_by_hour(since):
        by[row.user][_local(row.hour, "%Y-%m-%d", tz)] += row.seconds / 60
    return {u: {d: round(m, 2) for d, m in sorted(days.items())} for u, days in sorted(by.items())}


def _minutes(a: float, b: float | None) -> float | None:
    return None if b is None else (b - a) / 60


def escalations(items: list[Escalation], now: float) -> dict[str, Any]:
    """Per tier: how fast escalations were acknowledged and resolved, against the time their
    deadline allowed, and how many were resolved late or are overdue now."""
    out: dict[str, Any] = {}
    for tier in TIERS:
        mine = [e for e in items if e.tier == tier]
        if not mine:
            continue
        acked = [m for e in mine if (m := _minutes(e.raised_at, e.acked_at)) is not None]
        done = [e for e in mine if e.resolved_at is not None]
        resolve = [(e.resolved_at - e.raised_at) / 60 for e in done if e.resolved_at]
        out[tier] = {
            "count": len(mine),
            "resolved": len(done),
            "median_ack_minutes": _r(statistics.median(acked), 1) if acked else None,
            "median_resolve_minutes": _r(statistics.median(resolve), 1) if resolve else None,
            "median_allowed_minutes": _r(
                statistics.median((e.deadline - e.raised_at) / 60 for e in mine), 1
            ),
            "resolved_late": sum(1 for e in done if (e.resolved_at or 0) > e.deadline),
            "overdue_now": sum(1 for e in mine if e.overdue(now)),
        }
    return out


def compute(store: Store, *, days: float = 14, tz: dt.tzinfo | None = None) -> dict[str, Any]:
    """Every section of the report as numbers (the same object `stats --json` carries)."""
    now = store.clock.now()
    since = now - days * DAY
    return {
        "window": {"since": _local(since, "%Y-%m-%dT%H:%M", tz), "days": days},
        "idle_limit_seconds": IDLE_LIMIT,
        "throughput": throughput(store, since, tz),
        "time_on_task": time_on_task(store),
        "asr_wer_by_batch": wer_by_batch(store),
        "escalations": escalations(store.escalations(), now),
        "exposure_minutes": exposure(store, since, tz),
        "gold": gold_by_day(store, since, tz),
        "agreement": agreement_by_day(store, since, tz),
        "reviews": review_outcomes(store),
    }
