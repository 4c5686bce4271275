"""The real `earmark review` in a real terminal (tmux): keys reach the store, q quits."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from earmark.store import open_store
from tests.support import needs_realdata, needs_tmux

ROOT = Path(__file__).resolve().parents[2]
EARMARK = Path(sys.executable).with_name("earmark")
pytestmark = [needs_tmux, needs_realdata]


def _tmux(sock: str, *args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=20, check=True
    ).stdout


def _wait(sock: str, cond, what: str, timeout: float = 30.0) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = _tmux(sock, "capture-pane", "-p", "-t", "r")
        if cond(screen):
            return screen
        time.sleep(0.05)
    raise AssertionError(f"{what} never happened; screen:\n{screen}")


def test_review_in_a_real_terminal(db_path, tmp_path):
    from tests.app.conftest import build_workspace

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
    sock = f"earmark-review-{os.getpid()}"
    cmd = "exec " + " ".join(
        shlex.quote(a) for a in [str(EARMARK), "review", "--db", str(db_path), "--user", "rev1"]
    )
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(
        ["tmux", "-L", sock, "new-session", "-d", "-x", "120", "-y", "30", "-s", "r", cmd],
        check=True,
        timeout=20,
        env=env,
        cwd=ROOT,
    )
    try:
        _tmux(sock, "set-option", "-t", "r", "remain-on-exit", "on")
        screen = _wait(sock, lambda sc: "violence/assault" in sc, "the queue")
        assert "Escalations: 1 open" in screen and "shouting" in screen
        time.sleep(0.5)
        _tmux(sock, "send-keys", "-t", "r", "a")
        _wait(sock, lambda sc: "acknowledged by rev1" in sc, "the acknowledgement")
        _tmux(sock, "send-keys", "-t", "r", "space")
        time.sleep(1.0)  # the span is a second long; its play is logged when it ends
        _tmux(sock, "send-keys", "-t", "r", "q")
        end = time.monotonic() + 20
        while time.monotonic() < end:
            if _tmux(sock, "display", "-p", "-t", "r", "#{pane_dead}").strip() == "1":
                break
            time.sleep(0.05)
        else:
            raise AssertionError("earmark review did not quit on q")
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=20)
    s = open_store(db_path)
    try:
        assert s.escalation(eid).state == "acknowledged"
        actions = [e.action for e in s.audit_entries()]
        assert "escalation_ack" in actions and "play" in actions
        assert s.audit_verify().ok
    finally:
        s.close()
