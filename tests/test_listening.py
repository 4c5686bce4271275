"""Listening before submitting and time on task, in the session under an injected clock.

The batch rule is the batch's `min_listen` (set by a lead); "heard" is the union of
the stretches the player reported, at any speed, and never time elapsed.
"""

from __future__ import annotations

import json

import pytest

from earmark.clock import FakeClock
from earmark.session import Session
from earmark.session.heard import ListenFirst
from earmark.session.listening import IDLE_LIMIT, Coverage, TaskClock, merged
from earmark.store import NewClip, open_store


def test_union_of_spans_counts_each_second_once() -> None:
    assert merged([(2, 3), (0, 1), (0.5, 2.5), (5, 6)]) == [(0, 3), (5, 6)]
    cov = Coverage(10.0, 0.8)
    for _ in range(40):
        cov.add(0.0, 1.0)  # the first second forty times is one second
    assert cov.share() == pytest.approx(0.1)
    cov.add(1.0, 9.0, speed=2.0)  # heard at double speed: the audio still counts whole
    assert cov.share() == pytest.approx(0.9) and cov.satisfied()
    assert cov.listening_seconds == pytest.approx(40 + 4)
    assert Coverage(10.0, 0.5, [(8, 30)]).heard_seconds() == 2.0  # clipped to the clip
    assert Coverage(None, 0.8).satisfied()  # unknown length: never blocks
    assert Coverage(10.0, 0.8).left_text((0, 5)) == "heard 50%, need 80%"
    assert Coverage(10.0, 0.0).left_text() == ""


def test_idle_gaps_are_capped_and_playback_is_not_idle() -> None:
    t = TaskClock(0.0, prior=5.0)
    t.touch(30.0)  # typing for 30 s
    assert t.seconds(30.0 + 500) == 5 + 30 + IDLE_LIMIT  # then 500 s away: the limit only
    t.touch(600.0, busy=100.0)  # a 100 s stretch of playback just ended
    assert t.seconds(600.0) == 5 + 30 + 100 + IDLE_LIMIT


def _project(tmp_path, min_listen: float):
    clock = FakeClock()
    store = open_store(tmp_path / "p.db", clock=clock)
    b = store.batch_id("b")
    store.add_clips(
        b,
        [
            NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr=f"guess {i}", duration=10.0)
            for i in range(3)
        ],
    )
    if min_listen:
        store.set_batch_settings("b", actor="lead", min_listen=min_listen)  # as `earmark batch set`
    return store, clock


def _heard_entries(store) -> list[dict]:
    return [json.loads(e.detail) for e in store.audit_entries() if e.action == "heard"]


def test_submit_waits_for_the_share_heard_not_the_time_passed(tmp_path) -> None:
    store, clock = _project(tmp_path, 0.8)
    s = Session(store, "ann", clock=clock)
    st = s.resume()
    assert st is not None
    name = st.clip.name
    s.edit("my words", 8)
    s.log_play(name, 0.0, 4.0, 1.0)
    assert s.listen_left() == "heard 40%, need 80%"
    with pytest.raises(ListenFirst, match=r"80% of each clip.*40% heard, about 4 s to go"):
        s.submit()
    with pytest.raises(ListenFirst):
        s.accept_asr()
    clock.advance(3600)  # an hour with the clip open changes nothing
    s.log_play(name, 2.0, 6.0, 2.0)  # overlapping, at 2x: 0-6 s heard
    s.log_play("c2", 0.0, 10.0, 1.0)  # a late report about another clip: not this one
    with pytest.raises(ListenFirst):
        s.submit()
    assert s.current is not None and s.current.name == name and s.text == "my words"
    assert store.clip(st.clip.id).status != "done"  # nothing written, nothing lost
    assert s.listen_refusal((6.0, 8.0)) is None  # the stretch playing now counts too
    s.log_play(name, 6.0, 8.0, 1.0)
    assert s.listen_left() == ""
    nxt = s.submit()
    assert nxt is not None and store.clip(st.clip.id).status == "done"
    s.close()
    (entry,) = _heard_entries(store)
    assert entry["heard_share"] == 0.8 and entry["required"] == 0.8
    assert entry["spans"] == [[0.0, 8.0]] and entry["how"] == "submit"
    assert entry["listening_seconds"] == pytest.approx(4 + 2 + 2)


def test_earlier_visits_count_and_no_rule_means_no_wait(tmp_path) -> None:
    store, clock = _project(tmp_path, 0.5)
    s = Session(store, "ann", clock=clock)
    st = s.resume()
    assert st is not None
    s.log_play(st.clip.name, 0.0, 6.0, 1.0)
    s.close()  # quit; the plays are in the store
    again = Session(store, "ann", clock=clock)
    st2 = again.resume()
    assert st2 is not None and st2.clip.id == st.clip.id
    assert again.listen_refusal() is None
    again.accept_asr()
    again.close()
    assert _heard_entries(store)[-1]["how"] == "asr"
    (tmp_path / "free").mkdir()
    free, clock2 = _project(tmp_path / "free", 0.0)
    s3 = Session(free, "bob", clock=clock2)
    assert s3.resume() is not None
    assert s3.submit("no listening needed") is not None
    s3.close()


def test_time_on_clip_leaves_out_idle_time(tmp_path) -> None:
    store, clock = _project(tmp_path, 0.0)
    s = Session(store, "ann", clock=clock)
    st = s.resume()
    assert st is not None
    clock.advance(20)
    s.edit("typing", 6)
    clock.advance(600)  # away
    assert s.seconds_on_clip() == 20 + IDLE_LIMIT
    s.log_play(st.clip.name, 0.0, 10.0, 1.0)  # a 10 s stretch ends now: not idle
    clock.advance(5)
    s.touch()
    assert s.seconds_on_clip() == pytest.approx(20 + IDLE_LIMIT + 10 + 5)
    s.submit()
    s.close()
    assert store.clip(st.clip.id).seconds_on_clip == pytest.approx(20 + IDLE_LIMIT + 15)
