"""The annotator's session without a terminal: queue, drafts, timing, resume, reopen, skip."""

from __future__ import annotations

import contextlib

import pytest

from earmark.clock import FakeClock
from earmark.session import (
    Session as _Session,
)
from earmark.session import (
    SessionError,
    align_words,
    low_confidence,
    low_confidence_offsets,
    word_at,
    word_timing,
)
from earmark.store import NewClip, open_store

_open_sessions: list = []


def Session(*args, **kwargs):
    """A Session closed after the test, before the store (its audit thread uses the store)."""
    s = _Session(*args, **kwargs)
    _open_sessions.append(s)
    return s


@pytest.fixture(autouse=True)
def _close_sessions(store):
    yield  # torn down before `store`, which it depends on
    while _open_sessions:
        with contextlib.suppress(Exception):  # some tests closed their own store already
            _open_sessions.pop().close()


def _words(text: str, confs: dict[int, float] | None = None) -> list[dict]:
    out = []
    for i, w in enumerate(text.split()):
        out.append(
            {"word": w, "start": i * 0.5, "end": i * 0.5 + 0.4, "conf": (confs or {}).get(i, 0.95)}
        )
    return out


@pytest.fixture
def queue(store):
    b = store.batch_id("b1")
    store.add_clips(
        b,
        [
            NewClip(
                name="c1",
                audio="/a/1.wav",
                asr="alexa play this bus eat oh",
                words=_words("alexa play this bus eat oh", {3: 0.3, 4: 0.4}),
                alternatives=["alexa play despacito"],
            ),
            NewClip(name="c2", audio="/a/2.wav", asr="what time is it"),
            NewClip(name="bad", audio="/a/3.wav", asr="", unplayable_reason="no data chunk"),
            NewClip(name="c4", audio="/a/4.wav", asr="turn off the lights"),
            NewClip(name="c5", audio="/a/5.wav", asr="stop"),
        ],
    )
    return store


def test_resume_opens_first_clip_and_marks_it_in_progress(queue):
    s = Session(queue, "ann", clock=queue.clock)
    st = s.resume()
    assert st.clip.name == "c1" and st.position == 1 and st.total == 5
    assert st.text == "alexa play this bus eat oh"
    # the queue hands out claims: the clip is this annotator's before it is on screen
    assert queue.clip(st.clip.id).status == "in_progress"
    assert queue.holds(st.clip.id, "ann") and queue.clip(st.clip.id).annotator == "ann"
    s.claim()
    assert queue.clip(st.clip.id).status == "in_progress"
    assert s.current.status == "in_progress" and not s.state().reopened


def test_submit_saves_then_opens_next_and_counts(queue):
    clock: FakeClock = queue.clock
    s = Session(queue, "ann", clock=clock)
    s.resume()
    clock.advance(12)
    st = s.submit("alexa play despacito")
    c1 = queue.clip_by_name("c1")
    assert c1.status == "done" and c1.text == "alexa play despacito"
    assert c1.seconds_on_clip == pytest.approx(12)
    assert st.clip.name == "c2"
    assert s.done_today() == 1
    assert s.seconds_on_clip() == pytest.approx(0)


def test_submit_cleans_untrusted_text(queue):
    s = Session(queue, "ann", clock=queue.clock)
    s.resume()
    s.submit("  [bold]hi[/]\x1b[31m  there\x00 \u202e ")
    assert queue.clip_by_name("c1").text == "[bold]hi[/] there"


def test_accept_asr_submits_guess_unchanged(queue):
    s = Session(queue, "ann", clock=queue.clock)
    s.resume()
    s.edit("something else", 3)
    s.accept_asr()
    assert queue.clip_by_name("c1").text == "alexa play this bus eat oh"


def test_skip_needs_a_known_reason(queue):
    s = Session(queue, "ann", clock=queue.clock)
    s.resume()
    with pytest.raises(ValueError, match="unknown skip reason"):
        s.skip("bored")
    st = s.skip("no speech")
    c1 = queue.clip_by_name("c1")
    assert (c1.status, c1.skip_reason) == ("skipped", "no speech")
    assert st.clip.name == "c2"


