"""The context model: candidates weighed by the words around them, and life without it."""

from __future__ import annotations

import pytest

from earmark.suggest import Suggester, offer
from earmark.suggest import context as ctx


@pytest.fixture(scope="module")
def model():
    m = ctx.load()
    if m is None:
        pytest.skip("pocketsphinx (the align extra) is not installed")
    return m


def test_a_word_that_fits_its_neighbours_scores_higher(model):
    assert model.fit("time", ["what"], ["is"]) > model.fit("dime", ["what"], ["is"])
    assert model.fit("the", ["turn", "on"], ["lights"]) > model.fit("a", ["turn", "on"], ["lights"])
    # a word it does not know: UNKNOWN for the word itself, no error
    after = model.logp(["on", "zqxvj", "the"]) + model.logp(["lights", "on", "zqxvj"])
    got = model.fit("zqxvj", ["the"], ["on", "lights"])
    assert got == pytest.approx(ctx.UNKNOWN + ctx.AFTER_WEIGHT * after)


def test_a_phrase_with_nothing_after_it_ends_the_utterance(model):
    """A word that cannot end a sentence (`the`) pays for it where nothing follows."""
    end = model.fit("the", ["call", "my"], [])
    ending = model.logp(["the", "my", "call"]) + ctx.AFTER_WEIGHT * model.logp(
        ["</s>", "the", "my"]
    )
    assert end == pytest.approx(ending)
    assert model.fit("sister", ["call", "my"], []) > end + 5


def test_pointing_at_a_wrong_short_word_offers_the_one_that_fits(model):
    s = Suggester(english=20_000, context_model=model)
    s.set_context("well time is it")
    got = offer(s, "well time is it", 0)
    assert "what" in got.words
    plain = Suggester(english=20_000)
    plain.set_context("well time is it")
    assert "what" not in offer(plain, "well time is it", 0).words


def test_a_missing_word_between_two_is_offered_from_context(model):
    s = Suggester(english=20_000, context_model=model)
    s.set_context("turn off all lights")
    text = "turn off all  lights"
    got = offer(s, text, len("turn off all "))
    assert "the" in got.words and got.start == got.end == len("turn off all ")


def test_without_pocketsphinx_there_is_no_model(monkeypatch):
    monkeypatch.setattr(ctx, "_tried", False)
    monkeypatch.setattr(ctx, "_loaded", None)
    monkeypatch.setattr(ctx, "model_path", lambda: None)
    assert ctx.load() is None
    s = Suggester(english=2000, context_model=ctx.load())
    s.set_context("well time is it")
    assert offer(s, "well time is it wh", 18).words  # suggestions still come


def test_typed_fragments_are_ranked_by_context(model):
    s = Suggester(english=20_000, context_model=model)
    s.set_context("set a timer for ten")
    text = "set a timer for ten m"
    assert offer(s, text, len(text)).words[0] == "minutes"


def test_the_words_after_count_as_much_as_they_are_weighted(model):
    own = model.logp(["time", "what"])
    after = model.logp(["is", "time", "what"]) + model.logp(["it", "is", "time"])
    got = model.fit("time", ["what"], ["is", "it"], weight=0.5)
    assert got == pytest.approx(own + 0.5 * after)


class Recording:
    """A context model that notes what the words after counted in each call."""

    def __init__(self) -> None:
        self.weights: set[float] = set()
        self.phrases: set[str] = set()

    def fit(self, phrase, before, after, *, weight=ctx.AFTER_WEIGHT):
        self.weights.add(weight)
        self.phrases.add(phrase)
        return 0.0


@pytest.mark.parametrize(
    ("alternatives", "weight"),
    [
        (["set a timer for ten minutes"], 1.0),  # the versions agree on what follows
        (["set a timer four ten minutes"], 0.5),  # they disagree on `for`: likely wrong too
        ([], 1.0),  # nothing to compare with
    ],
)
def test_words_after_that_the_recognisers_versions_dispute_count_half(alternatives, weight):
    stub = Recording()
    s = Suggester(english=20_000, context_model=stub)  # type: ignore[arg-type]
    s.set_context("set a time for ten minutes", alternatives)
    text = "set a ti for ten minutes"
    offer(s, text, len("set a ti"), typed=True)
    assert stub.weights == {weight}


def test_a_letter_typed_has_more_than_fifty_candidates_weighed_by_context():
    # room for the sound-alikes beginning with it beside the commonest words (up to 80)
    stub = Recording()
    s = Suggester(english=20_000, context_model=stub)  # type: ignore[arg-type]
    s.set_context("say a time for ten minutes")
    offer(s, "t a time for ten minutes", 1, typed=True)
    assert 50 < len(stub.phrases) <= 80
