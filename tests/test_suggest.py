"""The suggestion engine: sources, ranking, typos, case, learning, whole utterances, bad input."""

from __future__ import annotations

import random
import threading

import pytest

from earmark.suggest import Suggester, Suggestion, fold, normalize_utterance


@pytest.fixture(scope="module")
def sugg() -> Suggester:
    """A small batch on top of the real English list (built once: it is read-only here)."""
    return Suggester(
        lexicon=["Despacito", "Alexa", "Taylor Swift", "Beyoncé", "Straße", "despain"],
        transcripts=["alexa play despacito", "set a timer for ten minutes"],
    )


def texts(result: list[Suggestion]) -> list[str]:
    return [s.text for s in result]


# -- sources and ranking -----------------------------------------------------------------
def test_lexicon_term_completes_in_its_own_case(sugg):
    for frag in ("despac", "DESPAC", "dEsPaCi"):
        first = sugg.suggest(frag)[0]
        assert first.text == "Despacito"
        assert first.source == "lexicon"


def test_domain_word_beats_a_common_english_word_of_equal_match(sugg):
    # "despain" (lexicon) and "despair" (common English) complete "despa" equally well.
    got = texts(sugg.suggest("despa"))
    assert got.index("despain") < got.index("despair")


def test_sources_rank_alternative_lexicon_learned_english():
    s = Suggester(lexicon=["brazo"], transcripts=["brako brako"], english=50_000)
    s.set_context("guess", ["braxo"])
    got = s.suggest("bra", limit=5)
    assert [(g.text, g.source) for g in got[:3]] == [
        ("braxo", "alternative"),
        ("brazo", "lexicon"),
        ("brako", "learned"),
    ]
    assert {g.source for g in got[3:]} == {"english"}
    assert got[0].score > got[1].score > got[2].score > got[3].score


def test_english_frequency_orders_english_words(sugg):
    got = texts(sugg.suggest("thr"))
    assert "three" in got[:3] and "through" in got[:3]
    assert "thrum" not in got
    assert all(s.source == "english" for s in sugg.suggest("thr"))


def test_common_words_before_rare_exact_abbreviation(sugg):
    got = texts(sugg.suggest("wh"))
    assert got[0] in {"who", "what", "why", "when", "where"}


def test_exact_prefix_outranks_fuzzy_even_from_a_stronger_source():
    s = Suggester(lexicon=["Despacito"], english=0)
    s.set_context("guess", ["despatch"])  # one edit from "despac", and an alternative
    got = s.suggest("despac")
    assert texts(got) == ["Despacito", "despatch"]
    assert got[0].score > got[1].score


def test_fuzzy_pass_only_fills_what_prefix_matches_leave():
    s = Suggester(
        lexicon=["despair", "despot", "despite", "desperate", "despise", "deskmate"], english=0
    )
    assert "deskmate" not in texts(s.suggest("desp"))  # five prefix matches fill the list
    assert texts(s.suggest("desp", limit=10))[-1] == "deskmate"


def test_exact_word_is_a_prefix_match():
    s = Suggester(lexicon=["play", "player", "playlist"], english=0)
    assert texts(s.suggest("play")) == ["play", "player", "playlist"]


def test_multi_word_lexicon_terms_and_their_words(sugg):
    assert "Taylor Swift" in texts(sugg.suggest("tay"))
    assert "Taylor" in texts(sugg.suggest("tayl"))
    assert texts(sugg.suggest("swi"))[0] == "Swift"
    assert texts(sugg.suggest("taylor sw"))[0] == "Taylor Swift"


# -- typos -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed, wanted",
    [
        ("despasito", "Despacito"),  # substitution
        ("despcito", "Despacito"),  # deletion
        ("desspacito", "Despacito"),  # insertion
        ("dsepacito", "Despacito"),  # transposition near the start
        ("alexs", "Alexa"),
        ("despas", "Despacito"),  # a typo in a word still being typed
        ("tailor swift", "Taylor Swift"),
    ],
)
def test_typos_are_tolerated(sugg, typed, wanted):
    assert sugg.suggest(typed)[0].text == wanted


