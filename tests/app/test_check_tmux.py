"""The acoustic check as an annotator meets it: the real `earmark annotate` in a terminal, the
real engine (pocketsphinx) on synthesised speech. A wrong word typed is underlined within
1.5 s, alt+i jumps to it, F4 plays it; keys typed steadily while checks run all land; and
without pocketsphinx the annotator says why the check is off, once, and works."""

from __future__ import annotations

import os
import re
import sys
import time

import pytest

from earmark.app.screens.annotate.check import CHECK_DELAY
from earmark.importing import import_manifests
from tests.speech import needs_espeak, needs_pocketsphinx, speech_manifest
from tests.support import needs_tmux

pytestmark = [needs_tmux, needs_espeak]
# underline on (SGR 4), then perhaps a colour, then the word: a marked word
UNDERLINED = re.compile(r"\x1b\[(?:[0-9;]*;)?4(?:;[0-9;]*)?m(?:\x1b\[[0-9;]*m)*([^\x1b]+)")
TRUE = "turn off the kitchen lights please"
WRONG = "turn off the chicken lights please"


def status(screen: str) -> str:
    return screen.splitlines()[0]


def editor_line(screen: str) -> str:
    row = next(ln for ln in screen.splitlines() if "▊" in ln and "▎" in ln and "▔" not in ln)
    return row.split("▊", 1)[1].rsplit("▎", 1)[0].strip()


def marked(term) -> list[str]:
    """The words the editor shows underlined."""
    rows = [ln for ln in term.screen(escapes=True).splitlines() if "▊" in ln and "▎" in ln]
    return [w.strip() for ln in rows for w in UNDERLINED.findall(ln) if w.strip()]


@pytest.fixture
def project(store, db_path, tmp_path):
    import_manifests(store, [speech_manifest(tmp_path / "clips", (TRUE, TRUE))])
    store.close()
    return db_path


def _start(term, db_path, prefix: list[str] | None = None, first: str = "") -> None:
    """Start the annotator; `first`: text that must show before the screen settles (a toast
    that is gone by then on a slow machine)."""
    argv = [*(prefix or [sys.executable, "-m", "earmark"]), "annotate", "--db", str(db_path)]
    term.start([*argv, "--user", "ann", "--no-autoplay"], width=80, height=24,
               env={"EARMARK_OUTPUT": "null"})  # fmt: skip
    if first:
        term.wait_for(first, timeout=60)
    term.ready("clip 1 of 2")
    term.wait_until(lambda s: "stopped" in status(s), "audio ready")


@needs_pocketsphinx
def test_a_wrong_word_is_marked_in_time_jumped_to_and_replayed(term, project):
    _start(term, project)
    term.keys(WRONG, literal=True)
    typed = time.monotonic()
    term.wait_until(lambda s: "chicken" in marked(term), "chicken underlined", timeout=20)
    took = time.monotonic() - typed
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    if load < 1.0:  # a machine that is not overloaded keeps the promise
        assert took < 1.5, f"the mark took {took:.2f} s"
    assert "to hear again" in status(term.screen())
    term.keys("Home")
    for _ in marked(term):  # through the marks in order until the cursor is on chicken
        term.keys("M-i")
        term.keys("Q", literal=True)
        line = term.wait_until(lambda s: "Q" in editor_line(s), "Q typed at a mark")
        hit = re.search(r"Q(\w+)", editor_line(line)).group(1)
        term.keys("BSpace")
        term.wait_until(lambda s: "Q" not in editor_line(s), "Q deleted")
        if hit == "chicken":
            break
    else:
        raise AssertionError("alt+i never reached the marked word")
    term.keys("F4")  # the cursor is on chicken: its aligned audio plays
    term.wait_until(lambda s: "▶ playing" in status(s), "the word playing", timeout=10)
    term.wait_until(lambda s: "▶ playing" not in status(s), "the word played out", timeout=10)


@needs_pocketsphinx
def test_keys_typed_steadily_while_checks_run_all_land(term, project):
    _start(term, project)
    for word in WRONG.split():  # a word, then a pause long enough for a check to start
        for ch in word + " ":
            term.keys(ch, literal=True)
            time.sleep(0.03)
        time.sleep(CHECK_DELAY + 0.1)
    term.wait_until(lambda s: editor_line(s) == WRONG, "every character in the editor")
    term.wait_until(lambda s: "chicken" in marked(term), "a check of the whole text", timeout=20)
    term.keys("Enter")
    term.wait_for("clip 2 of 2")


def test_without_pocketsphinx_the_annotator_says_why_once(term, project):
    hide = (  # as if it were not installed: importing it fails
        "import sys; sys.modules['pocketsphinx'] = None; "
        "sys.argv[0] = 'earmark'; from earmark.cli import entry; entry()"
    )
    _start(term, project, [sys.executable, "-c", hide], first="acoustic check off")
    term.keys(WRONG, literal=True)
    term.wait_until(lambda s: editor_line(s) == WRONG, "typing works")
    term.keys("Enter")
    term.wait_for("clip 2 of 2")
    term.wait_gone("acoustic check off")
    assert "to hear again" not in status(term.screen())
    term.keys("M-i")
    term.wait_for("check is off")
