"""Several annotators on one SQLite file: overlap N, blind slots, leases through the session.

Each annotator has their own store (their own connection, as separate processes would), over
one file and one injected clock, so leases run out when the test says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from earmark.clock import FakeClock
from earmark.session import Session
from earmark.store import NewClip, SQLiteStore, open_store
from earmark.store.queue import LeaseLost
from tests.support import eventually


@pytest.fixture
def project(tmp_path: Path) -> Iterator[tuple[Path, FakeClock, list[SQLiteStore]]]:
    clock = FakeClock()
    opened: list[SQLiteStore] = []
    yield tmp_path / "p.db", clock, opened
    for s in opened:
        with contextlib.suppress(Exception):
            s.close()


def _open(project, n: int = 0, overlap: int = 1, **kw) -> SQLiteStore:
    path, clock, opened = project
    store = open_store(path, clock=clock)
    for k, v in kw.items():
        setattr(store, k, v)
    opened.append(store)
    if n:
        store.ensure_user("lee")
        store.batch_id("b")
        store.set_batch_settings("b", actor="lee", overlap=overlap)
        clips = [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr=f"guess {i}") for i in range(n)]
        store.add_clips(store.batch_id("b"), clips)
    return store


def test_overlap_two_gives_each_clip_two_annotators_never_one_twice(project) -> None:
    lead = _open(project, 4, overlap=2)
    a, b, c = (_open(project) for _ in range(3))
    got: dict[str, list[int]] = {"ann": [], "bob": [], "cat": []}
    for name, store in zip(got, (a, b, c), strict=True):
        for _ in range(3):
            cid = store.claim_next(name)
            if cid is None:
                break
            got[name].append(cid)
            store.submit(cid, f"{name} says {cid}", name, 1.0)
    for name, store in zip(got, (a, b, c), strict=True):
        while (cid := store.claim_next(name)) is not None:
            got[name].append(cid)
            store.submit(cid, f"{name} says {cid}", name, 1.0)
    for name, ids in got.items():
        assert len(ids) == len(set(ids)), f"{name} got a clip twice: {ids}"
    seen = list(lead.annotations())
    assert sorted(x.clip_id for x in seen) == [1, 1, 2, 2, 3, 3, 4, 4]
    for cid in (1, 2, 3, 4):
        who = [x.annotator for x in seen if x.clip_id == cid]
        assert len(set(who)) == 2, (cid, who)
    assert all(x.text == f"{x.annotator} says {x.clip_id}" for x in seen)
    assert [x.clip_id for x in lead.annotations("b")] == [x.clip_id for x in seen]
    assert list(lead.annotations("other")) == []
    assert lead.audit_verify().ok


def test_a_clip_whose_other_slot_is_done_comes_first(project) -> None:
    _open(project, 5, overlap=2)
    a, b = _open(project), _open(project)
    a.start_clip(4, "ann")
    a.submit(4, "ann heard four", "ann", 1.0)
    assert b.claim_next("bob") == 4  # before the pending clips 1..3
    assert a.claim_next("ann") == 1  # never a second slot of clip 4


def test_one_annotator_alone_takes_each_clip_once(project) -> None:
    store = _open(project, 3, overlap=3)
    got = []
    while (cid := store.claim_next("ann")) is not None:
        got.append(cid)
        store.submit(cid, "x", "ann", 1.0)
    assert got == [1, 2, 3]


def test_overlapped_slots_are_blind_to_each_other(project) -> None:
    _open(project, 2, overlap=2)
    a, b = _open(project), _open(project)
    assert a.claim_next("ann") == 1
    a.save_draft(1, "ann", "ann's draft", 3, 1.0)
    assert b.claim_next("bob") == 1  # the second slot, while ann works on the first
    assert b.draft(1, "bob") is None
    b.save_draft(1, "bob", "bob's draft", 3, 1.0)
    assert a.draft(1, "ann").text == "ann's draft"  # each keeps their own
    a.submit(1, "ann's words", "ann", 2.0)
    seen_by_bob = b.clip(1, "bob")
    assert seen_by_bob.status == "in_progress" and seen_by_bob.text is None
    assert seen_by_bob.annotator == "bob"
    cat = _open(project)
    seen_by_cat = cat.clip(1, "cat")  # no slot of it: not started, nothing of theirs shown
    assert seen_by_cat.status == "pending" and seen_by_cat.text is None
    b.submit(1, "bob's words", "bob", 2.0)
    assert b.clip(1, "bob").text == "bob's words" and a.clip(1, "ann").text == "ann's words"
    assert cat.claim_next("cat") == 2  # both slots of clip 1 done
    with pytest.raises(LeaseLost):
        cat.submit(1, "cat's words", "cat", 1.0)
    assert cat.draft(1, "cat").text == "cat's words"  # kept


def test_a_lead_raising_overlap_adds_slots_to_clips_already_there(project) -> None:
    lead = _open(project, 2)
    lead.submit(1, "one", "lee", 1.0)
    lead.set_batch_settings("b", actor="lee", overlap=3)
    b = _open(project)
    assert b.claim_next("bob") == 1  # a slot of the finished clip comes first
    lead.set_batch_settings("b", actor="lee", overlap=1)  # bob's held slot stays his
    assert b.holds(1, "bob")
    assert lead.db.scalar("SELECT count(*) FROM slots WHERE clip_id = 2") == 0


def test_session_submit_on_a_lost_lease_moves_on_and_keeps_the_text(project) -> None:
    path, clock, _ = project
    _open(project, 3)
    a_store, b_store = _open(project), _open(project)
    a = Session(a_store, "ann", clock=clock)
    first = a.resume()
    assert first.clip.id == 1
    a.edit("ann typed this", 14)
    clock.advance(a_store.lease_seconds + 1)  # ann walked away; nothing renewed the lease
    b = Session(b_store, "bob", clock=clock)
    assert b.resume().clip.id == 1  # the lapsed clip is claimable again
    assert b.text == "guess 0"  # not ann's words
    after = a.submit()
    assert after is not None and after.clip.id != 1
    assert any("another annotator took it" in n for n in after.notices)
    assert a_store.draft(1, "ann").text == "ann typed this"
    assert b_store.draft(1, "bob") is None
    b.submit("bob's words")
    assert b_store.clip(1).text == "bob's words" and b_store.clip(1).annotator == "bob"
    for s in (a, b):
        s.close()


def test_paging_never_opens_another_annotators_clip_in_progress(project) -> None:
    path, clock, _ = project
    _open(project, 4)
    a_store, b_store = _open(project), _open(project)
    a = Session(a_store, "ann", clock=clock)
    b = Session(b_store, "bob", clock=clock)
    assert a.resume().clip.id == 1
    a.edit("ann's half-typed words", 5)
    a.save_draft()
    assert b.resume().clip.id == 2
    assert b.next_clip().clip.id == 3
    assert b.prev_clip().clip.id == 2  # clip 1 is ann's: never offered
    assert b.prev_clip().clip.id == 2
    assert b.next_clip().clip.id == 3
    assert b.next_clip().clip.id == 4
    assert b.next_clip() is None  # the end: clip 1 is never among the pages
    assert b.last_clip().clip.id == 4
    assert b_store.draft(1, "bob") is None and b_store.draft(1, "ann").text.startswith("ann")
    for s in (a, b):
        s.close()


def test_the_heartbeat_keeps_an_open_clip_held(project) -> None:
    _open(project, 2)
    a = _open(project, lease_seconds=3.0)
    b = _open(project)
    _, clock, _ = project
    assert a.claim_next("ann") == 1
    start = a.db.scalar("SELECT lease_until FROM clips WHERE id = 1")
    clock.advance(2)
    eventually(
        lambda: a.db.scalar("SELECT lease_until FROM clips WHERE id = 1") > start,
        "the lease renewed by the heartbeat",
    )
    clock.advance(2)  # past the first lease's end, within the renewed one
    assert b.claim_next("bob", avoid=[2]) is None  # clip 1 is still ann's
    a.forget(1)
    clock.advance(4)
    assert b.claim_next("bob", avoid=[2]) == 1  # no longer renewed: it ran out


def test_claims_skip_the_disk_flush_and_submits_still_wait_for_it(project) -> None:
    """A lease is soft state: its commit may skip the flush (the write lock is held for less
    time); the submit after it is durable, and the connection is left as it was."""
    store = _open(project, 2)
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    try:
        cid = store.claim_next("ann")
        claim = list(seen)
        seen.clear()
        store.submit(cid, "words", "ann", 1.0)
    finally:
        store.db.conn.set_trace_callback(None)
    assert claim[0] == "PRAGMA synchronous=NORMAL" and claim[-1] == "PRAGMA synchronous=FULL"
    assert not any("synchronous" in s for s in seen)  # the submit: FULL, as the file opened
    assert store.db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
