"""The annotator's session on PostgreSQL: the same workflow as on SQLite, through leases."""

from __future__ import annotations

from earmark.clock import FakeClock
from earmark.session import Session
from earmark.store.clips import NewClip
from earmark.store.postgres import open_postgres
from earmark.suggest import fill_word_index
from tests.pg.support import PgTest


def _project(pg: PgTest, n: int, overlap: int = 1) -> None:
    lead = open_postgres(pg.url)
    clips = [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr=f"guess {i}") for i in range(n)]
    lead.add_clips(lead.batch_id("b", overlap=overlap), clips)
    lead.close()


def test_two_sessions_resume_submit_and_never_share_a_clip(pg: PgTest) -> None:
    _project(pg, 6)
    clock = FakeClock()
    names, stores, sessions = [], [], []
    for _ in range(2):
        name, dsn = pg.login("annotator")
        store = open_postgres(dsn, clock=clock)
        names.append(name)
        stores.append(store)
        sessions.append(Session(store, name, clock=clock))
    a, b = sessions
    sa, sb = a.resume(), b.resume()
    assert sa is not None and sb is not None and sa.clip.id != sb.clip.id
    a.claim()
    a.edit("typed by a", 10)
    assert a.save_draft()
    assert b.store.draft(sa.clip.id) is None
    seen = {sa.clip.id, sb.clip.id}
    for _ in range(2):
        na = a.submit("words of a")
        nb = b.submit("words of b")
        assert na is not None and nb is not None and na.clip.id != nb.clip.id
        assert not {na.clip.id, nb.clip.id} & seen
        seen |= {na.clip.id, nb.clip.id}
    assert len(seen) == 6
    assert a.prev_clip() is not None  # own clips only
    for s in sessions:
        s.close()
    lead = open_postgres(pg.url)
    assert lead.audit_verify().ok
    assert sum(1 for c in lead.iter_clips() if c.status == "done") == 4
    lead.close()
    for s in stores:
        s.close()


def test_suggestions_learn_only_from_the_users_own_transcripts(pg: PgTest) -> None:
    _project(pg, 4, overlap=2)
    a_name, a_dsn = pg.login("annotator")
    b_name, b_dsn = pg.login("annotator")
    a, b = open_postgres(a_dsn), open_postgres(b_dsn)
    cid = a.claim_next(a_name)
    assert cid is not None
    a.submit(cid, "zanzibar quokka", a_name, 1.0)
    a.learn_words(cid, [("zanzibar", "zanzibar"), ("quokka", "quokka")], "guess")
    assert {w for w, _, _ in a.offerable_words(1, 10)} == {"zanzibar", "quokka"}
    assert b.offerable_words(1, 10) == []
    assert b.recent_corrections(10) == []
    assert a.recent_corrections(10) == [("guess 0", "zanzibar quokka")]
    fill_word_index(b)  # the one-time fill runs as b, on b's own transcripts
    assert b.word_index_ready()
    a.close()
    b.close()


def test_an_idle_annotator_wakes_on_new_work_and_the_wait_holds_no_lock(pg: PgTest) -> None:
    """LISTEN/NOTIFY: an import announces work; the waiting session learns it at once, while
    its own store keeps answering (the wait does not hold the connection's lock)."""
    import threading
    import time

    _project(pg, 1)
    name, dsn = pg.login("annotator")
    store = open_postgres(dsn)
    s = Session(store, name)
    assert s.resume() is not None
    s.claim()
    assert s.submit("done") is None  # the end of the queue
    assert s.wait_for_work(0.3) is False  # nothing announced: the timeout, not sooner
    woke: list[float] = []
    waiter = threading.Thread(target=lambda: woke.append(float(s.wait_for_work(20.0))))
    waiter.start()
    time.sleep(0.5)  # the waiter is listening
    started = time.monotonic()
    assert store.clip_count() == 1  # the store answers during the wait
    assert time.monotonic() - started < 0.5
    sent = time.monotonic()
    lead = open_postgres(pg.url)  # a lead imports more
    lead.add_clips(lead.batch_id("b"), [NewClip(name="new", audio="/a/new.wav", asr="more")])
    lead.close()
    waiter.join(10)
    assert woke == [1.0] and time.monotonic() - sent < 3.0
    nxt = s.resume()
    assert nxt is not None and nxt.clip.name == "new"
    assert (nxt.position, nxt.total) == (2, 2)  # the count follows the import
    s.close()


def test_the_clip_decoded_ahead_is_not_held_from_others(pg: PgTest) -> None:
    _project(pg, 4)
    clock = FakeClock()
    (a_name, a_dsn), (b_name, b_dsn) = pg.login("annotator"), pg.login("annotator")
    sa, sb = open_postgres(a_dsn, clock=clock), open_postgres(b_dsn, clock=clock)
    a, b = Session(sa, a_name, clock=clock), Session(sb, b_name, clock=clock)
    first = a.resume()
    assert first is not None
    a.claim()
    ahead = a.upcoming()
    assert ahead is not None and ahead.id != first.clip.id
    assert sa.clip(ahead.id).status == "pending"  # looked at, not taken
    took = b.resume()
    assert took is not None and took.clip.id == ahead.id
    b.claim()
    after = a.submit("words of a")
    assert after is not None and after.clip.id not in (first.clip.id, ahead.id)
    a.close()
    lead = open_postgres(pg.url)
    held = sorted(c.id for c in lead.iter_clips() if c.status == "in_progress")
    assert held == sorted([took.clip.id, after.clip.id])
    lead.close()
    b.close()
    sa.close()
    sb.close()


def test_a_clip_left_untouched_goes_back_to_the_team(pg: PgTest) -> None:
    """As on SQLite (tests/test_paged_leases.py), with real time and a 1.5 s lease kept by
    the heartbeat: a clip left as it opened is no longer renewed; one with typing on it,
    or come back to, is. (On the server an annotator pages among their own clips only.)"""
    import time

    _project(pg, 5)
    logins = [pg.login("annotator") for _ in range(3)]
    stores = [open_postgres(dsn) for _, dsn in logins]
    for s in stores:
        s.lease_seconds = 1.5
    (a_name, _), (b_name, _), (c_name, _) = logins
    a, c = Session(stores[0], a_name), Session(stores[2], c_name)
    typed = a.resume()
    assert typed is not None
    a.claim()
    a.edit("typed by a", 10)
    assert a.next_clip() is None  # past a's only clip: the end of the queue
    left = c.resume()
    assert left is not None and left.clip.id != typed.clip.id
    c.claim()
    assert c.next_clip() is None  # leaves it as it opened
    deadline = time.monotonic() + 8
    while stores[1].peek_next(b_name, 0) != left.clip.id:
        assert time.monotonic() < deadline, "the clip left untouched stayed held"
        time.sleep(0.1)
    back = c.prev_clip()  # c comes back to it: held again
    assert back is not None and back.clip.id == left.clip.id
    c.claim()
    time.sleep(3.5)
    would = stores[1].peek_next(b_name, 0)
    assert would not in (typed.clip.id, left.clip.id)
    c.submit("words of c")  # still c's: no lease lost (LeaseLost would be raised)
    done = stores[2].clip(left.clip.id, c_name)
    assert done is not None and done.status == "done" and done.text == "words of c"
    for session in (a, c):
        session.close()
    for s in stores:
        s.close()
