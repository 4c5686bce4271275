"""Whole words typed with a typo against fragments typed as prefixes: which corrections
earn a place among the completions (`ranking`), and the counts they are weighed by."""

from __future__ import annotations

import numpy as np
import pytest

from earmark.suggest import Suggester, Suggestion
from earmark.suggest.segment import POP_MAX, commonness

# Rare words that begin with "fand" and "ifo", as a big batch lexicon is full of; and the
# rest of such a lexicon (its size decides what a lexicon term is worth, see `tier_bonus`).
FILLER = ["qz" + "".join(chr(97 + n // 26**k % 26) for k in range(4)) for n in range(100_000)]
FAND = ["Fandspe", "Fandkethirt", "Fandsnyrd", "Fandshea", "Fandvo", "Fandqua"]
IFO = ["Ifoust", "Ifong", "Ifoux", "Ifoot", "Ifouyrd", "Ifro"]


def texts(result: list[Suggestion]) -> list[str]:
    return [s.text.lower() for s in result]


@pytest.fixture(scope="module")
def sugg() -> Suggester:
    """The batch has written "and" fifty thousand times, "find" a thousand, the lexicon's
    "Ifro" 27 times and "Ifoust" 8: past the count where popularity stops growing for the
    first two, far below it for the others."""
    learned = [
        ("and", 50_000, 20_000),
        ("find", 1_000, 900),
        ("fans", 150, 140),
        ("fandspe", 7, 5),
        ("fandkethirt", 10, 8),
        ("ifro", 27, 20),
        ("ifoust", 8, 6),
        ("info", 78, 60),
        ("ufo", 13, 10),
    ]
    return Suggester(lexicon=FAND + IFO + FILLER, learned=learned)


def test_a_very_common_word_one_letter_away_beats_rare_completions(sugg):
    got = texts(sugg.suggest("fand"))
    assert got[0] == "and"


def test_a_prefix_still_offers_its_completions(sugg):
    got = texts(sugg.suggest("fand"))
    assert {"fandspe", "fandkethirt"} <= set(got)  # the completions written here
    got = texts(sugg.suggest("ifo"))
    assert sum(w.startswith("ifo") for w in got) >= 2
    assert "ifoust" in got


def test_a_third_correction_takes_the_place_of_a_term_nobody_used(sugg):
    got = texts(sugg.suggest("ifo"))
    assert {"ifro", "info", "ufo"} <= set(got)
    assert {"ifoust", "ifong"} <= set(got)  # the completions before it keep theirs


def test_a_completion_that_was_written_is_not_displaced():
    learned = [("ifro", 27, 20), ("info", 78, 60), ("ufo", 13, 10)]
    learned += [(w.lower(), 3, 3) for w in IFO if w != "Ifro"]
    s = Suggester(lexicon=IFO + FILLER, learned=learned)
    got = texts(s.suggest("ifo"))
    assert sum(w.startswith("ifo") for w in got) == 3  # two places kept for corrections
    assert "info" not in got


def test_a_lexicon_term_also_learned_is_one_word_with_the_lexicons_spelling():
    s = Suggester(lexicon=["Droick", "Royck"], learned=[("droick", 5, 3)], english=0)
    assert len(s) == 2
    (got,) = s.suggest("droi")
    assert (got.text, got.source) == ("Droick", "lexicon")
    # its uses count: it ranks above the unused term of equal match
    got = texts(s.suggest("roick"))
    assert got.index("droick") < got.index("royck")


def test_commonness_goes_on_where_popularity_stops():
    count = np.array([50_000, 1_000, 14, 14], dtype=np.int32)
    rank = np.array([2, 160, 9_620, 18_066], dtype=np.int32)
    got = commonness(count, rank, 50_000).tolist()
    assert got[0] > 2.0  # "and": far beyond the cap POP_MAX
    assert got[1] < 0.1  # "find": at the cap
    assert got[2] > got[3]  # written as often: the more common English word first
    assert max(got[1:]) < POP_MAX
