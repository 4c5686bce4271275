"""The editor logic the screen and the keystroke benchmark share: offer and apply."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earmark.suggest import Suggester, apply_utterance, apply_word, offer, word_spans


@pytest.fixture(scope="module")
def sugg() -> Suggester:
    s = Suggester(lexicon=["Alexa", "Despacito", "Luis Fonsi"], english=20_000)
    s.set_context(
        "set the thermostat to twenty one degrees",
        [
            "set the thermostat the twenty one degrees",
            "set the thermostat to twenty one to breathe",
        ],
    )
    return s


def test_tab_with_nothing_typed_leaves_an_unpointed_guess_word_alone(sugg):
    text = "set the thermostat to twenty one degrees"
    got = offer(sugg, text, len(text))  # where the editor puts the cursor on a new clip
    assert got.words == ()
    assert apply_word(text, got, 1) is None


def test_pointing_at_a_word_offers_its_alternatives(sugg):
    text = "set the thermostat to twenty one degrees"
    got = offer(sugg, text, text.index("degrees"))
    assert got.words[0] == "to breathe"
    assert apply_word(text, got, 1) == ("set the thermostat to twenty one to breathe", 43)


def test_typing_at_a_pointed_word_leads_with_the_fragment(sugg):
    text = "set the thermostat to twenty one de"
    got = offer(sugg, text, len(text))
    assert got.fragment == "de" and got.words[0].startswith("de")
    new, cursor = apply_word(text, got, 1)
    assert new == "set the thermostat to twenty one " + got.words[0] and cursor == len(new)


def test_slot_one_is_never_the_word_already_there(sugg):
    text = "set the thermostat to twenty one degr"
    for n in range(1, len(text) + 1):
        got = offer(sugg, text[:n], n)
        here = text[:n].split()[-1] if text[:n].strip() else ""
        assert here not in got.words


def test_utterance_offer_and_apply():
    s = Suggester(lexicon=["Alexa", "Despacito"], english=20_000)
    s.add_transcript("alexa play despacito", clip=1, guess="it's a vegas casino")
    s.set_context("it's a vegas casino", [])
    got = offer(s, "it's a vegas casino", 0)
    assert got.utterance == "alexa play despacito"
    assert apply_utterance(got) == ("alexa play despacito", 20)
    same = offer(s, "alexa play despacito", 3)
    assert same.utterance is None  # already there: nothing to offer


def test_between_words_the_batchs_usual_next_word_is_offered():
    s = Suggester(lexicon=["Luis Fonsi"], english=20_000)
    s.set_context("play despacito by louis", [])
    text = "play despacito by luis  "
    got = offer(s, text, len(text) - 1)
    assert got.words[:1] == ("fonsi",)
    assert apply_word(text, got, 1) == ("play despacito by luis fonsi ", len(text) + 4)


def test_word_spans():
    assert word_spans("  a bc\u00a0d ") == [(2, 3), (4, 6), (7, 8)]


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.lists(
    st.sampled_from(["set", "the", "to", "degr", "de", " ", "  ", "x"])
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, cursor=st.integers(-5, 60), n=st.integers(0, 6))
def test_applying_a_word_only_changes_the_pointed_word(sugg, text, cursor, n):
    got = offer(sugg, text, cursor)
    assert 0 <= got.start <= got.end <= len(text)
    assert len(got.words) <= 5 and len(set(got.words)) == len(got.words)
    after = apply_word(text, got, n)
    if after is None:
        assert not 1 <= n <= len(got.words)
        return
    new, pos = after
    assert new[: got.start] == text[: got.start]
    assert new[pos:] == text[got.end :]
    assert new[got.start : pos] == got.words[n - 1]
    if got.start == got.end:  # inserted between words: nothing of the text is lost
        assert new == text[: got.start] + got.words[n - 1] + text[got.start :]


@settings(max_examples=300, deadline=None)
@given(fragment=st.text(max_size=30), near=st.none() | st.text(max_size=12))
def test_random_unicode_never_breaks_suggest(sugg, fragment, near):
    got = sugg.suggest(fragment, 5, near=near)
    assert len(got) <= 5
    assert all(s.text and s.text.isprintable() for s in got)
    assert isinstance(sugg.similar(fragment), list)
    sugg.utterance(fragment, [fragment])


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=60), clip=st.integers(0, 5))
def test_random_unicode_transcripts_are_learned_safely(text, clip):
    s = Suggester(english=0)
    s.add_transcript(text, clip=clip, guess=text, redacted=[text[:5]])
    s.set_context(text, [text])
    assert all(w.isprintable() for w in offer(s, text, len(text) // 2).words)


def test_pointing_at_a_word_of_an_alternative_offers_the_guesss_own_word():
    # the annotator started from an alternative: the guess's word there is a candidate again
    s = Suggester(english=20_000)
    s.set_context("turn off that is a room lights", ["turn off that is a true lies"])
    text = "turn off the living room lies"
    got = offer(s, text, text.index("lies"))
    assert "lights" in got.words[:2]
    assert apply_word(text, got, got.words.index("lights") + 1) == (
        "turn off the living room lights",
        len(text) + 2,
    )


GUESS_OF_ALT = "the candidates ah that's the day"
TAKEN_ALT = "that candidates ah that's a day"  # the alternative the annotator took


@pytest.fixture
def from_alternative() -> Suggester:
    s = Suggester(english=20_000)
    s.set_context(GUESS_OF_ALT, [TAKEN_ALT])
    return s


def test_retyping_a_word_of_a_taken_alternative_offers_the_guesss_word(from_alternative):
    text = "t candidates ah that's a day"  # `that` deleted, `t` typed
    got = offer(from_alternative, text, 1, typed=True)
    assert "the" in got.words  # the guess's own word there
    assert "that" not in got.words  # the word being replaced: wrong, or it would be kept


def test_tab_leaves_an_unpointed_word_of_a_taken_alternative_alone(from_alternative):
    cursor = TAKEN_ALT.index(" a ") + 2  # just after the alternative's `a`, nothing typed
    got = offer(from_alternative, TAKEN_ALT, cursor)
    assert got.words == () and apply_word(TAKEN_ALT, got, 1) is None
    pointed = offer(from_alternative, TAKEN_ALT, cursor - 1)  # moved to it: it is offered for
    assert "the" in pointed.words


# -- a term of several words -----------------------------------------------------------------
@pytest.fixture(scope="module")
def terms() -> Suggester:
    s = Suggester(lexicon=["oat milk", "coffee pods", "Luis Fonsi"], english=20_000)
    s.set_context("add so real that my shopping list")
    return s


def _take(s: Suggester, text: str, cursor: int, word: str) -> str:
    got = offer(s, text, cursor, typed=True)
    assert word in got.words, got.words
    after = apply_word(text, got, got.words.index(word) + 1)
    assert after is not None
    return after[0]


def test_a_term_typed_in_place_of_a_word_takes_the_recognisers_next_word_too(terms):
    text = "add oa real that my shopping list"
    assert _take(terms, text, 6, "oat milk") == "add oat milk that my shopping list"
    assert _take(terms, text, 6, "oat") == "add oat real that my shopping list"  # one word: one


def test_a_term_never_takes_a_word_the_annotator_wrote(terms):
    # "milk" is the annotator's, not the recogniser's: the term takes only what was typed
    text = "add oa mil that my shopping list"
    assert _take(terms, text, 6, "oat milk") == "add oat milk mil that my shopping list"


def test_with_nothing_typed_a_term_changes_only_the_word_pointed_at(terms):
    text = "add so real that my shopping list"
    got = offer(terms, text, text.index("so"))
    assert got.ends == ()


_TYPED = st.lists(
    st.sampled_from(["add", "so", "real", "that", "my", "o", "oa", "c", "lu", "milk", " "]),
    max_size=8,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=_TYPED, cursor=st.integers(0, 40), n=st.integers(1, 5))
def test_a_slot_takes_the_typed_word_and_guess_words_only(terms, text, cursor, n):
    got = offer(terms, text, cursor, typed=True)
    after = apply_word(text, got, n)
    if after is None:
        return
    new, pos = after
    end = got.ends[n - 1] if got.ends else got.end
    assert got.end <= end <= len(text)
    assert new == text[: got.start] + got.words[n - 1] + text[end:]
    taken = text[got.end : end].split()
    assert len(taken) <= len(got.words[n - 1].split()) - 1
    guess = ["add", "so", "real", "that", "my", "shopping", "list"]
    assert all(w in guess for w in taken)  # only the recogniser's words, never typed ones


# -- the audio's choice among the candidates -------------------------------------------------
def test_the_audios_choice_leads_the_suggesters_words(sugg):
    text = "set the thermostat to twenty one de"
    asked: list = []

    def chosen(q):
        asked.append(q)
        return q.candidates[3]

    plain = offer(sugg, text, len(text), typed=True)
    got = offer(sugg, text, len(text), typed=True, chosen=chosen)
    q = asked[0]
    assert q == plain.choice and got.choice == q
    assert q.before == ("set", "the", "thermostat", "to", "twenty", "one") and q.after == ()
    assert got.words[0] == q.candidates[3] and set(got.words[1:]) <= set(plain.words)


def test_a_choice_outside_the_candidates_changes_nothing(sugg):
    text = "set the thermostat to twenty one de"
    plain = offer(sugg, text, len(text), typed=True)
    for answer in (None, "zebra", "set"):
        assert offer(sugg, text, len(text), typed=True, chosen=lambda q, a=answer: a) == plain


def test_the_audio_is_asked_about_a_word_pointed_at_never_about_one_passed_by(sugg):
    text = "set the thermostat to twenty one degrees"
    pointed = offer(sugg, text, text.index("degrees"), chosen=lambda q: q.candidates[2])
    q = pointed.choice
    assert q is not None and "degrees" not in q.candidates
    assert q.after == () and q.before[-1] == "one"
    # the recogniser's alternative there keeps slot 1; the audio's word leads the rest
    assert pointed.words[:2] == ("to breathe", q.candidates[2])
    assert offer(sugg, text, len(text)).choice is None  # the guess word, not pointed at
    gap = "set the thermostat  to twenty one degrees"
    assert offer(sugg, gap, gap.index("  ") + 1).choice is None  # between words
