"""Sensitive-content figures: durable audit appends, chain verification, the reviewer queue.

audit_append_ms: one audit entry in its own durable transaction (synchronous=FULL), median.
audit_verify_entries_per_s: `earmark audit verify` speed over a long log.
escalations_queue_ms: reading and ordering 1,000 escalations (what the reviewer TUI refreshes).
exposure_query_ms: the exposure meter's query with 20,000 plays on the day.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tui"))


def figures(quick: bool) -> dict[str, float]:
    from earmark.clock import FakeClock
    from earmark.store import NewClip, open_store

    n_log = 5_000 if quick else 50_000
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db", clock=FakeClock())
        store.ensure_user("lead")
        b = store.batch_id("b")
        store.add_clips(
            b, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", duration=5.0) for i in range(1000)]
        )

        times = []
        for i in range(50 if quick else 200):
            t0 = time.perf_counter()
            store.audit_append(
                "ann", "play", 1 + i % 1000, {"start": 0.0, "end": 1.0, "speed": 1.0}
            )
            times.append(time.perf_counter() - t0)
        out["audit_append_ms"] = round(statistics.median(times) * 1000, 3)

        with store._tx():  # bulk-fill the rest in one transaction (timing only the verify)
            for i in range(n_log):
                store.audit_append(
                    "ann", "play", 1 + i % 1000, {"start": 0.0, "end": 1.0, "speed": 1.0}
                )
        t0 = time.perf_counter()
        verdict = store.audit_verify()
        dt = time.perf_counter() - t0
        assert verdict.ok
        out["audit_verify_entries_per_s"] = round(verdict.entries / dt)

        tiers = ("imminent", "urgent", "standard")
        with store._tx():
            for i in range(1000):
                store.raise_escalation(
                    1 + i, f"ann{i % 7}", tier=tiers[i % 3], category="crime", start=0.0, end=1.0
                )
        t0 = time.perf_counter()
        for _ in range(5):
            items = store.visible_escalations("lead")
        out["escalations_queue_ms"] = round((time.perf_counter() - t0) / 5 * 1000, 2)
        assert len(items) == 1000

        with store._tx():
            for i in range(20_000):
                store.db.conn.execute(
                    "INSERT INTO plays(user, clip_id, start, end, speed, at) VALUES (?,?,?,?,?,?)",
                    ("ann", 1 + i % 1000, 0.0, 2.0, 1.0, store.clock.now()),
                )
        t0 = time.perf_counter()
        for _ in range(10):
            store.exposure_seconds("ann", store.clock.now() - 3600)
        out["exposure_query_ms"] = round((time.perf_counter() - t0) / 10 * 1000, 2)
        store.close()
    return out


if __name__ == "__main__":
    print(figures("--quick" in sys.argv))
