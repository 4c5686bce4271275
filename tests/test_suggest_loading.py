"""Start-up loading of the suggester: the newest corrections at once, the older ones in slices
on a thread of their own, the memory ending as if every correction had been learned in time
order; the English list read from the user's cache after the first time; the start-up reads
on a connection of their own."""

from __future__ import annotations

import random

import pytest

from earmark.store import NewClip
from earmark.suggest import Suggester, english, loading
from earmark.suggest.fixes import Fixes
from earmark.suggest.following import Following, count_pairs
from earmark.suggest.text import key, normalize_utterance, words_of
from earmark.suggest.utterances import Utterances

WORDS = [
    "play",
    "the",
    "song",
    "turn",
    "off",
    "kitchen",
    "lights",
    "set",
    "a",
    "timer",
    "for",
    "ten",
    "minutes",
    "call",
    "mum",
]


def _texts(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """(guess, transcript) pairs, in time order, with repeats as real traffic has."""
    out = []
    for _ in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        guess = text.replace("the", "a") if rng.random() < 0.5 else rng.choice(WORDS)
        out.append((guess, text.title() if rng.random() < 0.2 else text))
    return out


@pytest.mark.parametrize("capacity", [7, 50, 10_000])
def test_older_slices_build_the_memory_learning_in_time_order_builds(capacity):
    rng = random.Random(capacity)
    corrections = _texts(rng, 400)
    recent = _texts(rng, 30)
    expected = Utterances(capacity)
    for guess, text in corrections + recent:
        expected.add(text, guess)
    got = Utterances(capacity)
    for guess, text in recent:
        got.add(text, guess)
    pairs = loading.newest_first(corrections)
    for at in range(0, len(pairs), 64):
        loading.prepare(pairs[at : at + 64]).remember(got, Following(), Fixes())
    assert list(got._items.items()) == list(expected._items.items())
    for guess, _ in corrections[-20:]:
        norm = normalize_utterance(guess)
        assert got.best(norm, 85.0) == expected.best(norm, 85.0)


def test_older_word_pairs_add_up_and_rank_behind_the_newer():
    rng = random.Random(3)
    corrections = _texts(rng, 300)
    keys = [[key(w) for w in words_of(t)] for _, t in corrections]
    expected = Following()
    for k in keys:
        expected.add(k)
    got = Following()
    got.add(keys[-1])
    got.add_older(count_pairs(reversed(keys[:-1])))
    for word in WORDS:
        assert dict(got.after(word, 100)) == pytest.approx(dict(expected.after(word, 100)))
    assert list(got._next) == list(expected._next)  # least recently seen first


def test_keys_of_agrees_with_words_of():
    for text in ["Set a Timer for 10 minutes", "that's 42", "Café au lait", "", "1'2 go"]:
        assert loading.keys_of(text, normalize_utterance(text)) == [key(w) for w in words_of(text)]


def _project(store, n: int) -> list[int]:
    batch = store.batch_id("b")
    store.add_clips(
        batch, [NewClip(name=f"c{i}", audio="/x.wav", asr=f"guess number {i}") for i in range(n)]
    )
    ids = [r[0] for r in store.db.query("SELECT id FROM clips ORDER BY id")]
    store.add_lexicon(None, ["alexa", "play", "station", "number", "guess"])
    for i, clip in enumerate(ids):
        store.submit(clip, f"alexa play station {i}", "ann", 1.0)
        store.learn_words(
            clip, [("alexa", "alexa"), ("station", "station")], guess=f"guess number {i}"
        )
    return ids


def test_a_big_project_is_ready_before_its_oldest_corrections_are_learned(store, monkeypatch):
    monkeypatch.setattr("earmark.suggest.loading.FIRST_CORRECTIONS", 10)
    monkeypatch.setattr("earmark.suggest.loading.OLDER_STEP", 7)
    _project(store, 60)
    s = Suggester.from_store(store, english=0)
    assert s.older is not None
    s.set_context("guess number 59", [])
    assert s.context_utterance() == "alexa play station 59"  # the newest: at once
    s.older.join(timeout=30)
    s.set_context("guess number 0", [])
    assert s.context_utterance() == "alexa play station 0"  # the oldest: once loaded


def test_start_up_reads_do_not_wait_for_the_screens_connection(store):
    import threading

    _project(store, 5)
    held, release = threading.Event(), threading.Event()

    def screen() -> None:  # the screen's thread in the middle of a long store call
        with store.db._lock:
            held.set()
            release.wait(30)

    threading.Thread(target=screen, daemon=True).start()
    assert held.wait(10)
    try:
        got: list[object] = []
        reader = threading.Thread(
            target=lambda: got.extend([store.recent_corrections(10), store.offerable_words(1, 10)]),
            daemon=True,
        )
        reader.start()
        reader.join(10)
        assert not reader.is_alive(), "the start-up reads waited for the screen's connection"
        assert len(got[0]) == 5 and got[1]
    finally:
        release.set()


def test_a_read_apart_falls_back_when_it_cannot_open_its_own_connection(store, monkeypatch):
    import sqlite3

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr("earmark.store.db.sqlite3.connect", refuse)
    assert store.db.query_apart("SELECT 1")[0][0] == 1


def test_the_english_list_is_read_from_the_cache_after_the_first_time(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = english.top_words(300)
    assert first[:3] == ["the", "to", "and"]
    (cached,) = tmp_path.glob("earmark/english-*-300.txt")
    assert cached.read_text(encoding="utf-8").split("\n") == first
    cached.write_text("zebulon\nquorbl", encoding="utf-8")
    assert english.top_words(300) == ["zebulon", "quorbl"]  # read, not recomputed


def test_an_unwritable_cache_still_gives_the_list(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert english.top_words(50)[:2] == ["the", "to"]
