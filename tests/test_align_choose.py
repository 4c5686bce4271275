"""The audio's choice among the candidates for the word being typed (earmark.align.choose),
on real speech: the LibriVox clip PocketSphinx decodes freely as "...might be prickly in his
power...", said "...might be prudently in his power to do for them"."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from earmark.align.choose import Chooser, plain
from earmark.audio import load
from tests.speech import needs_pocketsphinx
from tests.support import LIBRI, needs_realdata

pytestmark = [needs_pocketsphinx, needs_realdata]

BEFORE = "and mister john dashwood had then leisure to consider how much there might be".split()  # noqa: SIM905
AFTER = ["in", "his", "power", "to", "do", "for"]  # the recogniser's: `them` is missing


@pytest.fixture(scope="module")
def chooser() -> Chooser:
    return Chooser()


@pytest.fixture(scope="module")
def clip():
    return load(str(LIBRI / "sense_and_sensibility_01_austen_64kb-0870.wav"))


def test_the_audio_chooses_the_word_that_was_said(chooser, clip):
    cands = ["pride", "pretty", "probably", "prickly", "prudently", "private", "present"]
    assert chooser.choose(*clip, BEFORE, cands, AFTER) == "prudently"
    # without it, the nearest in sound; the recogniser's own word when it is offered
    assert chooser.choose(*clip, BEFORE, ["pretty", "prickly"], AFTER) == "prickly"


def test_a_word_outside_the_dictionary_is_pronounced_by_rule(chooser, clip):
    assert chooser.choose(*clip, BEFORE, ["prudently", "prudentlyx"], AFTER) in (
        "prudently",
        "prudentlyx",
    )


def test_text_that_is_not_plain_words_never_reaches_the_grammar(chooser, clip):
    for before, cands in (
        (["<s>", "might"], ["prudently"]),
        (BEFORE, ["a ; public <x> = b", "prudently"]),
        (BEFORE, ["prüdently"]),
        (BEFORE + ["[be]"], ["prudently"]),
        (BEFORE, []),
    ):
        assert chooser.choose(*clip, before, cands, AFTER) is None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=4))
def test_any_text_gives_a_candidate_or_none(chooser, clip, words):
    got = chooser.choose(*clip, BEFORE[-3:], words, words)
    assert got is None or (got in words and plain([got.lower()]))  # as offered, any case


def test_the_child_process_chooses_as_in_process(chooser, clip):
    from earmark.align.service import CheckService

    service = CheckService()
    try:
        cands = ["pretty", "prudently", "prickly"]
        assert service.choose(*clip, BEFORE, cands, AFTER) == "prudently"
    finally:
        service.close()
