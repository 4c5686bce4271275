"""The report's quality sections over time: gold accuracy and agreement per annotator per
local day, from the gold and overlap stores (earmark/quality does the scoring).

Gold accuracy is 1 - the gold word error rate of the day's answers (edits over reference
words, as `earmark agreement` counts them), floored at 0. Agreement is 1 - the pair word
error rate between an annotator's transcripts and the other transcripts of the same clips
(earmark/quality/agreement.py), on the day the later of the two was submitted. A section is
None when the project has no gold answer, or no clip transcribed twice: no data is not zero.

Cost: gold answers are one query; agreement streams the finished slots of the batches with
overlap once (the same pass `earmark agreement` makes), a window of clips at a time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import combinations
from typing import Any

from earmark.quality.agreement import pair_edits
from earmark.store.protocol import Store
from earmark.store.records import Annotation


def _day(ts: float, tz: dt.tzinfo | None) -> str:
    return dt.datetime.fromtimestamp(ts, tz).strftime("%Y-%m-%d")


def _accuracy(edits: float, words: float) -> float | None:
    if not words:
        return None if edits else 1.0
    return round(max(0.0, 1.0 - edits / words), 4)


def gold_by_day(store: Store, since: float, tz: dt.tzinfo | None) -> dict[str, Any] | None:
    answers = store.gold_answers()
    if not answers:
        return None
    cells: dict[str, dict[str, list[float]]] = defaultdict(dict)
    for a in answers:
        if a.submitted_at < since:
            continue
        c = cells[a.annotator].setdefault(_day(a.submitted_at, tz), [0, 0, 0, 0])
        c[0] += 1
        c[1] += int(a.flags_agree)
        if not a.skipped:
            c[2] += a.edits
            c[3] += a.words
    return {
        who: {
            day: {"clips": int(n), "accuracy": _accuracy(e, w), "flags_agree": round(f / n, 4)}
            for day, (n, f, e, w) in sorted(days.items())
        }
        for who, days in sorted(cells.items())
    }


def agreement_by_day(store: Store, since: float, tz: dt.tzinfo | None) -> dict[str, Any] | None:
    by_clip: dict[int, list[Annotation]] = defaultdict(list)
    for batch in store.batches():
        if batch.overlap < 2:
            continue  # one transcript per clip: nothing to agree on, nothing to read
        for a in store.annotations(batch.name):
            if a.text is not None:
                by_clip[a.clip_id].append(a)
    cells: dict[str, dict[str, list[float]]] = defaultdict(dict)
    overlapped = 0
    for transcripts in by_clip.values():
        if len(transcripts) < 2:
            continue
        overlapped += 1
        for a, b in combinations(transcripts, 2):
            at = max(a.submitted_at, b.submitted_at)
            if at < since:
                continue
            edits, words = pair_edits(a.text or "", b.text or "")
            for who in (a.annotator, b.annotator):
                c = cells[who].setdefault(_day(at, tz), [0, 0.0, 0.0])
                c[0] += 1
                c[1] += edits
                c[2] += words
    if not overlapped:
        return None
    return {
        who: {
            day: {"pairs": int(n), "agreement": _accuracy(e, w)}
            for day, (n, e, w) in sorted(days.items())
        }
        for who, days in sorted(cells.items())
    }


OUTCOMES = ("accepted", "fixed", "rejected")


def review_outcomes(store: Store) -> dict[str, Any] | None:
    """Second-pass review outcomes per reviewed annotator (all time): how many of their
    transcripts were accepted as they were, fixed, or rejected."""
    reviews = store.reviews()
    if not reviews:
        return None
    out: dict[str, dict[str, int]] = {}
    for r in reviews:
        cell = out.setdefault(r.annotator, dict.fromkeys(OUTCOMES, 0))
        cell[r.outcome] = cell.get(r.outcome, 0) + 1
    return dict(sorted(out.items()))
