"""Through the real annotator in tmux: in a lowercase spoken-form batch, moving to the
recogniser's `mr` offers `mister` in the first slot, and Tab writes it (the first LibriVox
clip, as PocketSphinx decodes it freely: "and mr john guess would have been at leisure")."""

from __future__ import annotations

import sys

import pytest

from tests.support import librivox_clips, needs_tmux, suggestion_bar

pytestmark = needs_tmux

GUESS = "and mr john guess would have been at leisure to consider how much there might be"


@pytest.fixture
def spoken_db(store, db_path, realdata):
    store.add_clips(store.batch_id("sense"), librivox_clips({0: GUESS})[:1])
    return db_path


def test_moving_to_mr_offers_mister_first(term, spoken_db):
    argv = [sys.executable, "-m", "earmark", "annotate", "--db", str(spoken_db), "--user", "ann"]
    term.start([*argv, "--no-autoplay"], width=80, height=24)
    term.ready("clip 1 of 1")
    term.keys("Home", "C-Right", "Right")  # to the start of `mr`
    term.wait_until(lambda s: suggestion_bar(s).split()[1:2] == ["mister"], "'mister' in slot 1")
    term.keys("Tab")
    term.wait_for("and mister john guess would")
    term.keys("C-q")
    term.wait_dead()
