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
    assert store.resume_clip("ann") == 1
    store.start_clip(2, "ann")
    assert store.resume_clip("ann") == 2
    assert store.resume_clip("other") == 1


def test_not_a_database_is_a_user_error(tmp_path):
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match="not an earmark database"):
        open_store(bad)


def test_missing_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        open_store(tmp_path / "nope" / "x.db")


def test_reopen_keeps_secret(db_path):
    s = open_store(db_path)
    secret = s.db.secret
    s.close()
    assert open_store(db_path).db.secret == secret


def _recount(store):
    """Totals the slow way, to hold the maintained ones to."""
    from earmark.wer import corpus_wer

    counts = dict.fromkeys(("pending", "in_progress", "done", "skipped", "unplayable"), 0)
    for status, n in store.db.query("SELECT status, count(*) FROM clips GROUP BY status"):
        counts[status] = n
    seconds = store.db.scalar(
        "SELECT total(seconds_on_clip) FROM clips WHERE status IN ('done','skipped')"
    )
    return counts, seconds, corpus_wer(store.iter_transcript_pairs())


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
