import os
import sqlite3
import stat

import pytest

from earmark.errors import UserError
from earmark.store import NewClip, open_store


def test_database_is_owner_only_and_wal(db_path, store):
    mode = stat.S_IMODE(os.stat(db_path).st_mode)
    assert mode == 0o600
    assert store.db.query_one("PRAGMA journal_mode")[0] == "wal"
    assert store.db.query_one("PRAGMA synchronous")[0] == 2  # FULL


def test_clips_keep_import_order_and_do_not_duplicate(store):
    b = store.batch_id("b1")
    names = [f"c{i}" for i in (5, 3, 9, 1)]
    assert store.add_clips(b, [NewClip(name=n, audio=f"/a/{n}.wav") for n in names]) == 4
    assert store.add_clips(b, [NewClip(name=n, audio=f"/a/{n}.wav") for n in names]) == 0
    assert [c.name for c in store.iter_clips()] == names


def test_submit_keeps_history_and_clears_draft(store):
    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name="x", audio="/x.wav", asr="hello word")])
    store.start_clip(1, "ann")
    store.save_draft(1, "ann", "hello wor", 9, 3.0)
    assert store.draft(1).text == "hello wor"
    store.submit(1, "hello world", "ann", 4.0)
    assert store.draft(1) is None
    store.submit(1, "hello, world", "ann", 2.0)
    clip = store.clip(1)
    assert clip.status == "done" and clip.text == "hello, world"
    assert clip.seconds_on_clip == 6.0
    assert [r["text"] for r in store.revisions(1)] == ["hello world", "hello, world"]


def test_resume_prefers_clip_in_progress(store):
    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name=f"n{i}", audio="/x.wav") for i in range(3)])
    assert store.resume_clip("ann") == 1  # a claim: the clip is ann's now
    store.start_clip(2, "ann")
    store.save_draft(2, "ann", "typed", 5, 1.0)
    assert store.resume_clip("ann") == 2  # the clip last typed on
    assert store.resume_clip("other") == 3  # 1 and 2 are ann's


def test_not_a_database_is_a_user_error(tmp_path):
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match="not an earmark database"):
        open_store(bad)


def test_missing_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        open_store(tmp_path / "nope" / "x.db")


def test_reopen_keeps_the_pseudonym_key_outside_the_database(db_path):
    from earmark.importing import pseudonym_key

    s = open_store(db_path)
    key = pseudonym_key(s, create=True)
    s.close()
    s = open_store(db_path)
    assert pseudonym_key(s) == key
    assert s.db.get_meta("secret") is None  # the database alone holds no key
    s.close()


def _recount(store):
    """Totals the slow way, to hold the maintained ones to."""
    from earmark.wer import corpus_wer

    counts = dict.fromkeys(("pending", "in_progress", "done", "skipped", "unplayable"), 0)
    for status, n in store.db.query("SELECT status, count(*) FROM clips GROUP BY status"):
        counts[status] = n
    seconds = store.db.scalar(
        "SELECT total(seconds_on_clip) FROM clips WHERE status IN ('done','skipped')"
    )
    pairs = store.db.query("SELECT text, asr FROM clips WHERE status = 'done' AND text IS NOT NULL")
    return counts, seconds, corpus_wer((r[0], r[1]) for r in pairs)


def test_totals_follow_every_change_in_the_same_transaction(store):
    b = store.batch_id("b")
    other = store.batch_id("other")
    store.add_clips(
        b, [NewClip(name=f"n{i}", audio="/x.wav", asr="turn on the light") for i in range(6)]
    )
    store.add_clips(other, [NewClip(name="u", audio="/u.wav", unplayable_reason="empty")])
    store.start_clip(1, "ann")
    store.submit(1, "turn off the light", "ann", 5.0)
    store.submit(2, "turn on the light", "ann", 2.5)
    store.skip(3, "no speech", "bob", 1.0)
    store.submit(3, "", "bob", 1.0)  # a skip taken back: done with an empty transcript
    store.submit(1, "turn off all the lights", "ann", 4.0)  # resubmitted: old parts replaced
    store.skip(2, "unintelligible", "ann", 1.0)  # done -> skipped: its WER parts leave
    store.mark_unplayable(4, "broken")
    # a failed change leaves the totals as they were
    with pytest.raises(sqlite3.IntegrityError), store.db.write() as c:
        c.execute("UPDATE clips SET status = 'done' WHERE id = 5")
        c.execute("INSERT INTO clips(id, name, batch_id, audio) VALUES (5, 'dup', 1, '/x')")
    t = store.totals()
    counts, seconds, wer = _recount(store)
    assert t.counts == counts
    assert t.finished_seconds == pytest.approx(seconds)
    assert t.asr_wer == pytest.approx(wer)
    assert t.counts["done"] == 2 and t.counts["unplayable"] == 2


