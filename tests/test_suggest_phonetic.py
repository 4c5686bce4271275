"""Sound-alikes of the recogniser's word: pronunciations, neighbours, and their place in
the suggestions."""

from __future__ import annotations

import pytest

from earmark.suggest import Suggester, context, offer
from earmark.suggest import phonetic as ph
from tests.support import eventually

DICTIONARY = """\
say S EY
set S EH T
see S IY
sad S AE D
zed Z EH D
houses HH AW S AH Z
houses(2) HH AW Z AH Z
ounces AW N S AH Z
bounces B AW N S AH Z
elephant EH L AH F AH N T
read R IY D
read(2) R EH D
red R EH D
teacher T IY CH ER
speaker S P IY K ER
spinach S P IH N AH CH
"""


def small(keep=lambda w: True) -> ph.Phonetic:
    return ph.Phonetic(DICTIONARY, keep)


def test_words_that_share_their_sounds_are_neighbours():
    p = small()
    near = p.neighbours("houses")
    assert "ounces" in near and "bounces" in near
    assert "houses" not in near  # never the word itself
    assert "elephant" not in near and "say" not in near
    assert all(0.0 < v < 1.0 for v in near.values())


def test_a_vowel_is_a_cheaper_confusion_than_a_consonant_of_another_class():
    near = small().neighbours("set")
    # sad: one vowel and one stop for another stop; zed: a fricative and a vowel
    assert near["sad"] > near["zed"]
    # say: a vowel and a dropped stop, see likewise: equally close
    assert near["say"] == pytest.approx(near["see"])


def test_every_pronunciation_counts_and_unknown_words_have_none():
    p = small()
    assert p.pronunciations("read") == [["R", "IY", "D"], ["R", "EH", "D"]]
    assert p.neighbours("read")["red"] == 1.0  # the second pronunciation is red's
    assert p.pronunciations("rea") == [] and p.neighbours("rea") == {}
    assert p.neighbours("zzzz") == {}


def test_the_words_beginning_with_the_typed_letters_are_weighed_however_far():
    p = small()
    assert "speaker" not in p.neighbours("teacher")  # three phones apart
    begun = p.beginning("teacher", "sp")
    assert set(begun) == {"speaker"}  # spinach sounds too little like it to count
    assert 0.4 <= begun["speaker"] < 1.0
    assert p.beginning("teacher", "sp") is begun  # cached
    assert p.beginning("teacher", "zz") == {} and p.beginning("zzzz", "s") == {}


def test_only_words_that_may_be_offered_are_searched():
    p = small(keep=lambda w: w != "ounces")
    assert "ounces" not in p.neighbours("houses")
    assert "bounces" in p.neighbours("houses")
    # a word that is not kept is still looked up as the recogniser's word
    only = small(keep=lambda w: w == "bounces")
    assert only.pronunciations("ounces") == [["AW", "N", "S", "AH", "Z"]]
    assert set(only.neighbours("ounces")) == {"bounces"}


def test_neighbours_are_cached_and_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(ph, "CACHE", 2)
    p = small()
    first = p.neighbours("houses")
    assert p.neighbours("houses") is first
    p.neighbours("set")
    p.neighbours("say")
    assert len(p._cache) == 2 and "houses" not in p._cache


@pytest.fixture(scope="module")
def suggester():
    if ph.dictionary_path() is None:
        pytest.skip("pocketsphinx (the align extra) is not installed")
    s = Suggester(english=20_000)
    s.load_phonetic()
    assert s.phonetic is not None and len(s.phonetic) > 10_000
    return s


def test_the_shipped_dictionary_gives_sound_alikes(suggester):
    near = suggester.phonetic.neighbours("houses")
    assert "ounces" in near
    assert "houses" not in near


def test_opening_a_clip_looks_its_words_up_ahead(suggester):
    suggester.set_context("so many houses are in a job")
    eventually(
        lambda: {"houses", "job", "many"} <= set(suggester.phonetic._cache),
        "the guess words' sound-alikes found",
    )


def test_a_sound_alike_is_offered_where_spelling_alone_does_not(suggester):
    # as in the annotator: the dictionary comes with PocketSphinx, and so does the context
    # model, which weighs the words that begin with the letters typed
    guess = "so many houses are in a cup"
    model = context.load()
    with_sounds = Suggester(english=20_000, context_model=model)
    with_sounds.phonetic = suggester.phonetic
    with_sounds.set_context(guess)
    text = "how many ou are in a cup"
    got = offer(with_sounds, text, len("how many ou"))
    assert "ounces" in got.words
    without = Suggester(english=20_000, context_model=model)
    without.set_context(guess)
    assert "ounces" not in offer(without, text, len("how many ou")).words


def test_a_far_sound_alike_beginning_with_the_typed_letters_is_offered(suggester):
    suggester.set_context("call mum on teacher")
    got = [x.text for x in suggester.suggest("sp", 5, near="teacher")]
    assert "speaker" in got  # three phones from `teacher`: no neighbour


def test_pointing_at_a_word_offers_its_other_spelling_first():
    s = Suggester(english=20_000)
    more = "parlor P AA R L ER\nparlour P AA R L ER\ntell T EH L\ntel T EH L\n"
    s.phonetic = ph.Phonetic(DICTIONARY + more, lambda w: True)
    s.set_context("the fire in the parlor")
    got = offer(s, "the fire in the parlor", len("the fire in the "))
    assert got.words[0] == "parlour"
