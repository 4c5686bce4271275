"""Word timings, check marks and offline guesses kept with clips (SQLite; PostgreSQL in
tests/pg/test_pg_checks.py), and `words` in the jsonl export."""

from __future__ import annotations

import io
import json

from earmark.exporting import write
from earmark.redaction import marks_from_indexes
from earmark.store import NewClip, Word


def _clips(store, n: int = 3) -> None:
    batch = store.batch_id("b")
    store.add_clips(batch, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav") for i in range(n)])


TIMED = [Word("turn", 0.1, 0.3), Word("off", 0.3, 0.5), Word("the", 0.5, 0.6)]


def test_timings_are_kept_only_for_the_text_submitted(store) -> None:
    _clips(store)
    store.submit(1, "turn off the", "ann", 3.0)
    assert not store.record_check(1, "turn of the", TIMED, 1)  # a stale result is refused
    assert not store.record_check(2, "turn off the", TIMED, 0)  # not submitted
    assert store.check_counts() == {"checked": 0, "marked": 0}
    assert store.record_check(1, "turn off the", TIMED, 2)
    assert [(c, t, [w.word for w in ws]) for c, t, ws in store.iter_word_timings()] == [
        (1, "turn off the", ["turn", "off", "the"])
    ]
    assert store.check_counts() == {"checked": 1, "marked": 1}
    assert store.record_check(1, "turn off the", TIMED, 0)  # checked again: replaced
    assert store.check_counts() == {"checked": 1, "marked": 0}
    store.submit(1, "turn it off", "ann", 3.0)  # resubmitted: the old timings no longer count
    assert store.check_counts() == {"checked": 0, "marked": 0}
    assert store.unchecked_transcripts(0, 10) == [(1, "turn it off", "/a/0.wav", "ann")]


def test_backfill_walks_submitted_clips_without_timings_in_order(store) -> None:
    _clips(store, 4)
    for i in (1, 2, 4):
        store.submit(i, f"text {i}", "ann", 1.0)
    store.record_check(2, "text 2", [Word("text", 0, 1), Word("2", 1, 2)], None)
    assert [r[0] for r in store.unchecked_transcripts(0, 10)] == [1, 4]
    assert [r[0] for r in store.unchecked_transcripts(1, 1)] == [4]
    assert store.check_counts() == {"checked": 0, "marked": 0}  # timed, not checked


def test_machine_guess_only_for_clips_without_one_and_never_twice(store) -> None:
    batch = store.batch_id("b")
    store.add_clips(
        batch,
        [
            NewClip(name="x", audio="/a/x.wav", asr="came with one"),
            NewClip(name="y", audio="/a/y.wav"),
            NewClip(name="z", audio="/a/z.wav"),
        ],
    )
    other = store.batch_id("other")
    store.add_clips(other, [NewClip(name="w", audio="/a/w.wav")])
    assert store.clips_without_guess() == [(2, "/a/y.wav"), (3, "/a/z.wav"), (4, "/a/w.wav")]
    assert store.clips_without_guess("other") == [(4, "/a/w.wav")]
    words = [Word("hello", 0.0, 0.4, 0.5)]
    assert not store.set_machine_guess(1, "nope", words, [], "offline")
    assert store.set_machine_guess(2, "hello", words, ["yellow"], "offline")
    assert not store.set_machine_guess(2, "again", words, [], "offline")
    assert store.set_machine_guess(3, "", [], [], "offline")  # silence: done, stays empty
    clip = store.clip(2)
    assert (clip.asr, clip.words, clip.alternatives, clip.guess_source) == (
        "hello",
        tuple(words),
        ("yellow",),
        "offline",
    )
    assert store.clip(1).guess_source is None
    assert store.clips_without_guess() == [(4, "/a/w.wav")]


def test_export_has_the_words_of_the_submitted_text_redacted_like_it(store) -> None:
    _clips(store, 3)
    card = "my pin is four two"
    store.submit(1, card, "ann", 3.0)
    store.submit(2, "turn off the", "ann", 3.0)
    timed = [Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(card.split())]
    store.record_check(1, card, timed, 0)
    store.record_check(2, "turn off the", TIMED, 1)
    flag = store.add_flag(1, "critical", "ann", category="password/PIN")
    store.set_redaction(flag, marks_from_indexes(card.split(), [3, 4]), actor="ann")
    buf = io.StringIO()
    write(store, "jsonl", buf)
    recs = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert [w["word"] for w in recs[0]["words"]] == recs[0]["text"].split()
    assert "four" not in json.dumps(recs[0]) and "[redacted:" in recs[0]["text"]
    assert recs[1]["words"] == [
        {"word": "turn", "start": 0.1, "end": 0.3},
        {"word": "off", "start": 0.3, "end": 0.5},
        {"word": "the", "start": 0.5, "end": 0.6},
    ]
    assert recs[2]["words"] is None  # not submitted


def test_purge_takes_the_timings_too(store) -> None:
    _clips(store, 2)
    store.submit(1, "turn off the", "ann", 3.0)
    store.record_check(1, "turn off the", TIMED, 0)
    store.purge_clips([store.clip(1).name], actor="lead", reason="consent withdrawn")
    assert list(store.iter_word_timings()) == []
