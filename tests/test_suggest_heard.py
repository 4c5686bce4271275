"""The second listen's evidence (earmark.suggest.heard): what the runners-up put in place of
each guess word, and how it ranks the slots, without ever widening what may be offered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earmark.suggest import Suggester, offer
from earmark.suggest.heard import HEARD_BONUS, Heard, weight

ROOT = Path(__file__).resolve().parents[1]
GUESS = "reminds me that was a sad sad to see em"
RUNNERS_UP = [
    "reminds me lot of that plan sad sixty m.",
    "reminds me that water the plan sad sixty m.",
    "reminds me to water a sad sad to see em",
    "reminds me that what a sad sad to see em",
    "reminds me to water the plants sad to see em",
]


def test_words_heard_in_place_of_a_guess_word_stand_at_its_place():
    heard = Heard(GUESS, [GUESS, *RUNNERS_UP])
    assert len(heard) == len(GUESS.split())
    was = heard.at(3)
    assert {"water", "what"} <= set(was)
    assert was["water"] > was["what"]  # two runners-up against one
    assert "was" not in was  # the guess word itself is no evidence against it
    assert "plants" in heard.at(5) and "water" not in heard.at(0)
    assert heard.at(None) == {} and heard.at(99) == {} and heard.at(-1) == {}
    assert all(0 < v <= 1 for j in range(len(heard)) for v in heard.at(j).values())


def test_the_better_runner_up_counts_more():
    early = Heard("a b c", ["a x c", "a y c"]).at(1)
    assert early["x"] > early["y"]


def test_an_insertion_counts_at_the_words_either_side():
    heard = Heard("call mum speaker", ["call mum on speaker"])
    assert "on" in heard.at(1) and "on" in heard.at(2) and "on" not in heard.at(0)


def test_the_bonus_is_among_the_words_that_fit_what_is_typed():
    shares = {"plan": 0.4, "water": 0.1, "what": 0.05}
    got = weight(shares, "w")
    assert set(got) == {"water", "what"}
    assert got["water"] == pytest.approx(HEARD_BONUS) and got["what"] == pytest.approx(
        HEARD_BONUS / 2
    )
    assert max(weight(shares, "").values()) < HEARD_BONUS  # less with nothing typed
    assert weight(shares, "q") == {}


def _suggester(**kw) -> Suggester:
    return Suggester(lexicon=["Alexa"], **kw)


def test_what_was_heard_takes_the_first_slot_once_a_letter_is_typed():
    s = _suggester()
    text = "reminds me that w a sad sad to see em"
    s.set_context(GUESS)
    before = offer(s, text, text.index(" a sad"), typed=True).words
    assert before and before[0] != "water"
    assert s.set_heard(Heard(GUESS, RUNNERS_UP))
    after = offer(s, text, text.index(" a sad"), typed=True).words
    assert after[0] == "water"
    s.set_context(GUESS)  # the clip opened again: its listen is asked again, not kept
    assert offer(s, text, text.index(" a sad"), typed=True).words == before


def test_a_listen_to_another_clip_is_refused():
    s = _suggester()
    s.set_context("turn off the kitchen i")
    assert not s.set_heard(Heard(GUESS, RUNNERS_UP))
    assert s.heard_at(3) == {}


def test_a_heard_word_that_may_not_be_offered_never_is():
    # no English list: the decoder's dictionary is no licence to offer "water" or "plants"
    s = _suggester(english=0)
    s.set_context(GUESS)
    assert s.set_heard(Heard(GUESS, RUNNERS_UP))
    for text, at in (
        ("reminds me that w a sad sad to see em", 17),
        ("reminds me that was a sad p to see em", 27),
        (GUESS, GUESS.index("was")),
    ):
        got = offer(s, text, at, typed=text != GUESS).words
        assert "water" not in got and "plants" not in got


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=60),
    st.lists(st.text(max_size=60), max_size=12),
)
def test_any_text_makes_sane_evidence(guess, hypotheses):
    heard = Heard(guess, hypotheses)
    assert len(heard) == len(heard.guess.split())
    for j in range(len(heard)):
        for word, share in heard.at(j).items():
            assert 0 < share <= 1
            assert word and word.isprintable() and not any(c.isspace() for c in word)


def test_the_benchmark_marks_the_clips_it_listened_to():
    """With PocketSphinx and the demo's audio, every demo clip gets its second listen."""
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("pocketsphinx") is None:
        pytest.skip("pocketsphinx is not installed (pip install -e '.[align]')")
    got = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "bench" / "ksr.py"),
            str(ROOT / "demo_data" / "manifest.jsonl"),
            str(ROOT / "tests" / "bench" / "ksr_sets" / "demo_references.json"),
            "--lexicon",
            str(ROOT / "demo_data" / "lexicon.txt"),
            "--json",
            "--clips",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert got.returncode == 0, got.stderr
    lines = got.stderr.splitlines()
    assert len(lines) == 21 and all(line.endswith("\theard") for line in lines)
    assert json.loads(got.stdout)["clips"] == 21
