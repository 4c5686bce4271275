"""stats: counts, flags, corpus ASR WER and today's throughput from a real store."""

from __future__ import annotations

import pytest

from earmark.stats import compute, summary_lines
from earmark.store import NewClip


def _clips(store, n=6):
    b = store.batch_id("b")
    asr = ["turn of the lights", "play jazz", "what time is it", "call mom", "x", "y"]
    store.add_clips(
        b, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr=asr[i % 6]) for i in range(n)]
    )
    store.add_clips(
        b, [NewClip(name="u", audio="/a/u.wav", unplayable_reason="/a/u.wav: empty file")]
    )


def test_empty_store(store):
    s = compute(store)
    assert s["clips"] == 0 and s["asr_wer"] is None and s["seconds_on_clip"] is None
    assert s["flags"] == {"critical": 0, "distressing": 0, "escalation": 0}
    assert any("n/a" in line for line in summary_lines(s))


def test_counts_wer_and_throughput(store):
    _clips(store)
    store.submit(1, "Turn off the lights.", "ann", 60.0)  # 1 edit / 4 words
    store.clock.advance(100)
    store.submit(2, "Play jazz!", "bob", 30.0)  # 0 / 2
    store.submit(3, "what time is it now", "ann", 120.0)  # 1 / 5
    store.skip(4, "no speech", "bob", 6.0)
    store.start_clip(5, "ann")
    store.add_flag(2, "critical", "bob", start=0, end=1, category="bank/card", redact=[1])
    store.add_flag(2, "distressing", "bob")
    store.add_flag(3, "distressing", "ann")
    s = compute(store)
    assert (s["clips"], s["done"], s["skipped"], s["unplayable"]) == (7, 3, 1, 1)
    assert (s["pending"], s["in_progress"], s["remaining"]) == (1, 1, 2)
    assert s["flags"] == {"critical": 1, "distressing": 2, "escalation": 0}
    assert s["asr_wer"] == pytest.approx(2 / 11, abs=1e-4)
    assert s["seconds_on_clip"] == pytest.approx((60 + 30 + 120 + 6) / 4, abs=0.1)
    t = s["today"]
    assert t["finished"] == 4
    assert t["clips_per_hour"] == pytest.approx(4 / (216 / 3600), abs=0.1)
    assert t["by_annotator"]["ann"] == {"finished": 2, "clips_per_hour": 40.0, "seconds": 180.0}
    assert t["by_annotator"]["bob"]["finished"] == 2
    text = "\n".join(summary_lines(s))
    assert "18.2%" in text and "pending 1 (not opened)" in text and "ann: 2 finished, 40/h" in text


def test_yesterday_does_not_count_today(store):
    _clips(store)
    store.submit(1, "turn of the lights", "ann", 10.0)
    store.clock.advance(86_400 * 2)
    s = compute(store)
    assert s["today"]["finished"] == 0 and s["done"] == 1 and s["asr_wer"] == 0.0


def test_stats_command_prints_names_literally(db_path, capsys):
    import argparse
    import json
    import time

    from earmark.clock import FakeClock
    from earmark.commands.stats import run
    from earmark.store import open_store

    store = open_store(db_path, clock=FakeClock(time.time()))  # the command reads the real clock
    _clips(store)
    store.submit(1, "turn off the lights", "[bold red]mallory[/]", 10.0)
    store.close()
    assert run(argparse.Namespace(db=str(db_path), json=False)) == 0
    out = capsys.readouterr().out
    assert "[bold red]mallory[/]: 1 finished" in out and "\x1b[" not in out
    assert run(argparse.Namespace(db=str(db_path), json=True)) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["done"] == 1 and "[bold red]mallory[/]" in s["today"]["by_annotator"]
