"""The suggestion engine: sources, ranking, typos, casing, learning rules, utterances."""

from __future__ import annotations

import threading

import pytest

from earmark.suggest import (
    Convention,
    Suggester,
    Suggestion,
    fold,
    infer_convention,
    normalize_utterance,
)


@pytest.fixture(scope="module")
def sugg() -> Suggester:
    """A small batch on top of the real English list (built once: read-only here)."""
    return Suggester(
        lexicon=["Despacito", "Alexa", "Luis Fonsi", "Beyoncé", "Straße", "despain"],
        transcripts=["alexa play despacito"] * 3 + ["set a timer for ten minutes"],
    )


def texts(result: list[Suggestion]) -> list[str]:
    return [s.text for s in result]


# -- sources and ranking -----------------------------------------------------------------
def test_lexicon_term_completes_in_its_own_case(sugg):
    for frag in ("despac", "DESPAC", "dEsPaCi"):
        first = sugg.suggest(frag)[0]
        assert (first.text, first.source) == ("Despacito", "lexicon")


def test_domain_word_beats_a_common_english_word_of_equal_match(sugg):
    got = texts(sugg.suggest("despa"))
    assert got.index("despain") < got.index("despair")


def test_the_clips_alternatives_rank_before_other_sources():
    s = Suggester(lexicon=["brazo"], english=50_000)
    s.set_context("guess", ["braxo"])
    got = s.suggest("bra", limit=5)
    assert [(g.text, g.source) for g in got[:2]] == [("braxo", "clip"), ("brazo", "lexicon")]
    assert got[0].score > got[1].score


def test_the_clips_own_guess_words_are_candidates():
    s = Suggester(english=50_000)
    s.set_context("mister john dashwood had then leisure", [])
    assert texts(s.suggest("dashw"))[0] == "dashwood"


def test_frequent_english_words_first(sugg):
    got = texts(sugg.suggest("thr"))
    assert "three" in got[:3] and "through" in got[:3]


def test_the_typed_word_itself_is_never_offered(sugg):
    for frag in ("the", "minutes", "alexa"):
        assert fold(frag) not in [fold(t) for t in texts(sugg.suggest(frag))]


def test_a_word_on_screen_is_found_from_its_start(sugg):
    s = Suggester(english=50_000)
    s.set_context("say signed up for ten minutes", [])
    assert texts(s.suggest("min"))[0] == "minutes"


def test_long_words_need_few_letters():
    s = Suggester(english=50_000)
    assert "respectable" in texts(s.suggest("respecta"))
    assert "somebody" in texts(s.suggest("someb"))


def test_resemblance_to_the_recognisers_word_ranks_first():
    s = Suggester(lexicon=["Luis Fonsi"], english=50_000)
    s.set_context("by louis ponzi", [])
    assert texts(s.suggest("f", near="ponzi"))[0] == "fonsi"
    assert "ponzi" not in [t.lower() for t in texts(s.suggest("po", near="ponzi"))]


@pytest.mark.parametrize(
    ("typed", "wanted"),
    [
        ("rhe", "the"),  # first letter wrong
        ("hte", "the"),  # first two swapped
        ("omebody", "somebody"),  # first letter missing
        ("ssomebody", "somebody"),  # first letter doubled
        ("teh", "the"),
        ("somebdy", "somebody"),
        ("respectible", "respectable"),
        ("recieve", "receive"),
        ("alexs", "alexa"),
        ("despacitp", "despacito"),
    ],
)
def test_typos_anywhere_in_the_word_are_found(sugg, typed, wanted):
    assert wanted in [t.lower() for t in texts(sugg.suggest(typed))]


def test_whole_word_corrections_are_not_hidden_by_rare_completions(sugg):
    assert "there" in texts(sugg.suggest("thre"))


def test_accents_and_case_fold_for_matching_only(sugg):
    assert texts(sugg.suggest("beyon"))[0] == "Beyoncé"
    assert texts(sugg.suggest("strasse"))[:1] == [] or "Straße" in texts(sugg.suggest("stra"))


def test_fold():
    assert fold("Beyoncé") == "beyonce"
    assert fold("It\u2019s") == "it's"


# -- casing -------------------------------------------------------------------------------
def test_convention_is_inferred_from_the_guesses():
    assert infer_convention(["alexa play", "stop", ""]) is Convention.LOWER
    assert infer_convention(["Alexa, play", "stop"]) is Convention.AS_TYPED
    assert infer_convention(["123"]) is Convention.AS_TYPED


def test_a_lowercase_batch_gets_lowercase_suggestions():
    s = Suggester(lexicon=["Luis Fonsi", "Despacito"], english=1000)
    s.set_context("alexa play this bus eat oh by louis ponzi", [])
    assert texts(s.suggest("despa"))[0] == "despacito"
    assert "fonsi" in texts(s.suggest("fon"))
    s.set_context("Alexa, play this", [])
    assert texts(s.suggest("despa"))[0] == "Despacito"