def test_unplayable_clip_is_passed_over_and_told_once(queue):
    s = Session(queue, "ann", clock=queue.clock)
    s.resume()
    s.submit("x")
    st = s.submit("y")  # from c2 over 'bad' to c4
    assert st.clip.name == "c4"
    assert len(st.notices) == 1 and "no data chunk" in st.notices[0] and "clip 3" in st.notices[0]
    back = s.prev_clip()  # prev skips unplayable clips too
    assert back.clip.name == "c2"
    again = s.next_clip()
    assert again.clip.name == "c4" and again.notices == ()


def test_mark_unplayable_records_reason_and_moves_on(queue):
    s = Session(queue, "ann", clock=queue.clock)
    s.resume()
    st = s.mark_unplayable("/a/1.wav: truncated")
    c1 = queue.clip_by_name("c1")
    assert c1.status == "unplayable" and c1.skip_reason == "/a/1.wav: truncated"
    assert st.clip.name == "c2" and "unplayable" in st.notices[0]
    with pytest.raises(SessionError):
        s.current = c1
        s.submit("x")


def test_draft_saved_and_resumed_with_time(db_path):
    clock = FakeClock()
    store = open_store(db_path, clock=clock)
    b = store.batch_id("b")
    store.add_clips(
        b,
        [
            NewClip(name="a", audio="/x", asr="hello world"),
            NewClip(name="b", audio="/y", asr="second"),
        ],
    )
    s = Session(store, "ann", clock=clock)
    s.resume()
    assert not s.save_draft()  # nothing typed yet
    clock.advance(7)
    s.edit("hello wor", 9)
    assert s.dirty
    assert s.save_draft()
    assert not s.dirty
    store.close()

    # a new process: same clip, same draft, time carried on
    clock2 = FakeClock()
    store2 = open_store(db_path, clock=clock2)
    s2 = Session(store2, "ann", clock=clock2)
    st = s2.resume()
    assert st.clip.name == "a" and st.text == "hello wor" and st.cursor == 9
    clock2.advance(3)
    assert s2.seconds_on_clip() == pytest.approx(10)
    s2.submit("hello world")
    assert store2.clip_by_name("a").seconds_on_clip == pytest.approx(10)
    assert store2.draft(store2.clip_by_name("a").id) is None
    store2.close()


def test_stale_edit_for_another_clip_is_ignored(queue):
    s = Session(queue, "ann", clock=queue.clock)
    first = s.resume()
    s.submit("x")
    s.edit("late keystroke", 3, clip_id=first.clip.id)
    assert s.text == "what time is it" and not s.dirty


def test_next_clip_keeps_draft_and_passed_clip_comes_back(queue):
    s = Session(queue, "ann", clock=queue.clock)
    s.resume()
    s.edit("alexa play", 10)
    st = s.next_clip()
    assert st.clip.name == "c2"
    assert queue.draft(queue.clip_by_name("c1").id).text == "alexa play"
    back = s.prev_clip()
    assert back.text == "alexa play"
    s.next_clip()
    # finish everything after c1: the queue comes back round to c1, still open
    s.submit("a")
    s.submit("b")
    last = s.submit("c")
    assert last.clip.name == "c1" and last.text == "alexa play"
    assert s.submit("alexa play") is None
    assert s.current is None


def test_resume_prefers_clip_last_typed_on(queue):
    clock = queue.clock
    s = Session(queue, "ann", clock=clock)
    s.resume()
    s.next_clip()
    clock.advance(5)
    s.edit("what time", 9)
    s.close()
    st = Session(queue, "ann", clock=clock).resume()
    assert st.clip.name == "c2" and st.text == "what time"


def test_other_annotators_clip_in_progress_is_not_offered(queue):
    a = Session(queue, "alice", clock=queue.clock)
    a.resume()
    a.claim()
    b = Session(queue, "bob", clock=queue.clock)
    assert b.resume().clip.name == "c2"


def test_reopen_submitted_clip_keeps_history(queue):
    s = Session(queue, "ann", clock=queue.clock)
    s.resume()
    s.submit("first version")
    st = s.prev_clip()
    assert st.reopened and st.text == "first version"
    # looking at it without a change leaves no draft behind
    s.next_clip()
    assert queue.draft(queue.clip_by_name("c1").id) is None
    st = s.prev_clip()
    s.submit("second version")
    c1 = queue.clip_by_name("c1")
    assert c1.text == "second version"
    assert [r["text"] for r in queue.revisions(c1.id)] == ["first version", "second version"]


