"""What the recogniser's words became before (`fixes`): offered first where the same word
is pointed at again, learned as the annotator submits and again at start-up."""

from __future__ import annotations

import random
from collections import Counter

from earmark.suggest import Suggester, offer
from earmark.suggest.fixes import Fixes, replaced
from earmark.suggest.following import Following
from earmark.suggest.loading import newest_first, prepare
from earmark.suggest.utterances import Utterances


def test_only_words_replaced_one_for_one_are_taught():
    got = replaced("it's a vegas casino by louis ponzi", "alexa play despacito by Luis Fonsi")
    assert got == [("louis", "Luis"), ("ponzi", "Fonsi")]  # 4 words for 3: no pairs there
    assert replaced("turn off the kitchen i", "turn off the kitchen lights") == [("i", "lights")]
    assert replaced("same words", "Same words") == []  # a change of case is no fix


def _pointing(s: Suggester, text: str, word: str) -> tuple[str, ...]:
    return offer(s, text, text.index(word)).words


def test_a_word_fixed_before_is_offered_first_when_pointed_at_again():
    s = Suggester()
    s.set_context("turn off the lies", [])
    before = _pointing(s, "turn off the lies", "lies")
    s.add_transcript("turn off the lights", guess="turn off the lies")
    s.set_context("dim the lies in the hall", [])
    after = _pointing(s, "dim the lies in the hall", "lies")
    assert after[0] == "lights" and (not before or before[0] != "lights")
    typed = offer(s, "dim the l in the hall", len("dim the l"), typed=True).words
    assert typed[0] == "lights"  # and once its first letter is typed


def test_the_most_frequent_fix_comes_first():
    s = Suggester(lexicon=["Despacito"])
    for text in ("play despacito", "play despacito", "play the radio"):
        s.add_transcript(text, guess="play casino" if "despacito" in text else "play the casino")
    s.add_transcript("play jazz", guess="play casino")
    assert s.fixed("casino")[0] == "despacito"  # twice; radio and jazz once each
    assert sorted(s.fixed("casino")[1:]) == ["jazz", "radio"]


def test_a_redacted_transcript_teaches_nothing():
    s = Suggester()
    s.add_transcript("call Zebedee now", guess="call the bee now", redacted=["Zebedee"])
    s.add_transcript("call mum now", guess="call them now", redacted=["mum"])
    assert s.fixed("them") == [] and s.fixed("the") == []


def test_a_word_that_may_not_be_offered_is_not_offered_as_a_fix():
    s = Suggester(english=0)  # "quorbl" is written in one clip: not offerable yet
    s.add_transcript("the quorbl arrives", guess="the corbel arrives", clip=1)
    assert s.fixed("corbel") == []


def test_fixes_learned_at_start_up_match_those_learned_on_submit():
    rng = random.Random(5)
    words = ["a", "play", "radio", "casino", "four", "for", "queen", "clubs", "lights", "i"]
    pairs = []
    for _ in range(300):
        guess = [rng.choice(words) for _ in range(4)]
        text = [w if rng.random() < 0.6 else rng.choice(words) for w in guess]
        pairs.append((" ".join(guess), " ".join(text)))
    live = Fixes()
    for guess, text in pairs:
        live.add(replaced(guess, text))
    loaded = Fixes()
    recent = pairs[-40:]
    for guess, text in recent:
        loaded.add(replaced(guess, text))
    older = newest_first(pairs[:-40])
    for at in range(0, len(older), 64):  # in slices, as learn_older does
        prepare(older[at : at + 64]).remember(Utterances(), Following(), loaded)
    for w in words:
        assert Counter(loaded._fixes.get(w, {})) == Counter(live._fixes.get(w, {}))
    started = Suggester(corrections=pairs)
    assert set(started.fixed("casino")) == set(live.of("casino"))


def test_the_memory_is_bounded_forgetting_the_least_recently_taught():
    f = Fixes(capacity=2)
    f.add([("a", "alexa")])
    f.add([("b", "bee")])
    f.add([("a", "alexa")])
    f.add([("c", "sea")])
    assert f.of("a") == ["alexa"] and f.of("c") == ["sea"] and f.of("b") == []
    assert len(f) == 2