def test_position_and_count_skip_removed_clips(store):
    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name=f"n{i}", audio="/x.wav") for i in range(10)])
    assert store.clip_count() == 10 and store.position(7) == 7
    with store.db.write() as c:
        c.execute("DELETE FROM clips WHERE id IN (2, 3, 10)")
    assert store.clip_count() == 7
    assert [store.position(i) for i in (1, 4, 9)] == [1, 2, 7]
    store.add_clips(b, [NewClip(name="late", audio="/x.wav")])  # takes id 10 again, last
    assert store.clip_count() == 8 and store.position(10) == 8
    assert store.totals().counts["pending"] == 8
    assert store.last_playable() == 10


def test_queue_lookups_use_indexes_not_scans(store):
    """The plans, not the clock: a scan of clips would grow with the project."""
    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name=f"n{i}", audio="/x.wav") for i in range(50)])
    queries = [
        ("SELECT count(*) FROM clip_gaps WHERE id < ?", (40,)),
        ("SELECT coalesce(max(id), 0) FROM clips", ()),
        ("SELECT id FROM clips WHERE status = 'pending' AND id > ? ORDER BY id LIMIT 1", (3,)),
        ("SELECT status, sum(clips) FROM clip_totals GROUP BY status", ()),
    ]
    for sql, params in queries:
        plan = " ".join(r[3] for r in store.db.query("EXPLAIN QUERY PLAN " + sql, params))
        assert "SCAN clips" not in plan, (sql, plan)


