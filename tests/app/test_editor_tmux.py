"""The editor's keys as a terminal sends them, in the real `earmark annotate` at 80x24.

Undo (ctrl+z, byte 0x1a) would stop the process if the terminal's signal keys were on;
the app turns them off, and this checks the keys reach the editor and the process keeps
running. ctrl+backspace reaches the app apart from backspace only from terminals that speak
the kitty keyboard protocol (tmux passes its CSI u bytes through); xterm and VTE send it as
0x08, which is backspace, and that is what the editor does with it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.app.pilot import LONG
from tests.support import build_workspace, needs_tmux

TAIL = " ".join(LONG.split()[-3:])  # the last words, typed last
HEAD = " ".join(LONG.split()[:4])  # the first words, on the first row

pytestmark = needs_tmux
BORDER = "▊▎▌▐│┃"


@pytest.fixture
def ws_db(store, db_path, realdata):
    build_workspace(store)
    return db_path


def _annotate(db: Path) -> list[str]:
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
    ]


def _text(screen: str) -> str:
    """The screen as one run of words, box edges left out."""
    return " ".join(" ".join(ln.strip(" " + BORDER) for ln in screen.splitlines()).split())


def _hex(sequence: str) -> list[str]:
    """Bytes for `tmux send-keys -H`, which passes them to the app as the terminal would."""
    return [f"{b:02x}" for b in sequence.encode()]


def _stopped(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] == "T"


def test_undo_redo_and_word_keys_in_a_real_terminal(term, ws_db):
    term.start(_annotate(ws_db), width=80, height=24)
    term.ready("clip 1 of 6")
    term.keys("C-e")
    term.keys("C-u")
    term.keys("zqxa zqxb zqxc", literal=True)
    term.wait_for("zqxa zqxb zqxc")
    term.keys("C-z")
    term.wait_until(lambda s: "zqxa zqxb" in s and "zqxc" not in s, "one word undone")
    assert not _stopped(term.pid()) and not term.dead()
    term.keys("C-z")
    term.wait_until(lambda s: "zqxa" in s and "zqxb" not in s, "a second word undone")
    term.keys("C-y")
    term.keys("C-y")
    term.wait_for("zqxa zqxb zqxc")
    # the same keys from a kitty-protocol terminal: CSI 122;5u and CSI 121;5u
    term.keys("-H", *_hex("\x1b[122;5u"))
    term.wait_until(lambda s: "zqxa zqxb" in s and "zqxc" not in s, "kitty ctrl+z")
    term.keys("-H", *_hex("\x1b[121;5u"))
    term.wait_for("zqxa zqxb zqxc")
    # ctrl+w takes a contraction whole
    term.keys(" zq o'zqy", literal=True)
    term.wait_for("zqxc zq o'zqy")
    term.keys("C-w")
    term.wait_until(lambda s: "zqxc zq" in s and "zqy" not in s, "ctrl+w on o'zqy")
    term.keys("C-z")
    term.wait_for("zqxc zq o'zqy")
    # ctrl+backspace from a kitty-protocol terminal: CSI 127;5u
    term.keys("-H", *_hex("\x1b[127;5u"))
    term.wait_until(lambda s: "zqxc zq" in s and "zqy" not in s, "ctrl+backspace")
    # what xterm and VTE send for ctrl+backspace (0x08) is backspace: one character each
    term.keys("-H", "08", "08")
    term.wait_until(lambda s: "zqxc z" in s and "zqxc zq" not in s, "0x08 as backspace")
    term.keys("C-q")
    term.wait_dead()


def test_a_200_character_transcript_is_fully_visible_at_80x24(term, ws_db):
    term.start(_annotate(ws_db), width=80, height=24)
    term.ready("clip 1 of 6")
    term.keys("C-e")
    term.keys("C-u")
    term.keys(LONG, literal=True)
    term.wait_for(TAIL)
    screen = term.wait_until(lambda s: LONG in _text(s), "the whole transcript on screen")
    assert "clip 1 of 6" in screen
    # the first words are on screen too, not scrolled away
    assert HEAD in screen
    term.keys("Enter")
    term.wait_for("clip 2 of 6")
    term.keys("C-q")
    term.wait_dead()
    from earmark.store import open_store

    store = open_store(ws_db, create=False)
    try:
        assert store.clip_by_name("clip-00").text == LONG
    finally:
        store.close()


def test_every_editor_key_as_a_terminal_sends_it(term, ws_db):
    """Each key of EDITOR_KEYS, sent by tmux as bytes, does what the table says."""
    term.start(_annotate(ws_db), width=80, height=24)
    term.ready("clip 1 of 6")

    def step(keys: list[str], expect: str, gone: str | None = None) -> None:
        for k in keys:
            if k.startswith("="):
                term.keys(k[1:], literal=True)
            else:
                term.keys(k)
        term.wait_until(
            lambda s: expect in _text(s) and (gone is None or gone not in _text(s)),
            f"{keys} giving {expect!r}",
        )

    base = "qone qtwo's qthree"
    step(["C-e", "C-u", "=" + base], base)
    step(["Left", "Left", "=X"], "qone qtwo's qthrXee")
    step(["BSpace"], base, "qthrX")
    step(["C-Left", "C-Left", "=Y"], "qone Yqtwo's qthree")  # the contraction is one word
    step(["BSpace", "C-Right", "=Z"], "qone qtwo'sZ qthree")
    step(["BSpace", "Home", "Right", "=R"], "qRone qtwo's")
    step(["C-a", "=A"], "AqRone")
    step(["C-e", "=E"], "qthreeE")
    step(["Home", "Delete", "C-d"], "Rone qtwo's qthreeE", "AqRone")
    step(["C-z"], "AqRone qtwo's qthreeE")  # the deletions were one step
    step(["End", "S-Left", "S-Left", "=Q"], "qtwo's qthreQ")
    step(["C-z", "C-S-Left", "=W"], "qtwo's W", "qthree")
    step(["C-z", "S-Home", "=B"], "B", "qtwo")
    step(["C-z", "Home", "S-End", "=C"], "C", "qtwo")
    step(["C-z", "End", "S-Up", "=D"], "D", "qtwo")
    step(["C-z", "Home", "S-Down", "=F"], "F", "qtwo")
    step(["C-z", "Home", "C-Right", "C-k"], "AqRone", "qtwo")
    step(["C-z", "End", "C-Left", "C-u"], "qthreeE", "qtwo")
    step(["C-z", "End", "C-w"], "AqRone qtwo's", "qthree")
    step(["C-w"], "AqRone", "qtwo")
    step(["C-z"], "AqRone qtwo's")
    step(["C-y"], "AqRone", "qtwo")
    # up and down move between the rows of a long transcript
    step(["C-u", "=" + LONG], TAIL)
    term.keys("Home", "Down", "G")  # G lands at the start of the second row's first word
    term.wait_until(lambda s: re.search(r" G[a-z]", _text(s)) is not None, "down a row")
    step(["Up", "=H"], LONG[0] + "H" + LONG[1:12])
    term.keys("C-q")
    term.wait_dead()


def test_an_alternative_and_a_suggestion_are_undone_in_one_key(term, ws_db):
    term.start(_annotate(ws_db), width=80, height=24)
    term.ready("clip 1 of 6")
    term.wait_for("and mister john dashwood")
    # each guess is on screen once as a guess; the one in the editor makes it twice
    term.keys("M-a")  # the recogniser's other guess replaces the transcript
    term.wait_until(lambda s: _text(s).count("um mister john") == 2, "the alternative")
    term.keys("C-z")
    term.wait_until(
        lambda s: _text(s).count("and mister john") == 2 and _text(s).count("um mister") == 1,
        "the alternative undone",
    )
    term.keys("C-e")
    term.keys(" norla", literal=True)
    term.wait_until(lambda s: "tab norland" in _text(s), "norland offered")
    term.keys("Tab")
    term.wait_for("do for them norland")
    term.keys("C-z")
    term.wait_until(
        lambda s: "do for them norla" in _text(s) and "them norland" not in _text(s),
        "the suggestion undone",
    )
    term.keys("C-y")
    term.wait_for("do for them norland")
    term.keys("C-q")
    term.wait_dead()
