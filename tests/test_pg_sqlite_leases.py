"""The PostgreSQL queue's lease semantics on one SQLite file (claims in BEGIN IMMEDIATE)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from earmark.clock import FakeClock
from earmark.store import NewClip, open_store
from earmark.store.queue import LeaseLost


def _project(path: Path, n: int) -> None:
    store = open_store(path)
    store.add_clips(store.batch_id("b"), [NewClip(name=f"c{i}", audio=f"/a/{i}") for i in range(n)])
    store.close()


def test_annotators_on_one_file_never_claim_the_same_clip(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    _project(path, 120)
    got: dict[str, list[int]] = {}

    def work(name: str) -> None:
        store = open_store(path, create=False)
        mine = got.setdefault(name, [])
        while (cid := store.claim_next(name)) is not None:
            mine.append(cid)
            store.submit(cid, f"by {name}", name, 1.0)
        store.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    claimed = [c for cs in got.values() for c in cs]
    assert sorted(claimed) == list(range(1, 121))  # each clip once, none lost
    store = open_store(path, create=False)
    assert store.audit_verify().ok
    store.close()


def test_a_lapsed_lease_is_claimable_and_the_own_claim_comes_back(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    _project(path, 2)
    clock = FakeClock()
    a = open_store(path, clock=clock, create=False)
    b = open_store(path, clock=clock, create=False)
    first = a.claim_next("ann")
    assert first == 1
    assert a.claim_next("ann") == 1  # still theirs
    assert b.claim_next("bob") == 2
    assert b.claim_next("eve", avoid=[2]) is None  # 1 is held, 2 avoided
    clock.advance(a.lease_seconds + 1)
    assert b.claim_next("eve", avoid=[2]) == 1  # ann's lease ran out
    assert not a.holds(1, "ann") and b.holds(1, "eve")
    with pytest.raises(LeaseLost, match="another annotator took it"):
        a.submit(1, "late words", "ann", 3.0)
    b.submit(1, "eve's words", "eve", 2.0)
    with pytest.raises(LeaseLost):
        a.submit(1, "still late", "ann", 3.0)
    clip = b.clip(1)
    assert clip is not None and clip.text == "eve's words"
    a.close()
    b.close()