def test_no_fuzzy_guessing_on_short_fragments():
    s = Suggester(lexicon=["cat"], english=0)
    assert s.suggest("cu") == []
    assert s.suggest("cut") == []


# -- case and unicode --------------------------------------------------------------------
def test_accents_and_case_fold_for_matching_only(sugg):
    assert sugg.suggest("beyonce")[0].text == "Beyoncé"
    assert sugg.suggest("BEYONCÉ")[0].text == "Beyoncé"
    assert sugg.suggest("stras")[0].text == "Straße"  # casefold: ß matches "ss"


def test_fold():
    assert fold("Despacito") == "despacito"
    assert fold("Beyoncé") == "beyonce"
    assert fold("don\u2019t") == "don't"


def test_learned_spelling_is_the_one_typed_most():
    s = Suggester(transcripts=["call McDonald", "call McDonald", "call mcdonald"], english=0)
    assert s.suggest("mcd")[0] == Suggestion("McDonald", "learned", s.suggest("mcd")[0].score)
    s.add_transcript("mcdonald")
    s.add_transcript("mcdonald")
    assert s.suggest("mcd")[0].text == "mcdonald"


# -- learning ----------------------------------------------------------------------------
def test_learned_words_appear_after_add_transcript():
    s = Suggester(english=0)
    assert s.suggest("zor") == []
    s.add_transcript("play zorblax now")
    got = s.suggest("zor")
    assert texts(got) == ["zorblax"] and got[0].source == "learned"
    before = got[0].score
    for _ in range(20):
        s.add_transcript("zorblax")
    assert s.suggest("zor")[0].score > before  # typed often: more popular


def test_add_transcript_promotes_an_english_word_to_learned():
    s = Suggester(english=50_000)
    assert s.suggest("thresho")[0].source == "english"
    s.add_transcript("past the threshold")
    assert s.suggest("thresho")[0].source == "learned"


def test_transcripts_given_at_build_are_learned():
    s = Suggester(transcripts=["hey quorbix"], english=0)
    assert s.suggest("quor")[0] == Suggestion("quorbix", "learned", s.suggest("quor")[0].score)


def test_context_is_per_clip():
    s = Suggester(english=0)
    s.set_context("alexa play this bus eat oh", ["alexa play despacito"])
    assert s.suggest("desp")[0].source == "alternative"
    s.set_context("next clip", [])
    assert s.suggest("desp") == []


def test_alternative_keeps_the_lexicon_spelling():
    s = Suggester(lexicon=["Despacito"], english=0)
    s.set_context("guess", ["alexa play despacito"])
    assert s.suggest("desp")[0] == Suggestion(
        "Despacito", "alternative", s.suggest("desp")[0].score
    )


# -- no duplicates -----------------------------------------------------------------------
def test_a_word_in_every_source_is_suggested_once():
    s = Suggester(lexicon=["Play", "play"], transcripts=["play", "PLAY it"], english=50_000)
    s.set_context("guess", ["play play"])
    s.add_transcript("Play")
    got = s.suggest("pla", limit=10)
    keys = [fold(g.text) for g in got]
    assert len(keys) == len(set(keys))
    assert keys.count("play") == 1


def test_no_duplicates_over_many_fragments(sugg):
    rng = random.Random(1)
    letters = "abcdefghilmnoprstuw"
    for _ in range(300):
        frag = "".join(rng.choice(letters) for _ in range(rng.randint(2, 8)))
        keys = [fold(g.text) for g in sugg.suggest(frag, limit=8)]
        assert len(keys) == len(set(keys)), frag


# -- weird input -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fragment",
    [
        "",
        " ",
        "d",
        "[/]",
        "[bold]",
        "[@click=quit]",
        "\x1b[31m",
        "\x00\x01",
        "😀😀",
        "'''",
        "a" * 10_000,
        "\u202e\u202e",
        "ーー",
        "𝔡𝔢𝔰𝔭",
    ],
)
def test_weird_fragments_do_not_crash(sugg, fragment):
    got = sugg.suggest(fragment)
    assert isinstance(got, list)
    assert all(isinstance(g, Suggestion) for g in got)


