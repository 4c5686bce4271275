"""What the acoustic check aligns: typed words to spoken tokens, and guessed pronunciations."""

from __future__ import annotations

import pytest

pytest.importorskip("num2words", reason="num2words is part of the align extra")

from earmark.align.g2p import pronounce, spell_rules
from earmark.align.normalise import spoken_tokens


@pytest.mark.parametrize(
    ("typed", "spoken"),
    [
        ("42", "forty two"),
        ("21st", "twenty first"),
        ("1999", "nineteen ninety nine"),
        ("1990s", "nineteen nineties"),
        ("2005", "two thousand and five"),
        ("1,500", "one thousand five hundred"),
        ("3.5", "three point five"),
        ("10%", "ten percent"),
        ("$5", "five dollars"),
        ("rock&roll", "rock and roll"),
        ("well-known", "well known"),
        ("Don\u2019t", "don't"),
        ("Hello,", "hello"),
        ("b12", "b twelve"),
        ("...", ""),
        (
            "12345678901234567890",
            " ".join(["one two three four five six seven eight nine zero"] * 2),
        ),
    ],
)
def test_typed_words_become_what_is_said(typed, spoken):
    words, tokens = spoken_tokens(typed)
    assert words == [typed]
    assert " ".join(t.text for t in tokens) == spoken
    assert all(t.word == 0 for t in tokens)


def test_each_token_keeps_the_index_of_the_word_it_came_from():
    words, tokens = spoken_tokens("set 2 timers , for 10:30")
    assert words == ["set", "2", "timers", ",", "for", "10:30"]
    assert [(t.text, t.word) for t in tokens] == [
        ("set", 0),
        ("two", 1),
        ("timers", 2),
        ("for", 4),
        ("ten", 5),
        ("thirty", 5),
    ]


def test_hostile_text_leaves_only_letters_and_apostrophes():
    _words, tokens = spoken_tokens("\x1b[31mred\x1b[0m [@click=app.quit]q \u202eevil <s> (2)")
    for t in tokens:
        assert t.text and set(t.text) <= set("abcdefghijklmnopqrstuvwxyz'"), t


def test_spelling_rules_give_plausible_phones():
    assert spell_rules("fonsi") == ["F", "AA", "N", "S", "IH"]
    assert spell_rules("shack") == ["SH", "AE", "K"]
    assert spell_rules("") == []


def test_an_unknown_compound_is_built_from_dictionary_words():
    known = {"oat": "OW T", "milk": "M IH L K"}
    assert pronounce("oatmilk", known.get) == ["OW", "T", "M", "IH", "L", "K"]
    assert pronounce("zzz", known.get) == ["Z"]
    assert pronounce("'", known.get) == ["AH"]  # never an empty pronunciation
