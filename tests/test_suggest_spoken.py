"""The spoken form of a written word (`spoken`): in a lowercase spoken-form batch, pointing
at the recogniser's `mr` offers `mister` first, and a digit its words; never in a batch that
writes as typed, and never a word the batch may not offer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earmark.suggest import Suggester, apply_word, offer
from earmark.suggest.spoken import spoken

GUESS = "and mr john guess would have been at leisure"


def _pointing(s: Suggester, text: str, word: str) -> tuple[str, ...]:
    return offer(s, text, text.index(word)).words


def test_titles_and_numbers_have_their_spoken_form():
    assert spoken("mr") == ("mister",) and spoken("Mr.") == ("mister",)
    assert spoken("st") == ("saint", "street")
    assert spoken("mister") == () and spoken("john") == ()
    pytest.importorskip("num2words", reason="numbers need num2words (the align extra)")
    assert spoken("42") == ("forty two",)
    assert spoken("3rd") == ("third",)
    assert spoken("1999") == ("nineteen ninety nine", "one thousand nine hundred and ninety nine")
    assert spoken("5000") == ("five thousand",)  # not a year


def test_pointing_at_mr_in_a_spoken_form_batch_offers_mister_first():
    s = Suggester()
    s.set_context(GUESS)
    words = _pointing(s, GUESS, "mr ")
    assert words[0] == "mister"
    text, _ = apply_word(GUESS, offer(s, GUESS, GUESS.index("mr ")), 1) or ("", 0)
    assert text == GUESS.replace(" mr ", " mister ")
    typed = "and m john guess would have been at leisure"
    assert offer(s, typed, len("and m"), typed=True).words[0] == "mister"  # after its letter


def test_a_batch_that_writes_as_typed_keeps_its_abbreviations():
    s = Suggester()
    guess = "And Mr John Dashwood had then leisure"
    s.set_context(guess)
    assert "mister" not in _pointing(s, guess, "Mr ")
    assert s.spoken("Mr") == []


def test_a_spoken_form_the_batch_may_not_offer_is_not_offered():
    s = Suggester(english=0)  # no English list: `mister` is no word of this batch
    s.set_context(GUESS)
    assert s.spoken("mr") == []
    assert "mister" not in _pointing(s, GUESS, "mr ")


def test_a_digit_becomes_its_words():
    pytest.importorskip("num2words", reason="numbers need num2words (the align extra)")
    s = Suggester()
    guess = "set a timer for 5 minutes"
    s.set_context(guess)
    assert _pointing(s, guess, "5 ")[0] == "five"


@given(st.text(max_size=30))
def test_any_word_gives_clean_spoken_forms(word: str):
    for form in spoken(word):
        assert form and form == form.lower() and all(w.isalpha() for w in form.split())