def test_clips_per_hour_counts_submits_from_the_store_across_restarts(queue):
    clock = queue.clock
    s = Session(queue, "ann", clock=clock)
    s.resume()
    clock.advance(5)
    s.submit("a")
    assert s.clips_per_hour() == pytest.approx(12)  # 1 clip over the 5-minute floor, not 720/h
    clock.advance(595)
    s.submit("b")
    assert s.clips_per_hour() == pytest.approx(12)  # 2 clips in 10 minutes
    s.close()
    # a restart keeps the figure: it comes from the submit times in the store
    again = Session(queue, "ann", clock=clock)
    assert again.clips_per_hour() == pytest.approx(12, rel=0.02)
    # an hour later those submits have left the window
    clock.advance(3700)
    assert again.clips_per_hour() == 0.0
    again.close()


def test_today_counts_submitted_clips_not_skipped_ones(queue):
    s = Session(queue, "ann", clock=queue.clock)
    s.resume()
    s.submit("a")
    s.skip("no speech")
    assert s.done_today() == 1
    s.close()


def test_end_of_queue_says_what_is_left_and_prev_returns(queue):
    s = Session(queue, "ann", clock=queue.clock)
    state = s.resume()
    while state is not None and state.position < state.total:
        state = s.next_clip()
    assert state is not None
    last = state.clip.id
    assert s.next_clip() is None  # past the last clip: the end, not a silent stay
    left = s.queue_left()
    assert left.total == s.total and "0 of" in left.describe()
    back = s.prev_clip()
    assert back is not None and back.clip.id == last
    s.close()


def test_word_helpers_align_edits_with_asr_timings(queue):
    clip = queue.clip_by_name("c1")
    assert low_confidence(clip) == [3, 4]
    text = "alexa play despacito eat oh"
    assert word_at(text, 0) == 0 and word_at(text, 12) == 2 and word_at(text, len(text)) == 4
    assert align_words(["a", "b", "c"], ["a", "c"]) == {0: 0, 2: 1}
    # "eat" (edited word 3) lines up with ASR word 4, timed 2.0..2.4
    assert word_timing(clip, text, text.index("eat") + 1) == (2.0, 2.4)
    offsets = low_confidence_offsets(clip, clip.asr)
    assert offsets == [clip.asr.index("bus"), clip.asr.index("eat")]


def test_audit_hooks_used_when_store_has_them(queue):
    calls = []
    queue.audit_append = lambda actor, action, clip=None, detail=None: calls.append((action, clip))
    queue.log_play = lambda user, clip_id, start, end, speed: calls.append(("play", clip_id, end))
    s = Session(queue, "ann", clock=queue.clock)
    st = s.resume()
    s.log_play("c1", 0.0, 1.5, 1.0)
    s.log_play("c1", 1.0, 1.0, 1.0)  # nothing heard: not logged
    s.skip("no speech")
    s.flush()
    assert ("session_start", None) in calls
    assert ("play", st.clip.id, 1.5) in calls
    s.prev_clip()
    s.flush()
    assert ("reopen", st.clip.id) in calls


def test_the_clip_decoded_ahead_is_not_held_from_others(queue):
    """`upcoming` tells the screen which clip to decode ahead without claiming it: after a
    quit it is nobody's, and another annotator may take it meanwhile."""
    ann = Session(queue, "ann", clock=queue.clock)
    first = ann.resume()
    assert first is not None
    ann.claim()
    ahead = ann.upcoming()
    assert ahead is not None and ahead.id != first.clip.id
    assert queue.clip(ahead.id).status == "pending"  # looked at, not taken
    assert ann.upcoming() == ahead  # the same answer, asked again
    bob = Session(queue, "bob", clock=queue.clock)
    took = bob.resume()
    assert took is not None and took.clip.id == ahead.id
    bob.claim()
    after = ann.submit("alexa play despacito")
    assert after is not None and after.clip.id not in (first.clip.id, ahead.id)


def test_after_a_quit_only_the_open_clip_stays_in_progress(queue):
    ann = Session(queue, "ann", clock=queue.clock)
    first = ann.resume()
    assert first is not None
    ann.claim()
    assert ann.upcoming() is not None
    ann.close()
    held = [c.id for c in queue.iter_clips() if c.status == "in_progress"]
    assert held == [first.clip.id]