def test_escape_and_bidi_controls_are_ignored_in_fragments(sugg):
    for frag in ("\x1b[31mdespac", "\u202edespac", "despac ", " despac\t"):
        assert sugg.suggest(frag)[0].text == "Despacito"


def test_limits(sugg):
    assert sugg.suggest("desp", limit=0) == []
    assert len(sugg.suggest("desp", limit=1)) == 1
    assert sugg.suggest("d") == []  # under two characters: nothing


def test_untrusted_words_are_cleaned():
    s = Suggester(lexicon=["\x1b[31mRedTerm\x1b[0m", "[bold]Marked[/]"], english=0)
    s.add_transcript("say \x1b]0;title\x07zappo\u202e now")
    assert texts(s.suggest("redt")) == ["RedTerm"]
    assert texts(s.suggest("zap")) == ["zappo"]
    # Markup is text: kept literally, to be rendered literally.
    assert texts(s.suggest("[bold]m")) == ["[bold]Marked[/]"]
    assert all("\x1b" not in g.text for g in s.suggest("red") + s.suggest("zap"))


def test_unicode_words_are_learned():
    s = Suggester(english=0)
    s.add_transcript("spiele Müller Straße 東京")
    assert texts(s.suggest("mull")) == ["Müller"]
    assert texts(s.suggest("東京")) == ["東京"]


# -- whole utterances --------------------------------------------------------------------
def test_utterance_hit_on_a_close_guess():
    s = Suggester(transcripts=["alexa play despacito", "set a timer for ten minutes"], english=0)
    assert s.utterance("alexa play despasito") == "alexa play despacito"
    assert s.utterance("set a timer for ten minute") == "set a timer for ten minutes"


def test_utterance_miss_returns_none():
    s = Suggester(transcripts=["alexa play despacito"], english=0)
    assert s.utterance("what is the weather in paris") is None
    assert s.utterance("") is None
    assert s.utterance("[/]") is None


def test_utterance_never_returns_an_unsubmitted_guess():
    s = Suggester(english=0)
    assert s.utterance("alexa play despacito") is None
    s.add_transcript("alexa play despacito")
    assert s.utterance("alexa play despacito") == "alexa play despacito"


def test_utterance_returns_the_submitted_spelling():
    s = Suggester(transcripts=["Alexa, play Despacito.", "alexa play despacito."], english=0)
    s.add_transcript("Alexa, play Despacito.")
    assert s.utterance("alexa play despacito") == "Alexa, play Despacito."


def test_utterance_from_an_alternative_and_from_context():
    s = Suggester(transcripts=["alexa play despacito"], english=0)
    assert s.utterance("alexa play this bus eat oh") is None
    assert s.utterance("alexa play this bus eat oh", ["alexa play despacito"]) == (
        "alexa play despacito"
    )
    s.set_context("alexa play this bus eat oh", ["alexa play despacito"])
    assert s.context_utterance() == "alexa play despacito"


def test_utterance_prefers_the_closest_then_the_most_submitted():
    s = Suggester(
        transcripts=["alexa play the beatles"] * 3 + ["alexa play the beetles"], english=0
    )
    assert s.utterance("alexa play the beatle") == "alexa play the beatles"
    match = s.utterance_match("alexa play the beatle")
    assert match is not None and 85 <= match[1] < 100


def test_utterance_threshold_is_a_real_cut():
    s = Suggester(transcripts=["alexa play despacito"], english=0, utterance_threshold=99)
    assert s.utterance("alexa play despasito") is None


def test_normalize_utterance():
    assert normalize_utterance("Alexa, play  Despacito!") == "alexa play despacito"
    assert normalize_utterance("don\u2019t \x1b[1mstop") == "don't stop"
    assert normalize_utterance("  ") == ""


