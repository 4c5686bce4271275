"""WAL checkpoints off the commit path for the annotator's long session (store/checkpoints.py):
commits never fold the log in, a thread does, and the log stays bounded."""

from __future__ import annotations

import os
import time

from earmark.store import checkpoints
from earmark.store.db import Database


def _write_rounds(db: Database, rounds: int, pause: float) -> int:
    with db.write() as c:
        c.execute("CREATE TABLE IF NOT EXISTS scratch(x BLOB)")
    blob = os.urandom(3000)
    for _ in range(rounds):
        with db.write() as c:
            c.executemany("INSERT INTO scratch(x) VALUES (?)", [(blob,)] * 200)
        time.sleep(pause)
    return rounds * 200 * 3000


def test_a_long_session_checkpoints_on_a_thread_and_the_log_stays_small(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "EVERY", 0.05)
    db = Database(tmp_path / "p.db")
    db.checkpoint_in_background()
    assert db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # never in a commit
    written = _write_rounds(db, 30, 0.1)
    wal = tmp_path / "p.db-wal"
    assert wal.stat().st_size < written / 3  # folded in and reused as it went
    db.close()


def test_without_the_thread_the_same_log_would_hold_everything(tmp_path):
    db = Database(tmp_path / "p.db")
    db.conn.execute("PRAGMA wal_autocheckpoint=0")  # what the thread makes up for
    written = _write_rounds(db, 30, 0.0)
    assert (tmp_path / "p.db-wal").stat().st_size > written * 0.9
    db.close()
