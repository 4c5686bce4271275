"""Clips paged past are not hoarded: one left as it opened stops being held, so a teammate
can take it once its lease runs out; one with typing on it, or come back to, stays held.

Real time and a short lease, on two store connections as two annotators' processes have:
the lease heartbeat (store/queue.py) is what keeps a clip held, so it has to run."""

from __future__ import annotations

import time

import pytest

from earmark.session import Session
from earmark.store import NewClip, open_store

LEASE = 1.5  # seconds; the heartbeat renews every max(1, LEASE / 3)


@pytest.fixture
def two(db_path):
    lead = open_store(db_path)
    lead.add_clips(
        lead.batch_id("b"),
        [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr=f"guess {i}") for i in range(4)],
    )
    lead.close()
    stores = [open_store(db_path), open_store(db_path)]
    for s in stores:
        s.lease_seconds = LEASE
    ann = Session(stores[0], "ann")
    yield ann, stores[1]
    ann.close()
    for s in stores:
        s.close()


def _opened(ann: Session, state) -> int:
    assert state is not None
    ann.claim()  # as the screen does once the clip is shown
    return state.clip.id


def _bob_would_get(bob_store) -> int | None:
    return bob_store.peek_next("bob", 0)


def test_a_clip_paged_past_untouched_goes_back_to_the_team(two):
    ann, bob = two
    first = _opened(ann, ann.resume())
    second = _opened(ann, ann.next_clip())
    assert second != first
    deadline = time.monotonic() + 4 * LEASE
    while _bob_would_get(bob) != first:  # its lease runs out: nobody renews it
        assert time.monotonic() < deadline, "the clip paged past stayed held"
        time.sleep(0.1)
    assert bob.next_open("bob", 0) == first  # and bob can take it


def test_a_clip_with_typing_on_it_stays_held(two):
    ann, bob = two
    first = _opened(ann, ann.resume())
    ann.edit("typed by ann", 12)
    _opened(ann, ann.next_clip())
    time.sleep(2.5 * LEASE)
    assert _bob_would_get(bob) != first


def test_coming_back_to_a_clip_holds_it_again(two):
    ann, bob = two
    first = _opened(ann, ann.resume())
    _opened(ann, ann.next_clip())
    assert _opened(ann, ann.prev_clip()) == first
    time.sleep(2.5 * LEASE)
    assert _bob_would_get(bob) != first
    assert ann.submit("done by ann") is not None  # still ann's: no lease lost
    assert bob.clip(first).status == "done" and bob.clip(first).annotator == "ann"


def test_a_clip_paged_to_is_claimed_with_a_lease_that_can_run_out(db_path):
    """Opening a clip by paging to it claims it with a lease, as the queue does: after a
    quit it is free again once the lease runs out, never held by nobody for good."""
    from earmark.clock import FakeClock

    clock = FakeClock()
    lead = open_store(db_path, clock=clock)
    lead.add_clips(
        lead.batch_id("b"), [NewClip(name=f"c{i}", audio=f"/a/{i}.wav") for i in range(4)]
    )
    ann = Session(lead, "ann", clock=clock)
    _opened(ann, ann.resume())
    paged = _opened(ann, ann.next_clip())
    ann.edit("typed by ann", 12)  # work on it: held while ann runs
    ann.close()
    lead.close()
    clock.advance(3600)  # ann is long gone
    bob = open_store(db_path, clock=clock)
    first = bob.next_open("bob", 0)  # ann's first clip: its lease ran out
    assert first is not None
    assert bob.next_open("bob", first) == paged  # and the one ann paged to, typed on
    bob.close()


def test_paging_back_and_forth_without_typing_still_lets_it_go(two):
    """Leaving a clip saves its time as a draft; coming back finds that draft, which is
    not typing: left again as it opened, the clip still goes back to the team."""
    ann, bob = two
    first = _opened(ann, ann.resume())
    _opened(ann, ann.next_clip())
    assert _opened(ann, ann.prev_clip()) == first
    _opened(ann, ann.next_clip())
    deadline = time.monotonic() + 4 * LEASE
    while _bob_would_get(bob) != first:
        assert time.monotonic() < deadline, "the clip paged past twice stayed held"
        time.sleep(0.1)
