"""The word index in the database: maintained on submit, read in bounded slices."""

from __future__ import annotations

from earmark.store import NewClip
from earmark.suggest import MIN_CLIPS, Suggester, WordStore


def _clips(store, guesses: list[str]) -> list[int]:
    batch = store.batch_id("b")
    store.add_clips(
        batch, [NewClip(name=f"c{i}", audio="/x.wav", asr=g) for i, g in enumerate(guesses)]
    )
    return [r[0] for r in store.db.query("SELECT id FROM clips ORDER BY id")]


def _submit(store, sugg: Suggester, clip: int, text: str, guess: str, redacted=()) -> None:
    store.submit(clip, text, "ann", 1.0)
    sugg.add_transcript(text, clip=clip, guess=guess, redacted=redacted)


def test_the_store_is_a_word_store(store):
    assert isinstance(store, WordStore)


def test_words_learned_on_submit_reach_the_next_annotator_from_three_clips(store):
    ids = _clips(store, ["a b"] * 4)
    first = Suggester.from_store(store, english=1000)
    for n, clip in enumerate(ids[:2]):
        _submit(store, first, clip, f"call zebulon now {n}", "a b")
    assert "zebulon" not in [s.text for s in Suggester.from_store(store, english=0).suggest("zeb")]
    _submit(store, first, ids[2], "zebulon", "a b")
    later = Suggester.from_store(store, english=0)
    assert [s.text for s in later.suggest("zeb")] == ["zebulon"]


def test_resubmitting_a_clip_does_not_count_it_twice(store):
    ids = _clips(store, ["x"] * 2)
    s = Suggester.from_store(store, english=0)
    for _ in range(MIN_CLIPS + 1):
        _submit(store, s, ids[0], "quorbl", "x")
    row = store.db.query_one("SELECT uses, clips FROM word_index WHERE key = 'quorbl'")
    assert tuple(row) == (1, 1)
    _submit(store, s, ids[0], "something else", "x")  # the reopened clip changed
    assert store.db.query_one("SELECT 1 FROM word_index WHERE key = 'quorbl'") is None


def test_redacted_words_never_enter_the_index(store):
    ids = _clips(store, ["x"] * 4)
    s = Suggester.from_store(store, english=0)
    for clip in ids:
        _submit(store, s, clip, "my name is zebulon", "x", redacted=["Zebulon"])
    assert store.db.query_one("SELECT 1 FROM word_index WHERE key = 'zebulon'") is None
    assert "zebulon" not in [s.text for s in Suggester.from_store(store, english=0).suggest("zeb")]


def test_an_earlier_correction_returns_for_the_same_guess_after_a_restart(store):
    guess = "it's a vegas casino"
    ids = _clips(store, [guess, guess])
    store.add_lexicon(None, ["Alexa", "Despacito"])  # the words may be offered to others
    s = Suggester.from_store(store, english=50_000)
    _submit(store, s, ids[0], "alexa play despacito", guess)
    again = Suggester.from_store(store, english=50_000)
    again.set_context(guess, [])
    assert again.context_utterance() == "alexa play despacito"


def test_a_critical_clip_never_feeds_the_utterance_memory(store):
    guess = "call the blonde speaker"
    ids = _clips(store, [guess])
    s = Suggester.from_store(store, english=50_000)
    store.add_flag(ids[0], "critical", "ann", category=None)
    _submit(store, s, ids[0], "call mum on speaker", guess)
    assert store.recent_corrections(10) == []


def test_transcripts_submitted_before_the_index_existed_are_filled_in_once(store):
    ids = _clips(store, ["x"] * 3)
    for clip in ids:
        store.submit(clip, "the quorbl arrives", "ann", 1.0)
    with store.db.write() as c:
        c.execute("DELETE FROM meta WHERE key = 'word_index_ready'")
    assert not store.word_index_ready()
    s = Suggester.from_store(store, english=0)
    assert store.word_index_ready()
    assert [x.text for x in s.suggest("quo")] == ["quorbl"]


def test_startup_reads_a_bounded_slice(store):
    ids = _clips(store, ["x"] * 6)
    s = Suggester.from_store(store, english=0)
    for n, clip in enumerate(ids):
        _submit(store, s, clip, f"common{n % 2} word{n}", "x")
    assert len(store.offerable_words(MIN_CLIPS, 1)) == 1
    assert len(store.recent_corrections(2)) == 2


def test_record_submit_maintains_the_index_without_a_suggester(store):
    from earmark.suggest import record_submit

    ids = _clips(store, ["x"] * 3)
    for clip in ids:
        store.submit(clip, "ask zebulon about the quorbl", "ann", 1.0)
        record_submit(store, clip, "ask zebulon about the quorbl", "x", redacted=["zebulon"])
        record_submit(store, clip, "ask zebulon about the quorbl", "x", redacted=["zebulon"])
    words = {w: (uses, clips) for w, uses, clips in store.offerable_words(MIN_CLIPS, 100)}
    assert words["quorbl"] == (3, 3) and "zebulon" not in words
    assert store.recent_corrections(10) == []  # marked clips never feed the utterance memory


def test_a_purged_clip_is_taken_back_out(store):
    ids = _clips(store, ["x"] * 3)
    s = Suggester.from_store(store, english=0)
    for clip in ids:
        _submit(store, s, clip, "the quorbl", "x")
    store.learn_words(ids[0], [])
    assert store.offerable_words(MIN_CLIPS, 10) == []
    assert len(store.recent_corrections(10)) == 2
