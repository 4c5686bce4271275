"""Through the real annotator in tmux: once a letter is typed, the audio chooses among the
candidates. The second LibriVox clip, as PocketSphinx decodes it freely ("he was not until
this blows young man", said "he was not an ill disposed young man"): with "an ill" written,
`d` in place of "blows" offers "disposed" first, where the text alone offers do, disclose,
during, die (tests/bench/ksr.py with KSR_NO_CHOICE=1)."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from tests.speech import needs_pocketsphinx
from tests.support import librivox_clips, needs_tmux, suggestion_bar

pytestmark = [needs_tmux, needs_pocketsphinx]

GUESS = "he was not until this blows young man"


# the runners-up of the same free decoding (tests/bench/ksr_sets/realdata_heldout.jsonl)
ALTERNATIVES = ["he was not fun builds those young man", "he was not until dispose young man"]


@pytest.fixture
def choice_db(store, db_path, realdata):
    clip = dataclasses.replace(librivox_clips({1: GUESS})[1], alternatives=ALTERNATIVES)
    store.add_clips(store.batch_id("sense"), [clip])
    return db_path


def test_the_word_the_audio_chooses_is_the_first_slot(term, choice_db):
    argv = [sys.executable, "-m", "earmark", "annotate", "--db", str(choice_db), "--user", "ann"]
    term.start([*argv, "--no-autoplay"], width=80, height=24)
    term.ready("clip 1 of 1")
    term.keys("C-e", "C-u")  # the guess gone; the annotator writes what they heard
    term.keys("he was not an ill  young man", literal=True)
    term.keys("C-Left", "C-Left", "Left")  # between "ill" and "young"
    for attempt in range(3):  # an answer later than CHOICE_SETTLE (a busy machine: the
        # listen child at nice 10) leaves the bar alone and comes in when `d` is typed again
        term.keys("d", literal=True)
        term.wait_for("he was not an ill d young man")
        try:
            term.wait_until(
                lambda s: suggestion_bar(s).split()[1:2] == ["disposed"], "'disposed' first", 10
            )
            break
        except AssertionError:
            if attempt == 2:
                raise
            term.keys("BSpace")
            term.wait_for("he was not an ill  young man")
    term.keys("Tab")
    term.wait_for("he was not an ill disposed young man")
    term.keys("C-q")
    term.wait_dead()
