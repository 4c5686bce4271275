"""The real `earmark review` in a real terminal (tmux): keys reach the store, q quits."""

from __future__ import annotations

import sys
from pathlib import Path

from earmark.store import open_store
from tests.support import build_workspace, eventually, needs_realdata, needs_tmux

EARMARK = Path(sys.executable).with_name("earmark")  # the installed console command
pytestmark = [needs_tmux, needs_realdata]


def test_review_in_a_real_terminal(term, db_path):
    s = open_store(db_path)
    s.ensure_user("lead")
    s.grant_role("lead", "rev1", "reviewer")
    build_workspace(s, unplayable=False)
    eid = s.raise_escalation(
        1,
        "ann",
        tier="imminent",
        category="violence/assault",
        start=0.5,
        end=1.5,
        note="\x1b[2Jshouting",
    )
    s.close()
    term.start(
        [str(EARMARK), "review", "--db", str(db_path), "--user", "rev1"],
        width=120,
        height=30,
    )
    screen = term.ready("violence/assault")
    assert "Escalations: 1 open" in screen and "shouting" in screen
    term.keys("a")
    term.wait_for("acknowledged by rev1")
    s = open_store(db_path, create=False)
    try:
        term.keys("space")
        # the span is a second long; its play is logged when it ends
        eventually(lambda: s.plays(user="rev1"), "the span's play being logged", timeout=20)
        term.keys("q")
        term.wait_dead()
        assert s.escalation(eid).state == "acknowledged"
        actions = [e.action for e in s.audit_entries()]
        assert "escalation_ack" in actions and "play" in actions
        assert s.audit_verify().ok
    finally:
        s.close()


def test_review_at_80x24_lists_every_key_on_f1_and_question_mark(term, db_path):
    """The footer at 80 columns holds the everyday keys; F1 and ? (as a terminal sends them)
    open the list of every key, the ones the footer leaves out too; esc closes it."""
    s = open_store(db_path)
    s.ensure_user("lead")
    s.grant_role("lead", "rev1", "reviewer")
    build_workspace(s, unplayable=False)
    s.raise_escalation(1, "ann", tier="urgent", category="crime")
    s.close()
    term.start(
        [str(EARMARK), "review", "--db", str(db_path), "--user", "rev1"], width=80, height=24
    )
    screen = term.ready("Escalations: 1 open")
    assert "raised by" in screen  # the queue's last column fits
    screen = term.wait_for("f1 Keys")  # the footer, whole
    footer = next(ln for ln in screen.splitlines() if "^q Quit" in ln)
    assert "f1 Keys" in footer and "…" not in footer
    for key, literal in (("F1", False), ("?", True)):
        term.keys(key, literal=literal)
        listed = term.wait_for("Review keys")
        for hidden in ("Stop playback", "Reload from the database", "Ask to downgrade"):
            assert hidden in listed
        term.keys("Escape")
        term.wait_gone("Review keys")
    term.keys("q")
    term.wait_dead()
