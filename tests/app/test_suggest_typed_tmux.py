"""Through the real annotator in tmux: a word typed again as the guess had it is a word
being written (its completions are offered), while the guess word the clip opened with,
untouched, is offered nothing."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.support import build_workspace, needs_tmux

pytestmark = needs_tmux


@pytest.fixture
def ws_db(store, db_path, realdata):
    build_workspace(store)
    return db_path


def _annotate(db: Path) -> list[str]:
    return [sys.executable, "-m", "earmark", "annotate", "--db", str(db), "--user", "ann"]


def _bar(screen: str) -> str:
    """The suggestions bar: the line that offers Tab, or says to type."""
    return next((ln for ln in screen.splitlines() if " tab " in ln or "type to get" in ln), "")


def test_retyping_the_guess_word_offers_its_completions(term, ws_db):
    term.start(_annotate(ws_db) + ["--no-autoplay"], width=80, height=24)
    term.ready("clip 1 of 6")
    # the clip's last word, untouched, is not pointed at: nothing to take
    term.wait_for("type to get suggestions")
    assert term.screen().count("do for them") == 3  # the guess, its alternative, the editor
    term.keys("Tab")
    term.keys("C-e")
    term.keys("C-w")  # the last word of the guess, "them", gone...
    term.keys("them", literal=True)  # ...and typed again: the text reads as the guess did
    completion = re.compile(r"(tab|alt\+\d)\s+(them[a-z']+)")
    term.wait_until(lambda s: completion.search(_bar(s)), "completions of 'them' offered")
    term.wait_until(lambda s: s.count("do for them") == 3, "the editor back to 'them'")
    term.keys("Tab")  # the first suggestion replaces the word being written
    screen = term.wait_until(lambda s: s.count("do for them") == 2, "a suggestion taken")
    assert re.search(r"do for the\w", screen)
    term.keys("C-q")
    term.wait_dead()
