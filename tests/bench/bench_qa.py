"""Second-pass review: how long the reviewer's queue takes to gather, and one outcome.

A SQLite project of N clips, every one submitted by one of ten annotators, with a review
share of 0.1: the time `review_queue` takes to read every transcript, sample each
annotator's share and drop what was reviewed (what `earmark qa` and `qa list` pay on each
load), and the median time of recording an outcome (durable, with its audit line).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from earmark.clock import FakeClock
from earmark.session.review_queue import review_queue
from earmark.store import NewClip, open_store


def figures(quick: bool) -> dict[str, float]:
    n = 2_000 if quick else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "q.db", clock=FakeClock())
        store.ensure_user("lead")
        store.grant_role("lead", "rev", "reviewer")
        b = store.batch_id("b")
        store.set_batch_settings("b", actor="lead", review_share=0.1)
        asr = "the quick brown fox jumps over the lazy dog"
        store.add_clips(b, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr=asr) for i in range(n)])
        for cid in range(1, n + 1):
            who = f"ann{cid % 10}"
            store.start_clip(cid, who)
            store.submit(cid, asr.replace("lazy", "sleepy"), who, 2.0)
        t = time.perf_counter()
        items = review_queue(store, "rev")
        queue_s = time.perf_counter() - t
        record_ms = []
        for item in items[:50]:
            t = time.perf_counter()
            store.record_review(item.clip_id, "rev", "accepted")
            record_ms.append((time.perf_counter() - t) * 1000)
        store.close()
    return {
        "qa_queue_s": round(queue_s, 3),
        "qa_queue_items": float(len(items)),
        "qa_record_ms_median": round(statistics.median(record_ms), 2),
    }
