"""The reviewer's queue, gathered from the store: the one place that names its sources.

`review_queue` asks the store for every submitted transcript the reviewer may read and what
has been reviewed, samples each annotator's share (earmark/quality/review.py says how), and
adds the clips other sources name: clips whose annotators disagree, and (once gold scoring
is in) gold misses. A source is one line in `_named`.
"""

from __future__ import annotations

from collections.abc import Sequence

from earmark.quality.review import ReviewItem, Submission, build_queue, disputed
from earmark.store import Store

DEFAULT_SHARE = 0.1  # a batch without its own review share has one clip in ten checked


def review_share(store: Store, batch: str) -> float:
    """The batch's review share (a lead sets it at import or later)."""
    del store, batch
    return DEFAULT_SHARE


def _named(store: Store, subs: Sequence[Submission]) -> list[tuple[int, str]]:
    """(clip id, reason) for every clip a reviewer must see whatever the sample says."""
    del store
    return [*disputed(subs)]


def _touched(store: Store, clip_id: int, reviewer: str) -> bool:
    """Whether the reviewer wrote any version of the clip (an earlier submission, a skip,
    a draft): the store refuses their review of it, so the queue does not offer it."""
    if any(r["annotator"] == reviewer for r in store.revisions(clip_id)):
        return True
    draft = store.draft(clip_id)
    return draft is not None and draft.annotator == reviewer


def review_queue(store: Store, reviewer: str) -> list[ReviewItem]:
    subs = store.submissions()
    items = build_queue(
        reviewer,
        subs,
        lambda batch: review_share(store, batch),
        reviewed=store.reviewed_clip_ids(),
        flagged=_named(store, subs),
    )
    return [i for i in items if not _touched(store, i.clip_id, reviewer)]
