"""The real `earmark annotate` in a real terminal (tmux): type, submit, quit, and be killed.

These start the installed command in a pseudo-terminal and read the screen back with
`tmux capture-pane`, so they cover what Pilot cannot: the terminal driver, key parsing
(function keys, ctrl chords), signals, and the process ending for real. The terminal is
tests/tmux.py's driver, given to each test as the `term` fixture.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import build_workspace, eventually, needs_tmux

ROOT = Path(__file__).resolve().parents[2]
pytestmark = needs_tmux


@pytest.fixture
def ws_db(store, db_path, realdata):
    build_workspace(store, hostile=True)
    return db_path


def _annotate(db: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "earmark",
        "annotate",
        "--db",
        str(db),
        "--user",
        "ann",
        "--no-autoplay",
        *extra,
    ]


def _reopen(db: Path):
    from earmark.store import open_store

    return open_store(db, create=False)


def test_type_submit_quit_in_a_real_terminal(term, ws_db):
    term.start(_annotate(ws_db))
    term.ready("clip 1 of 6")
    term.keys("C-u")  # the editor's own "delete to start"
    term.keys("hello from tmux", literal=True)
    term.wait_for("hello from tmux")
    term.keys("Enter")
    screen = term.wait_for("clip 2 of 6")
    # the hostile ASR of clip 2 is drawn literally, markup and all, and did nothing
    assert "[@click=app.quit]q[/]" in screen and "[bold]x[/]" in screen
    term.keys("F8")  # accept the guess: one key
    term.wait_for("clip 4 of 6")  # clip 3 is unplayable and passed over
    term.wait_for("no data chunk")
    term.keys("C-q")
    term.wait_dead()
    store = _reopen(ws_db)
    try:
        assert store.clip_by_name("clip-00").text == "hello from tmux"
        assert store.clip_by_name("clip-00").status == "done"
        c1 = store.clip_by_name("clip-01")
        assert c1.status == "done" and "[@click=app.quit]" in c1.text
    finally:
        store.close()
    # what the session wrote to the audit log keeps the chain intact
    r = subprocess.run(
        [sys.executable, "-m", "earmark", "audit", "verify", "--db", str(ws_db)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_control_characters_never_reach_the_terminal(term, ws_db):
    term.start(_annotate(ws_db))
    term.ready("clip 1 of 6")
    term.keys("F8")
    term.wait_for("clip 2 of 6")
    raw = term.screen(escapes=True)
    # the ESC[31m in the ASR guess would have turned "red" red: the word is there, uncoloured
    line = next(ln for ln in raw.splitlines() if "ASR" in ln and "red" in ln)
    before_red = line.split("red")[0]
    assert "\x1b[31m" not in before_red[-12:] and "\x1b[31m" not in line
    assert "\u202e" not in raw and "\x00" not in raw
    term.keys("C-q")
    term.wait_dead()


def test_kill_9_loses_at_most_a_second_of_typing(term, ws_db):
    term.start(_annotate(ws_db))
    term.ready("clip 1 of 6")
    term.keys("End")
    term.keys(" typed before the crash", literal=True)
    term.wait_for("before the crash")
    store = _reopen(ws_db)
    try:
        clip = store.clip_by_name("clip-00").id

        def saved() -> bool:
            draft = store.draft(clip)
            return draft is not None and draft.text.endswith(" typed before the crash")

        # a second, plus slack for a machine busy with other tests
        eventually(saved, "the draft reaching the disk", timeout=2.0)
        os.kill(term.pid(), signal.SIGKILL)
        term.wait_dead()
        assert saved()
    finally:
        store.close()
    # and the next start resumes on that clip with the draft
    term.respawn(_annotate(ws_db))
    term.wait_for("typed before the crash")


def test_terminal_closing_sighup_keeps_the_draft(term, ws_db):
    term.start(_annotate(ws_db))
    term.ready("clip 1 of 6")
    term.keys("End")
    term.keys(" hangup", literal=True)
    term.wait_for("hangup")
    pid = term.pid()
    os.kill(pid, signal.SIGHUP)
    term.wait_dead()
    store = _reopen(ws_db)
    try:
        draft = store.draft(store.clip_by_name("clip-00").id)
        assert draft is not None and draft.text.endswith(" hangup")
    finally:
        store.close()


def test_function_keys_and_chords_reach_the_app(term, ws_db):
    term.start(_annotate(ws_db), width=80, height=24)
    term.ready("clip 1 of 6")
    term.keys("F1")
    term.wait_for("esc closes")
    term.keys("Escape")  # a lone ESC: the terminal parser waits a moment to tell it from a sequence
    term.wait_gone("esc closes")
    term.keys("PageDown")
    term.wait_for("clip 2 of 6")
    term.keys("M-s")  # alt+s: skip asks why
    term.wait_for("Skip this clip")
    term.keys("1")
    term.wait_for("clip 4 of 6")
    term.keys("C-q")
    term.wait_dead()
    store = _reopen(ws_db)
    try:
        assert store.clip_by_name("clip-01").skip_reason == "no speech"
    finally:
        store.close()


def test_demo_correct_suggest_quit_resume(term, tmp_path):
    """The newcomer's path: `earmark demo`, correct a clip using a suggestion, quit, resume."""
    from earmark.commands.annotate import demo_db_path

    db = demo_db_path(None)
    demo = [sys.executable, "-m", "earmark", "demo", "--no-autoplay"]
    term.start(demo, width=100, height=30)
    term.ready("clip 1 of ")
    term.keys("C-u")
    term.keys("it's a vegas cas", literal=True)

    def bar(screen: str) -> str:
        return next((ln for ln in screen.splitlines() if " tab " in ln), "")

    screen = term.wait_until(
        lambda sc: "vegas cas " in sc and " cas" in bar(sc), "suggestions for 'cas'"
    )
    first = bar(screen).split(" tab ", 1)[1].split("  alt+2")[0].strip()
    term.keys("Tab")
    term.wait_for(f"it's a vegas {first}")
    term.keys("C-q")
    term.wait_dead()
    term.respawn(demo)
    term.wait_for(f"it's a vegas {first}")  # resumed on the clip, with the draft
    term.keys("Enter")
    term.wait_for("clip 2 of ")
    term.keys("C-q")
    term.wait_dead()
    store = _reopen(db)
    try:
        done = list(store.iter_clips(["done"]))
        assert len(done) == 1 and done[0].text == f"it's a vegas {first}"
    finally:
        store.close()
