"""Gold clips: does a gold clip give itself away by its timing?

A submit of a gold clip (scored on the way) and of an ordinary clip, through the Session as
the annotator's screen calls it, on one SQLite project: the median milliseconds of each and
of moving on to the next clip (the next clip is chosen, and a gold clip given, when the
screen asks what to decode ahead, as it does), and the agreement report over a project of
many overlapped transcripts (pure computation).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from earmark.clock import FakeClock
from earmark.quality.agreement import Rating, report
from earmark.quality.gold import GoldRef
from earmark.session import Session
from earmark.session.gold import GoldServing
from earmark.store import NewClip, open_store


class _HalfGold(GoldServing):
    """Half the clips after each finish are gold (a batch gold_rate of 0.5)."""

    def _rate(self, batch: str) -> float:
        return 0.5


def _submits(n: int) -> tuple[list[float], list[float]]:
    gold_ms: list[float] = []
    plain_ms: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "b.db", clock=FakeClock())
        b = store.batch_id("b")
        words = "the quick brown fox jumps over the lazy dog " * 3
        store.add_clips(
            b, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr=words) for i in range(2 * n)]
        )
        store.add_gold([(f"c{i}", GoldRef(words)) for i in range(0, 2 * n, 2)])
        serving = _HalfGold(store, "ann", rng=random.Random(7), onboarding=0)
        s = Session(store, "ann", gold=serving)
        state = s.resume()
        while state is not None:
            s.upcoming()  # the screen decodes the next clip ahead, off the submit's path
            gold = s.gold.holds(state.clip.id)
            t = time.perf_counter()
            state = s.submit(words.replace("lazy", "sleepy"))
            (gold_ms if gold else plain_ms).append((time.perf_counter() - t) * 1000)
        s.close()
        store.close()
    return gold_ms, plain_ms


def figures(quick: bool) -> dict[str, float]:
    n = 20 if quick else 200
    gold_ms, plain_ms = _submits(n)
    ratings = [
        Rating(c, f"c{c}", "b", who, f"words of clip {c} by {who}" if who != "x" else "other")
        for c in range(2000 if quick else 20000)
        for who in ("x", "y")
    ]
    t = time.perf_counter()
    report(ratings, [])
    return {
        "gold_submit_ms_median": round(statistics.median(gold_ms), 2),
        "plain_submit_ms_median": round(statistics.median(plain_ms), 2),
        "agreement_report_s": round(time.perf_counter() - t, 2),
    }