def test_explicit_convention_wins():
    s = Suggester(lexicon=["Despacito"], english=0, convention=Convention.AS_TYPED)
    s.set_context("play this", [])
    assert texts(s.suggest("despa"))[0] == "Despacito"


# -- learning -----------------------------------------------------------------------------
def test_a_learned_word_is_offered_only_from_three_distinct_clips():
    s = Suggester(english=0)
    s.add_transcript("call zebulon now", clip=1)
    s.add_transcript("zebulon again", clip=1)  # the same clip again: still one clip
    s.add_transcript("zebulon", clip=2)
    assert "zebulon" not in texts(s.suggest("zeb"))
    s.add_transcript("ask zebulon", clip=3)
    assert texts(s.suggest("zeb")) == ["zebulon"]


def test_transcripts_at_build_count_one_clip_each():
    assert texts(Suggester(english=0, transcripts=["quorbl x"] * 2).suggest("quo")) == []
    assert texts(Suggester(english=0, transcripts=["quorbl x"] * 3).suggest("quo")) == ["quorbl"]


def test_lexicon_and_english_words_need_no_threshold():
    s = Suggester(lexicon=["Zorblax"], english=50_000)
    s.add_transcript("the marmalade", clip=1)
    assert "marmalade" in texts(s.suggest("marmal"))
    assert texts(s.suggest("zorb"))[0] == "Zorblax"


def test_redacted_words_never_reach_the_suggester():
    s = Suggester(english=0)
    for clip in range(1, 6):
        s.add_transcript(
            "my name is zebulon quartermaine", clip=clip, redacted=["zebulon quartermaine"]
        )
    assert s.suggest("zeb") == [] and s.suggest("quar") == []
    assert s.utterance("my name is zebulon quartermaine") is None


def test_utterance_with_a_private_word_stays_with_its_clip():
    s = Suggester(english=50_000)
    s.add_transcript("call zebulon on speaker", clip=1, guess="call the blonde speaker")
    assert s.utterance("call the blonde speaker") is None
    for clip in (2, 3):
        s.add_transcript("zebulon", clip=clip)
    assert s.utterance("call the blonde speaker") == "call zebulon on speaker"


# -- whole utterances ---------------------------------------------------------------------
def test_an_earlier_correction_of_the_same_guess_comes_back():
    s = Suggester(english=50_000, lexicon=["Alexa", "Despacito", "Luis Fonsi"])
    guess = "it's a vegas casino by louis ponzi"
    s.add_transcript("alexa play despacito by luis fonsi", clip=1, guess=guess)
    s.set_context(guess, [])
    assert s.context_utterance() == "alexa play despacito by luis fonsi"


def test_a_close_transcript_is_offered_and_a_far_one_is_not():
    s = Suggester(english=50_000)
    s.add_transcript("set a timer for ten minutes", clip=1)
    assert s.utterance("set a timer for tan minutes") == "set a timer for ten minutes"
    assert s.utterance("what is the weather like") is None


def test_the_utterance_memory_is_bounded():
    s = Suggester(english=50_000, capacity=10)
    for n in range(30):
        s.add_transcript(f"remind me about item {n} today", clip=n)
    assert len(s._utterances) <= 10
    assert s.utterance("remind me about item 29 today") is not None
    assert s.utterance("remind me about item 0 today") != "remind me about item 0 today"


def test_normalize_utterance():
    assert normalize_utterance("  Alexa,  PLAY it\u2019s ") == "alexa play it's"


# -- robustness ---------------------------------------------------------------------------
@pytest.mark.parametrize("fragment", ["", " ", "\x1b[31m", "\u202e", "a" * 500, "'''", "🙂🙂"])
def test_weird_fragments_do_not_crash(sugg, fragment):
    assert isinstance(sugg.suggest(fragment), list)
    assert isinstance(sugg.similar(fragment), list)


def test_escape_sequences_in_fragments_are_ignored(sugg):
    assert texts(sugg.suggest("\x1b[31mdespac")) == texts(sugg.suggest("despac"))


def test_limits(sugg):
    assert sugg.suggest("th", limit=0) == []
    assert len(sugg.suggest("th", limit=3)) == 3


def test_build_in_a_worker_thread_and_suggest_while_learning():
    out: list[Suggester] = []
    t = threading.Thread(target=lambda: out.append(Suggester(lexicon=["Alexa"], english=5000)))
    t.start()
    t.join()
    s = out[0]
    errors: list[BaseException] = []

    def learn() -> None:
        try:
            for n in range(200):
                s.add_transcript(f"word{n % 7}x spoken", clip=n)
        except Exception as exc:  # noqa: BLE001  (any failure in the thread is reported)
            errors.append(exc)

    w = threading.Thread(target=learn)
    w.start()
    for _ in range(200):
        s.suggest("wo")
    w.join()
    assert not errors
    assert "word3x" in texts(s.suggest("word3"))


def test_sources_may_be_one_shot_iterators():
    s = Suggester(lexicon=iter(["Luis Fonsi"]), transcripts=iter(["x"]), english=0)
    assert texts(s.suggest("fon")) == ["Fonsi"]
    assert s.predict("luis") == ["Fonsi"]
