"""Second-pass review: the word diff, fair sampling, the queue's rules, on SQLite."""

from __future__ import annotations

import math

import pytest

from earmark.clock import FakeClock
from earmark.quality.review import (
    ReviewError,
    build_queue,
    diff_words,
    marked_line,
    sample_key,
    sampled,
    three_way,
)
from earmark.roles import PermissionDenied
from earmark.session.review_queue import review_queue
from earmark.store import NewClip, open_store
from earmark.store.records import Annotation


def Submission(clip_id, clip, batch, annotator, text, skipped):
    return Annotation(clip_id, clip, batch, annotator, text, skipped, 1.0, 0.0)


# -- the diff --------------------------------------------------------------------------------


def test_diff_marks_every_kind_of_change_with_a_symbol():
    pieces = diff_words("alexa play this bus eat oh", "alexa please play despacito")
    assert marked_line(pieces) == "alexa +please play ~despacito -bus -eat -oh"


def test_diff_ignores_case_and_punctuation_but_shows_words_as_written():
    assert marked_line(diff_words("hello world", "Hello, world.")) == "Hello, world."


def test_diff_of_hostile_text_is_cleaned():
    pieces = diff_words("a", "a \x1b[31mred\x1b[0m \u202eevil")
    assert all("\x1b" not in p.word and "\u202e" not in p.word for p in pieces)


def test_three_way_has_asr_each_annotator_and_the_reviewer():
    lines = three_way(
        "the cat sat", [("ann", "the cat sat down"), ("bob", "a cat sat")], "the cat sat"
    )
    assert [line.label for line in lines] == ["ASR", "ann", "bob", "review"]
    assert marked_line(lines[1].pieces) == "the cat sat +down"
    assert marked_line(lines[2].pieces) == "~a cat sat"
    assert marked_line(lines[3].pieces) == "the cat sat -down"
    assert [line.label for line in three_way("x", [("ann", "y")])] == ["ASR", "ann"]


# -- sampling --------------------------------------------------------------------------------


def _subs(annotator: str, n: int, batch: str = "b", start: int = 0) -> list[Submission]:
    return [
        Submission(i, f"clip-{i:04d}", batch, annotator, f"text {i}", False)
        for i in range(start, start + n)
    ]


def test_sample_takes_the_share_of_each_annotator_by_hash_rank():
    subs = _subs("ann", 40) + _subs("bob", 7, start=100)
    got = sampled(subs, lambda batch: 0.25)
    per = {who: sum(1 for _, w in got if w == who) for who in ("ann", "bob")}
    assert per == {"ann": 10, "bob": math.ceil(0.25 * 7)}
    ann = sorted(_subs("ann", 40), key=lambda s: sample_key(s.clip))[:10]
    assert {(s.clip_id, "ann") for s in ann} <= got


def test_sample_is_reproducible_and_independent_of_order():
    subs = _subs("ann", 30)
    assert sampled(subs, lambda b: 0.2) == sampled(list(reversed(subs)), lambda b: 0.2)


def test_sample_share_zero_and_one_and_skips():
    subs = _subs("ann", 5) + [Submission(99, "skipped", "b", "ann", None, True)]
    assert sampled(subs, lambda b: 0.0) == set()
    assert {c for c, _ in sampled(subs, lambda b: 1.0)} == set(range(5))


def test_queue_never_offers_a_clip_the_reviewer_transcribed_even_when_disputed():
    subs = [
        Submission(1, "c1", "b", "rev", "one two", False),
        Submission(1, "c1", "b", "ann", "one three", False),
        Submission(2, "c2", "b", "ann", "x", False),
        Submission(2, "c2", "b", "bob", "y", False),
    ]
    flagged = [(1, "disputed"), (2, "disputed")]
    queue = build_queue("rev", subs, lambda b: 1.0, reviewed=set(), flagged=flagged)
    assert [i.clip_id for i in queue] == [2]
    assert queue[0].reasons == ["sample", "disputed"]
    assert queue[0].annotators == ["ann", "bob"]
    done = {(2, "ann"), (2, "bob")}
    assert build_queue("rev", subs, lambda b: 1.0, reviewed=done, flagged=flagged) == []
    [left] = build_queue("rev", subs, lambda b: 1.0, reviewed={(2, "ann")}, flagged=flagged)
    assert left.annotators == ["bob"]  # a transcript that arrived after the review


def test_gold_misses_come_with_their_answers_and_never_the_reviewers_own():
    miss = [Submission(7, "g7", "b", "ann", "wrong words", False)]
    mine = [Submission(8, "g8", "b", "rev", "mine", False)]
    flagged = [(7, "gold_miss"), (8, "gold_miss")]
    queue = build_queue(
        "rev", [], lambda b: 0.0, reviewed=set(), flagged=flagged, extra=[*miss, *mine]
    )
    assert [(i.clip_id, i.reasons, i.annotators) for i in queue] == [(7, ["gold_miss"], ["ann"])]


# -- the store (SQLite) ----------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "p.db", clock=FakeClock())
    s.ensure_user("lead")
    batch = s.batch_id("b")
    s.add_clips(
        batch, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr="the cat sat") for i in range(6)]
    )
    for name in ("ann", "bob"):
        s.ensure_user(name)
    s.grant_role("lead", "rev", "reviewer")
    s.grant_role("lead", "bob", "reviewer")
    for cid in (1, 2, 3):
        s.start_clip(cid, "ann")
        s.submit(cid, "the cat sat down", "ann", 3.0)
    s.start_clip(4, "bob")
    s.submit(4, "a cat sat", "bob", 2.0)
    yield s
    s.close()


