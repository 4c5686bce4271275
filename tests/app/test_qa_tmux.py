"""The real `earmark qa` and the annotator's feedback key in a real terminal (tmux, 80x24)."""

from __future__ import annotations

import sys
from pathlib import Path

from earmark.session.review_queue import review_queue
from earmark.store import open_store
from tests.support import build_workspace, eventually, needs_realdata, needs_tmux
from tests.tmux import playhead_col, tmux_key

EARMARK = Path(sys.executable).with_name("earmark")  # the installed console command
pytestmark = [needs_tmux, needs_realdata]
NULL_AUDIO = {"EARMARK_OUTPUT": "null"}


def _submitted(s, share: float, reviewers: tuple[str, ...] = ("rev",)) -> None:
    """ann submitted four clips, sampled for review at `share`."""
    s.ensure_user("lead")
    build_workspace(s, unplayable=False)
    s.set_batch_settings("sense", actor="lead", review_share=share)
    for who in reviewers:
        s.grant_role("lead", who, "reviewer")
    for cid in (1, 2, 3, 4):
        s.start_clip(cid, "ann")
        s.submit(cid, s.clip(cid).asr + " extra", "ann", 2.0)


def _workspace(db_path) -> str:
    """One in ten sampled (one clip); returns the sampled name."""
    s = open_store(db_path)
    try:
        _submitted(s, 0.1)
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


def _queue(db_path) -> None:
    """All four sampled for review (share 1); rev2 reviews too."""
    s = open_store(db_path)
    try:
        _submitted(s, 1.0, ("rev", "rev2"))
    finally:
        s.close()


def _selected(screen: str) -> str:
    """The guess word ▸ points at (play_word plays it)."""
    return screen.split("▸", 1)[1].split()[0]


def _playing(term) -> bool:
    """Whether the playhead moves (a look of half a second)."""
    before = playhead_col(term.screen())
    try:
        term.wait_until(lambda s: playhead_col(s) != before, "the playhead moving", timeout=0.6)
    except AssertionError:
        return False
    return True


def test_every_qa_key_as_a_terminal_sends_it(term, db_path):
    """Each key of every `earmark qa` command, as tmux sends the bytes a terminal does, with
    what it visibly does; a command added to the table without a check here fails."""
    from earmark.app.qa.keys import qa_keys

    _queue(db_path)
    keys = {cid: ks.split(",") for cid, ks in qa_keys(None).items()}
    argv = [str(EARMARK), "qa", "--db", str(db_path), "--user", "rev"]
    term.start(argv, width=80, height=24, env=NULL_AUDIO)
    term.ready("4 clips to review")
    send = term.keys
    checked = set()

    def check(cid: str, effect) -> None:
        for key in keys[cid]:
            effect(tmux_key(key))
        checked.add(cid)

    def word_step(tk: str, forward: bool) -> None:
        before = _selected(term.screen())
        if not forward:
            send(tmux_key(keys["qa_next_word"][0]))
            term.wait_until(lambda s: _selected(s) != before, "a word on")
            before = _selected(term.screen())
        send(tk)
        term.wait_until(lambda s: _selected(s) != before, f"{tk} moving the word")

    check("qa_next_word", lambda tk: word_step(tk, True))
    check("qa_prev_word", lambda tk: word_step(tk, False))

    def toggle(tk: str) -> None:
        was = _playing(term)
        send(tk)
        assert eventually(lambda: _playing(term) != was, f"{tk} toggling playback", timeout=10)

    check("qa_play", toggle)
    if _playing(term):
        send("Space")
        eventually(lambda: not _playing(term), "paused")
    s = open_store(db_path, create=False)
    try:

        def word(tk: str) -> None:
            n = len(s.plays(user="rev"))
            send(tk)
            eventually(lambda: len(s.plays(user="rev")) > n, f"{tk}: a word played and logged")

        check("qa_play_word", word)

        def form(title: str):
            def open_and_close(tk: str) -> None:
                send(tk)
                term.wait_for(title)
                send("Escape")
                term.wait_gone(title)

            return open_and_close

        check("qa_fix", form("Fix the transcript"))
        check("qa_reject", form("Reject: a short reason"))
        check("qa_help", form("Review keys"))
        check("qa_accept", lambda tk: (send(tk), term.wait_for("accepted, saved")))
        term.wait_for("3 clips to review")

        def refresh(tk: str) -> None:  # another reviewer takes one meanwhile
            before = term.wait_for("clips to review")
            n = int(before.split(" clips to review")[0].split("·")[-1])
            item = review_queue(s, "rev2")[-1]
            s.record_review(item.clip_id, "rev2", "accepted")
            send(tk)
            term.wait_for(f"{n - 1} clip{'s' if n - 1 != 1 else ''} to review")

        check("qa_refresh", refresh)
    finally:
        s.close()

    def quit_(tk: str) -> None:
        send(tk)
        term.wait_dead()
        term.respawn(argv)
        term.wait_for("to review")

    check("qa_quit", quit_)
    assert checked == set(keys), f"no check for {sorted(set(keys) - checked)}"
