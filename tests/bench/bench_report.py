"""The lead's report on a 100,000-clip SQLite project: how long the figures and the page take.

report_figures_ms: every section's figures (reporting.figures.compute), median of 3.
report_page_ms: figures plus pygal's charts and the HTML, median of 3.
report_page_kib: the size of the page.
The project: 100k clips done by 20 annotators over 14 days (one revision each), 200k plays,
2,000 clips flagged distressing, 600 escalations.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tui"))


def _fill(store, n: int) -> None:
    from earmark.store import NewClip

    rnd = random.Random(7)
    now = store.clock.now()
    store.ensure_user("lead")
    with store.bulk():
        for b in range(10):
            bid = store.batch_id(f"batch {b}")
            store.add_clips(
                bid,
                (
                    NewClip(name=f"c{b}-{i}", audio=f"/a/{b}/{i}.wav", asr="a b c d", duration=6.0)
                    for i in range(n // 10)
                ),
            )
    with store.db.write() as c:
        rows = []
        for cid in range(1, n + 1):
            who = f"ann{cid % 20}"
            at = now - rnd.uniform(0, 14 * 86400)
            rows.append((cid, who, rnd.uniform(10, 90), at, rnd.randint(0, 2)))
        c.executemany(
            "UPDATE clips SET status = 'done', text = 'a b c d', annotator = ?2,"
            " seconds_on_clip = ?3, submitted_at = ?4, wer_edits = ?5, wer_words = 4"
            " WHERE id = ?1",
            rows,
        )
        c.executemany(
            "INSERT INTO revisions(clip_id, status, text, annotator, seconds, at)"
            " VALUES (?1, 'done', 'a b c d', ?2, ?3, ?4)",
            [r[:4] for r in rows],
        )
        c.executemany(
            "INSERT INTO plays(user, clip_id, start, end, speed, at) VALUES (?, ?, 0, 3, 1, ?)",
            [(r[1], r[0], r[3]) for r in rows for _ in range(2)],
        )
        c.executemany(
            "INSERT INTO flags(clip_id, kind, raised_by, raised_at)"
            " VALUES (?, 'distressing', ?, ?)",
            [(r[0], r[1], r[3]) for r in rows[:: n // 2000]],
        )
    tiers = ("imminent", "urgent", "standard")
    with store._tx():
        for i in range(600):
            e = store.raise_escalation(1 + i, f"ann{i % 20}", tier=tiers[i % 3], category="crime")
            if i % 2:
                store.acknowledge_escalation(e, "lead")


def figures(quick: bool) -> dict[str, float]:
    from earmark.clock import FakeClock
    from earmark.reporting.figures import compute
    from earmark.reporting.page import render
    from earmark.store import open_store

    n = 10_000 if quick else 100_000
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db", clock=FakeClock(time.time()))
        _fill(store, n)
        fig_t, page_t, size = [], [], 0
        for _ in range(3):
            t0 = time.perf_counter()
            f = compute(store)
            fig_t.append(time.perf_counter() - t0)
            page = render(f, project="bench", generated="now")
            page_t.append(time.perf_counter() - t0)
            size = len(page.encode())
        assert sum(a["done"] for a in f["time_on_task"].values()) == n
        store.close()
    out["report_clips"] = n
    out["report_figures_ms"] = round(statistics.median(fig_t) * 1000, 1)
    out["report_page_ms"] = round(statistics.median(page_t) * 1000, 1)
    out["report_page_kib"] = round(size / 1024, 1)
    return out
