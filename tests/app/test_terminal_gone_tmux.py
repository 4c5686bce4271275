"""The terminal vanishes with no SIGHUP to earmark (run under setsid, as under runuser, and
the multiplexer killed): earmark saves what was typed and ends, instead of spinning on a
dead terminal for ever (Textual's input thread read nothing in a busy loop, and even SIGTERM
left it running)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from earmark.store import open_store
from tests.support import build_workspace, eventually, needs_tmux

pytestmark = [
    needs_tmux,
    pytest.mark.skipif(shutil.which("setsid") is None, reason="needs setsid (util-linux)"),
]


@pytest.fixture
def ws_db(store, db_path, realdata):
    build_workspace(store)
    store.close()
    return db_path


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def test_a_terminal_gone_without_a_hangup_ends_earmark_with_the_draft_saved(term, ws_db):
    argv = ["setsid", "-w", sys.executable, "-m", "earmark", "annotate", "--db", str(ws_db)]
    term.start([*argv, "--user", "ann", "--no-autoplay"], width=80, height=24,
               env={"EARMARK_OUTPUT": "null"})  # fmt: skip
    term.ready("clip 1 of 6")
    (earmark,) = eventually(lambda: _children(term.pid()), "earmark under setsid")
    term.keys(" typed before the drop", literal=True)
    term.wait_for("typed before the drop")
    term.kill()  # the terminal is gone; earmark, in a session of its own, gets no SIGHUP
    eventually(lambda: not Path(f"/proc/{earmark}").exists(), "earmark ended", timeout=15)
    store = open_store(ws_db)
    draft = store.draft(1, "ann")
    store.close()
    assert draft is not None and draft.text.endswith("typed before the drop")
