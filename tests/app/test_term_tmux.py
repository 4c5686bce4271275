"""Through the real annotator in tmux: a lexicon term of two words typed in place of the
recogniser's first word takes its second word too, in one slot, and one ctrl+z undoes it
(the demo's fifth clip: "add so real that my shopping list", said "add oat milk to my
shopping list"; its lexicon holds "oat milk")."""

from __future__ import annotations

import re
import sys

from tests.support import needs_tmux

pytestmark = needs_tmux


def _bar(screen: str) -> str:
    return next((ln for ln in screen.splitlines() if " tab " in ln), "")


def test_a_term_takes_the_recognisers_words_it_replaces(term):
    demo = [sys.executable, "-m", "earmark", "demo", "--no-autoplay"]
    term.start(demo, width=80, height=24)
    term.ready("clip 1 of 21")
    for n in range(2, 6):
        term.keys("PageDown")
        term.wait_for(f"clip {n} of 21")
    term.wait_for("add so real that my shopping list")
    term.keys("Home", "C-Right", "C-Right", "C-w")  # "so" gone
    term.keys("oa", literal=True)
    screen = term.wait_until(lambda s: "oat milk" in _bar(s), "'oat milk' offered")
    key = re.search(r"(tab|alt\+\d)\s+oat milk", _bar(screen))
    assert key is not None
    term.keys({"tab": "Tab"}.get(key.group(1), "M-" + key.group(1)[-1]))
    term.wait_for("add oat milk that my shopping list")  # "real" taken with it
    term.keys("C-z")
    term.wait_for("add oa real that my shopping list")
    term.keys("C-q")
    term.wait_dead()