def test_batch_normalisation_matches_the_single_one():
    from earmark.suggest import _normalize_many

    rng = random.Random(2)
    alphabet = "ab'_ -,.\u2019X9!?éÉ"
    samples = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(2000)
    ]
    samples += ["Alexa, play Despacito!", "a''b", "it's-a_me", "Café OLÉ"]
    assert _normalize_many(samples) == [normalize_utterance(t) for t in samples]
    # Text that is already normal takes a shortcut, which must agree too.
    plain = ["alexa play despacito", "what's on", "", "set a timer for 10 minutes"]
    assert _normalize_many(plain) == [normalize_utterance(t) for t in plain] == plain
    for odd in (["what's", "'tis"], ["a ", "b"], ["a  b"], ["ok", "rock'"]):
        assert _normalize_many(odd) == [normalize_utterance(t) for t in odd]


# -- threads and the store ---------------------------------------------------------------
def test_build_in_a_worker_thread_and_suggest_while_learning():
    built: list[Suggester] = []
    worker = threading.Thread(target=lambda: built.append(Suggester(lexicon=["Despacito"])))
    worker.start()
    worker.join()
    s = built[0]
    errors: list[BaseException] = []
    stop = threading.Event()

    def type_away():
        try:
            while not stop.is_set():
                for frag in ("de", "desp", "zorb", "zorbl", "qux", "despasito"):
                    s.suggest(frag)
                s.utterance("play zorblax 3")
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    readers = [threading.Thread(target=type_away) for _ in range(2)]
    for r in readers:
        r.start()
    for i in range(300):
        s.add_transcript(f"play zorblax{i} now")
    stop.set()
    for r in readers:
        r.join()
    assert errors == []
    assert len(s.suggest("zorblax29", limit=20)) >= 11  # zorblax29, zorblax290..299
    assert s.utterance("play zorblax3 now") == "play zorblax3 now"


def test_from_store(store):
    from earmark.store import NewClip

    batch = store.batch_id("b1")
    store.add_lexicon(batch, ["Despacito", "Quorbix"])
    store.add_clips(batch, [NewClip(name=f"c{i}", audio=f"{i}.wav", asr="x") for i in range(2)])
    clip = store.clip_by_name("c0")
    store.submit(clip.id, "alexa play Despacito", "ann", 3.0)
    s = Suggester.from_store(store, english=0)
    assert s.suggest("quo")[0] == Suggestion("Quorbix", "lexicon", s.suggest("quo")[0].score)
    assert s.suggest("alex")[0].source == "learned"
    assert s.utterance("alexa play despacito") == "alexa play Despacito"


def test_lexicon_blanks_and_symbols_are_skipped():
    s = Suggester(lexicon=["", "   ", "Zebulon", "1234", "--", "Zeb Hill"], english=0)
    assert len(s) == 4  # Zebulon, Zeb Hill, Zeb, Hill
    assert texts(s.suggest("zeb")) == ["Zeb", "Zebulon", "Zeb Hill"]


def test_many_live_transcripts_are_folded_into_the_utterance_index():
    s = Suggester(transcripts=["alexa stop"], english=0)
    for i in range(2100):
        s.add_transcript(f"alexa play track {i} now")
    assert s._utterances.recent != [] and len(s._utterances.recent) < 2000  # folded once
    assert s.utterance("alexa play track 17 now") == "alexa play track 17 now"
    assert s.utterance("alexa play trac 2077 now") == "alexa play track 2077 now"
    assert s.utterance("alexa play track 5 no") == "alexa play track 5 now"


def test_random_unicode_everywhere_never_crashes():
    rng = random.Random(7)
    alphabet = "aAbBéÉßſ' -_.,\u2019\u200d\u202e\x1b[0m\ud800東京😀\U0010ffff\x00\t\n0123"

    def junk(lo: int, hi: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))

    s = Suggester(
        lexicon=[junk(0, 12) for _ in range(300)],
        transcripts=[junk(0, 40) for _ in range(300)],
        english=0,
    )
    s.set_context(junk(0, 30), [junk(0, 30) for _ in range(3)])
    for _ in range(300):
        if rng.random() < 0.2:
            s.add_transcript(junk(0, 30))
        got = s.suggest(junk(0, 12), limit=rng.randint(0, 8))
        keys = [fold(g.text) for g in got]
        assert len(keys) == len(set(keys))
        assert all(not set(g.text) & {"\x1b", "\x00", "\u202e", "\ud800"} for g in got)
        s.utterance(junk(0, 40), [junk(0, 20)])
