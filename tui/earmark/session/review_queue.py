"""The reviewer's queue, gathered from the store: the one place that names its sources.

`review_queue` asks the store for every finished transcript the reviewer may read and what
has been reviewed, samples each annotator's share of each batch (the batch's review_share;
earmark/quality/review.py says how), and adds the clips other sources name: overlapped clips
whose annotators disagree (earmark/store/finals.py's rule, until a reviewer decides them)
and gold answers that missed. A source is one line in `_named`.
"""

from __future__ import annotations

from earmark.errors import UserError
from earmark.quality.review import ReviewItem, build_queue, is_gold_miss
from earmark.roles import PermissionDenied
from earmark.store import Store
from earmark.store.finals import disputed


def _share(store: Store) -> dict[str, float]:
    return {b.name: b.review_share for b in store.batches()}


def _named(store: Store) -> list[tuple[int, str]]:
    """(clip id, reason) for every clip a reviewer must see whatever the sample says."""
    return [
        *((d.clip_id, "disputed") for d in disputed(store)),
        *((a.clip_id, "gold_miss") for a in _gold_misses(store)),
    ]


def _gold_misses(store: Store) -> list:  # type: ignore[type-arg]
    try:
        return [a for a in store.gold_answers() if is_gold_miss(a)]
    except (PermissionDenied, UserError):  # not staff: no gold answers to read
        return []


def _touched(store: Store, clip_id: int, reviewer: str) -> bool:
    """Whether the reviewer wrote an earlier version of the clip (a submission or skip since
    replaced, a draft): the store refuses their review of it, so the queue does not offer it."""
    if any(r["annotator"] == reviewer for r in store.revisions(clip_id)):
        return True
    return store.draft(clip_id, reviewer) is not None


def review_queue(store: Store, reviewer: str) -> list[ReviewItem]:
    shares = _share(store)
    subs = list(store.annotations())
    items = build_queue(
        reviewer,
        subs,
        lambda batch: shares.get(batch, 0.0),
        reviewed=store.reviewed_pairs(),
        flagged=_named(store),
        extra=_gold_misses(store),
    )
    return [i for i in items if not _touched(store, i.clip_id, reviewer)]
