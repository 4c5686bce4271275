"""The report's gold, agreement and review sections from a real import with gold and overlap 2,
worked by two annotators through the session, against hand-computed figures."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import soundfile as sf

from earmark.cli import main
from earmark.clock import FakeClock
from earmark.reporting.figures import compute
from earmark.session import Session
from earmark.store import open_store

ASR = ("turn on the light", "play some jazz", "what time is it")
GOLD = ("gold", "call my mother now")  # asr, reference


def _import(tmp_path) -> object:
    rows = []
    for i, asr in enumerate([*ASR, GOLD[0]]):
        sf.write(tmp_path / f"c{i}.wav", np.zeros(8000, dtype=np.float32), 16000)
        row = {"audio": f"c{i}.wav", "id": f"id{i}", "asr": asr}
        if asr == GOLD[0]:
            row["gold"] = {"text": GOLD[1], "flags": []}
        rows.append(row)
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    db = tmp_path / "e.db"
    args = ["import", str(tmp_path / "m.jsonl"), "--db", str(db), "--user", "lead"]
    assert main([*args, "--overlap", "2", "--gold-rate", "0.5"]) == 0
    return db


def _work(store, clock, user: str, answers: dict[str, str]) -> int:
    s = Session(store, user, clock=clock)
    st, n = s.resume(), 0
    while st is not None and not st.reopened and n < 10:
        s.claim()
        st = s.submit(answers[st.clip.asr])
        n += 1
        clock.advance(30)
    s.close()
    return n


def test_gold_and_agreement_sections_match_a_hand_count(tmp_path) -> None:
    db = _import(tmp_path)
    clock = FakeClock()
    store = open_store(db, clock=clock)
    # ann writes every guess as it is and the gold reference exactly; bob adds a word to
    # "turn on the light" (1 edit over a mean of 4.5 words) and misses one gold word.
    ann = {**{a: a for a in ASR}, GOLD[0]: GOLD[1]}
    bob = {**ann, "turn on the light": "turn on the light please", GOLD[0]: "call my brother now"}
    assert _work(store, clock, "ann", ann) == 4
    assert _work(store, clock, "bob", bob) == 4
    f = compute(store, tz=dt.UTC)
    assert f["reviews"] is None
    store.grant_role("lead", "rev", "reviewer")
    ids = {c.asr: c.id for c in store.iter_clips()}
    store.record_review(ids["play some jazz"], "rev", "accepted")
    store.record_review(ids["turn on the light"], "rev", "fixed", text="turn on the lights")
    reviews = compute(store, tz=dt.UTC)["reviews"]
    store.close()
    # SQLite's review covers the clip's first transcript (ann's: she worked first)
    assert reviews["ann"] == {"accepted": 1, "fixed": 1, "rejected": 0}
    assert set(reviews) <= {"ann", "bob"}
    day = dt.datetime.fromtimestamp(clock.now(), dt.UTC).strftime("%Y-%m-%d")
    assert f["gold"] == {
        "ann": {day: {"clips": 1, "accuracy": 1.0, "flags_agree": 1.0}},
        "bob": {day: {"clips": 1, "accuracy": 0.75, "flags_agree": 1.0}},
    }
    pairs_edits, pairs_words = 1, 4.5 + 3 + 4  # three clips done by both
    want = round(1 - pairs_edits / pairs_words, 4)
    assert f["agreement"] == {
        "ann": {day: {"pairs": 3, "agreement": want}},
        "bob": {day: {"pairs": 3, "agreement": want}},
    }
    assert f["time_on_task"]["ann"]["done"] == 3 and f["time_on_task"]["bob"]["done"] == 3
    assert f["asr_wer_by_batch"]["m.jsonl"]["done"] == 6


def test_gold_and_agreement_charts_are_drawn(tmp_path) -> None:
    import pytest

    from tests import browser

    if browser.CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    db = _import(tmp_path)
    clock = FakeClock()
    store = open_store(db, clock=clock)
    ann = {**{a: a for a in ASR}, GOLD[0]: GOLD[1]}
    _work(store, clock, "ann", ann)
    _work(store, clock, "bob", {**ann, GOLD[0]: "call my brother"})
    store.grant_role("lead", "rev", "reviewer")
    first = next(c.id for c in store.iter_clips() if c.asr == ASR[0])
    store.record_review(first, "rev", "rejected", note="<b>not</b> what was said")
    store.close()
    out = tmp_path / "r.html"
    assert main(["report", "--db", str(db), "--out", str(out), "--user", "lead"]) == 0
    page = browser.render(
        out,
        "JSON.stringify(['gold', 'agreement', 'reviews'].map(id => document.querySelectorAll("
        "'#' + id + ' svg.pygal-chart .series .reactive').length))",
    )
    gold_marks, agreement_marks, review_marks = json.loads(page.value)
    assert gold_marks >= 2 and agreement_marks >= 2  # a line each for ann and bob
    assert review_marks >= 1  # the rejected bar