def test_fix_is_stored_audited_and_becomes_the_final_text(store):
    seq = store.audit_head()[0]
    [r] = store.record_review(1, "rev", "fixed", text="the cat sat down now")
    assert (r.annotator, r.reviewer, r.outcome, r.submitted) == (
        "ann",
        "rev",
        "fixed",
        "the cat sat down",
    )
    assert store.clip(1).text == "the cat sat down now"
    entry = [e for e in store.audit_entries(after=seq) if e.action == "qa_review"][-1]
    assert (entry.action, entry.actor) == ("qa_review", "rev")
    assert "now" not in entry.detail and '"changed_words":1' in entry.detail
    assert store.audit_verify().ok


def test_a_fix_to_one_annotators_words_accepts_theirs_and_fixes_the_others(tmp_path):
    s = open_store(tmp_path / "o.db", clock=FakeClock())
    s.ensure_user("lead")
    s.batch_id("b")
    s.set_batch_settings("b", actor="lead", overlap=2)
    s.add_clips(s.batch_id("b"), [NewClip(name="c", audio="/a/c.wav", asr="the cat")])
    s.grant_role("lead", "rev", "reviewer")
    for who, text in (("ann", "the cat sat"), ("bob", "a cat sat")):
        s.ensure_user(who)
        assert s.claim_next(who) is not None
        s.submit(1, text, who, 1.0)
    with pytest.raises(ReviewError, match="differ"):
        s.record_review(1, "rev", "accepted")
    rows = s.record_review(1, "rev", "fixed", text="The cat, sat.")
    assert {r.annotator: r.outcome for r in rows} == {"ann": "accepted", "bob": "fixed"}
    assert s.final_texts()[1] == "The cat, sat."
    s.close()


def test_reject_needs_a_reason_and_fix_needs_text(store):
    with pytest.raises(ReviewError, match="reason"):
        store.record_review(1, "rev", "rejected", note="  ")
    with pytest.raises(ReviewError, match="corrected text"):
        store.record_review(1, "rev", "fixed", text="")
    [r] = store.record_review(1, "rev", "rejected", note="wrong \x1b[31mspeaker")
    assert r.note == "wrong speaker"


def test_reviewer_cannot_review_their_own_clip(store):
    with pytest.raises(ReviewError, match="you transcribed"):
        store.record_review(4, "bob", "accepted")
    assert store.reviews(clip_id=4) == []


def test_reviewer_who_once_submitted_a_version_cannot_review_it(store):
    store.set_batch_settings("b", actor="lead", review_share=1.0)
    # bob once submitted his own version of ann's clip: possible in a project from before
    # claims had leases (since, a clip claimed is its claimant's to submit)
    with store.db.write() as c:
        c.execute("UPDATE clips SET lease_until = NULL WHERE id = 2")
    store.start_clip(2, "bob")
    store.submit(2, "bob's version", "bob", 1.0)
    store.start_clip(2, "ann")
    store.submit(2, "the cat sat down", "ann", 1.0)  # ann submits again: she is the annotator
    with pytest.raises(ReviewError, match="you transcribed"):
        store.record_review(2, "bob", "accepted")
    assert 2 not in {i.clip_id for i in review_queue(store, "bob")}
    assert 2 in {i.clip_id for i in review_queue(store, "rev")}


def test_annotators_may_not_review_and_a_clip_is_reviewed_once(store):
    with pytest.raises(PermissionDenied):
        store.record_review(4, "ann", "accepted")
    store.record_review(2, "rev", "accepted")
    with pytest.raises(ReviewError, match="already"):
        store.record_review(2, "bob", "accepted")


def test_queue_from_the_store_leaves_out_own_and_reviewed_clips(store):
    ids = {i.clip_id for i in review_queue(store, "bob")}
    assert 4 not in ids  # bob's own
    store.record_review(1, "rev", "accepted")
    assert 1 not in {i.clip_id for i in review_queue(store, "bob")}


def test_feedback_reads_only_the_annotators_own_reviews(store):
    store.record_review(1, "rev", "accepted")
    store.record_review(4, "rev", "fixed", text="the cat sat")
    assert [r.clip_id for r in store.reviews(annotator="ann")] == [1]
    assert [r.clip_id for r in store.reviews(annotator="bob")] == [4]
    assert store.feedback_seen("ann") == 0
    store.mark_feedback_seen("ann", 7)
    store.mark_feedback_seen("ann", 3)  # never goes back
    assert store.feedback_seen("ann") == 7 and store.feedback_seen("bob") == 0


def test_a_gold_miss_is_queued_reviewed_and_scored_in_the_feedback(store):
    from earmark.quality.gold import GoldRef
    from earmark.session.feedback import feedback_for, gold_summary

    assert store.add_gold([("c5", GoldRef("the dog sat"))]) == 1
    gid = store.clip_by_name("c5").id
    assert store.next_gold("ann", due=True, near=0, batch=None, onboarding=0) == gid
    store.finish_gold(gid, "ann", text="the cat sat", reason=None, seconds=2.0)
    items = {i.clip_id: i for i in review_queue(store, "rev")}
    assert items[gid].reasons == ["gold_miss"]
    assert items[gid].transcripts == [("ann", "the cat sat")]
    [r] = store.record_review(gid, "rev", "fixed", text="the dog sat")
    assert (r.annotator, r.submitted) == ("ann", "the cat sat")
    assert gid not in store.final_texts()  # a gold clip's final is its reference
    assert gid not in {i.clip_id for i in review_queue(store, "rev")}
    [fb] = [f for f in feedback_for(store, "ann") if f.clip == "c5"]
    assert fb.diff_text == "the ~dog sat"
    summary = gold_summary(store, "ann")
    assert summary == "67% of words right, flags agreed 100% on 1 check clip(s) in 7 days"
    assert "gold" not in summary and "c5" not in summary
    assert gold_summary(store, "bob") is None
