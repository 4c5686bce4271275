"""The real `earmark qa` and the annotator's feedback key in a real terminal (tmux, 80x24)."""

from __future__ import annotations

import sys
from pathlib import Path

from earmark.store import open_store
from tests.support import build_workspace, eventually, needs_realdata, needs_tmux

EARMARK = Path(sys.executable).with_name("earmark")  # the installed console command
pytestmark = [needs_tmux, needs_realdata]
NULL_AUDIO = {"EARMARK_OUTPUT": "null"}


def _workspace(db_path) -> str:
    """ann submitted four clips (one in ten sampled: one clip); returns the sampled name."""
    s = open_store(db_path)
    try:
        s.ensure_user("lead")
        build_workspace(s, unplayable=False)
        s.set_batch_settings("sense", actor="lead", review_share=0.1)
        s.grant_role("lead", "rev", "reviewer")
        for cid in (1, 2, 3, 4):
            s.start_clip(cid, "ann")
            s.submit(cid, s.clip(cid).asr + " extra", "ann", 2.0)
        from earmark.session.review_queue import review_queue

        [item] = review_queue(s, "rev")
        return item.clip
    finally:
        s.close()


def test_qa_fix_in_a_real_terminal(term, db_path):
    name = _workspace(db_path)
    term.start(
        [str(EARMARK), "qa", "--db", str(db_path), "--user", "rev"],
        width=80,
        height=24,
        env=NULL_AUDIO,
    )
    screen = term.ready("1 clip to review")
    assert name in screen and "~" not in screen.split("ann", 1)[0]  # the guess line is plain
    assert "+extra" in screen  # ann's added word, marked with its symbol
    assert "a Accept" in screen and "f Fix" in screen and "r Reject" in screen
    term.keys("f")
    term.wait_for("Fix the transcript")
    for _ in range(6):  # " extra", a key at a time, as fast as tmux sends them
        term.keys("BSpace")
    term.keys(" there", literal=True)
    term.wait_for("~there")
    term.keys("Enter")
    term.wait_for(f"clip {name}: fixed, saved")
    s = open_store(db_path, create=False)
    try:
        [r] = s.reviews()
        assert (r.outcome, r.reviewer, r.annotator) == ("fixed", "rev", "ann")
        assert r.text.endswith("there") and "extra" not in r.text
        term.wait_for("0 clips to review")
        term.keys("space")  # nothing left to play: no crash
        term.keys("q")
        term.wait_dead()
        assert "qa_review" in [e.action for e in s.audit_entries()]
        assert s.audit_verify().ok
    finally:
        s.close()


def test_feedback_key_in_the_real_annotator(term, db_path):
    name = _workspace(db_path)
    s = open_store(db_path, create=False)
    cid = s.clip_by_name(name).id
    s.record_review(cid, "rev", "rejected", note="half of it is \x1b[31manother speaker")
    s.close()
    term.start(
        [str(EARMARK), "annotate", "--db", str(db_path), "--user", "ann", "--no-autoplay"],
        width=80,
        height=24,
        env=NULL_AUDIO,
    )
    term.wait_for("A reviewer checked a clip of yours")
    term.keys("M-o")
    screen = term.wait_for("Your reviewed clips (1)")
    assert name in screen and "REJECTED" in screen and "another speaker" in screen
    term.keys("Escape")
    term.wait_gone("Your reviewed clips")
    s = open_store(db_path, create=False)
    try:
        eventually(lambda: s.feedback_seen("ann") > 0, "the outcome marked seen")
    finally:
        s.close()
    term.keys("C-q")
    term.wait_dead()