def test_existing_database_is_migrated_with_totals_and_wer(db_path):
    from earmark.store.db import _split_sql
    from earmark.store.schema import MIGRATIONS

    conn = sqlite3.connect(db_path)
    for name, sql in MIGRATIONS[:3]:
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations(name TEXT PRIMARY KEY, applied_at REAL)"
        )
        conn.execute("INSERT INTO migrations VALUES (?, 0)", (name,))
    conn.execute("INSERT INTO batches(id, name, created_at) VALUES (1, 'b', 0)")
    rows = [
        (1, "a", "done", "turn off the light", "turn on the light", 3.0),
        (2, "b", "skipped", None, "x", 2.0),
        (4, "d", "done", "play jazz", "play jazz", 1.0),
        (5, "e", "pending", None, "y", 0.0),
    ]
    conn.executemany(
        "INSERT INTO clips(id, name, batch_id, audio, status, text, asr, seconds_on_clip)"
        " VALUES (?, ?, 1, '/x.wav', ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    store = open_store(db_path)
    try:
        t = store.totals()
        assert t.counts == {
            "pending": 1,
            "in_progress": 0,
            "done": 2,
            "skipped": 1,
            "unplayable": 0,
        }
        assert t.asr_wer == pytest.approx(1 / 6)
        assert t.mean_seconds_on_clip == pytest.approx(2.0)
        assert store.clip_count() == 4 and store.position(4) == 3 and store.position(5) == 4
    finally:
        store.close()


def test_sqlite_store_implements_the_protocol():
    """Every Protocol method exists on the SQLite store (mypy checks the signatures)."""
    from earmark.store import SQLiteStore, Store

    wanted = {n for n in dir(Store) if not n.startswith("_")}
    assert wanted <= set(dir(SQLiteStore))


def _mode(store):
    return store.db.scalar("PRAGMA journal_mode")


def test_bulk_import_alone_uses_large_steps_then_wal_again(store, monkeypatch):
    import earmark.store.db as db_mod

    monkeypatch.setattr(db_mod, "BULK_ROWS", 3)
    b = store.batch_id("b")
    with store.bulk():
        assert store.add_clips(b, [NewClip(name=f"a{i}", audio="/x.wav") for i in range(2)]) == 2
        assert _mode(store) == "delete" and store.db.conn.in_transaction  # step still open
        assert store.add_clips(b, [NewClip(name=f"a{i}", audio="/x.wav") for i in range(4)]) == 2
        assert not store.db.conn.in_transaction  # 6 rows >= 3: committed
    assert _mode(store) == "wal"
    assert store.clip_count() == 4 and store.totals().counts["pending"] == 4


def test_bulk_import_beside_an_open_project_commits_every_step(db_path, store):
    b = store.batch_id("b")
    other = open_store(db_path)
    try:
        with store.bulk():
            store.add_clips(b, [NewClip(name="x", audio="/x.wav")])
            assert _mode(store) == "wal" and not store.db.conn.in_transaction
            assert other.clip_count() == 1  # the other process sees it at once
    finally:
        other.close()


def test_someone_opening_mid_import_gets_in_and_the_import_goes_on(db_path, store, monkeypatch):
    import threading

    import earmark.store.db as db_mod

    monkeypatch.setattr(db_mod, "BULK_ROWS", 1)
    b = store.batch_id("b")
    opened: list = []
    with store.bulk():
        store.add_clips(b, [NewClip(name="first", audio="/x.wav")])  # a step, committed
        t = threading.Thread(target=lambda: opened.append(open_store(db_path)))
        t.start()
        t.join(timeout=15)
        assert opened, "the second process could not open the project mid-import"
        store.add_clips(b, [NewClip(name="second", audio="/x.wav")])
        assert not store.db.conn.in_transaction  # back to a transaction per step
    try:
        assert _mode(store) == "wal"
        assert opened[0].clip_count() == 2
    finally:
        opened[0].close()


def test_a_failed_bulk_step_is_rolled_back(store):
    b = store.batch_id("b")
    with pytest.raises(RuntimeError), store.bulk():
        store.add_clips(b, [NewClip(name="lost", audio="/x.wav")])
        raise RuntimeError("the manifest reader failed")
    assert store.clip_count() == 0 and _mode(store) == "wal"
    assert store.add_clips(b, [NewClip(name="lost", audio="/x.wav")]) == 1


def test_what_the_annotator_asks_on_every_clip_never_scans_clips_or_revisions(store):
    """Every statement the per-clip reads (and every open) run, explained: none walks the
    clips or the revisions table (a million rows each in a big project). Plans, not timings."""
    import re

    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name=f"n{i}", audio="/x.wav", asr="a b") for i in range(30)])
    for i in range(1, 11):
        store.submit(i, "a b c", f"ann{i % 3}", 2.0)
    store.add_flag(3, "distressing", "ann1")
    store.log_play("ann1", 3, 0.0, 1.0)
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        since = store.clock.now() - 3600
        store.clip_count()
        store.position(20)
        store.resume_clip("ann1")
        store.next_open("ann1", 12)
        store.neighbour_playable(12, 1)
        store.neighbour_playable(12, -1)
        store.unplayable_between(1, 20)
        store.totals()
        store.submit_times("ann1", since)
        store.throughput_since(since)
        store.exposure_seconds("ann1", since)
        store.routed_away_clip_ids("ann1", at_hard_limit=False)
        store.flags_for_clip(12)
        store.content_warning(12)
        store.draft(12)
        store.clip(12)
        store.recent_corrections(50)
        store.offerable_words(3, 100)
        store._fill_wer_parts()  # runs on every open
    finally:
        store.db.conn.set_trace_callback(None)
    scans = re.compile(r"\bSCAN (clips|revisions|c|r)\b(?! USING (COVERING )?INDEX)")
    checked = 0
    for sql in statements:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        plan = " | ".join(r[3] for r in store.db.query("EXPLAIN QUERY PLAN " + sql))
        assert not scans.search(plan), (sql, plan)
        assert "SCAN revisions USING INDEX revisions_by_clip" not in plan, (sql, plan)
        # every clip of one status (900,000 done ones), not a bounded range of them; clips in
        # progress are the few that annotators hold open
        if "'in_progress'" not in sql:
            assert "clips_by_status (status=?)" not in plan, (sql, plan)
        checked += 1
    assert checked >= 15
