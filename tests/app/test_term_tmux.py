"""Through the real annotator in tmux: a lexicon term of two words typed in place of the
recogniser's first word takes its second word too, in one slot, and one ctrl+z undoes it
(the demo's fifth clip: "add so real that my shopping list", said "add oat milk to my
shopping list"; its lexicon holds "oat milk")."""

from __future__ import annotations

import re

from tests.support import demo_at_clip, needs_tmux, suggestion_bar

pytestmark = needs_tmux


def test_a_term_takes_the_recognisers_words_it_replaces(term):
    demo_at_clip(term, 5)
    term.wait_for("add so real that my shopping list")
    term.keys("Home", "C-Right", "C-Right", "C-w")  # "so" gone
    term.keys("oa", literal=True)
    screen = term.wait_until(lambda s: "oat milk" in suggestion_bar(s), "'oat milk' offered")
    key = re.search(r"(tab|alt\+\d)\s+oat milk", suggestion_bar(screen))
    assert key is not None
    term.keys({"tab": "Tab"}.get(key.group(1), "M-" + key.group(1)[-1]))
    term.wait_for("add oat milk that my shopping list")  # "real" taken with it
    term.keys("C-z")
    term.wait_for("add oa real that my shopping list")
    term.keys("C-q")
    term.wait_dead()
