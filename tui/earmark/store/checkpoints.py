"""WAL checkpoints off the annotator's submit path.

SQLite copies the write-ahead log back into the database file in the commit that takes the
log past 1,000 pages, and that commit waits for it. In a 2 GB project the copy is scattered
writes and an fsync: one submit in about forty took 0.9 s at clip 900k of a 1M-clip project
(tmux, tests/bench/bench_scale.py). A long-lived session (the annotator) turns that off on
its connection, and a thread with a connection of its own checkpoints every few seconds
instead. PASSIVE mode never waits on a writer or a reader, so nothing the annotator does
waits for it either; the log stays small, and closing the last connection still folds it in.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

EVERY = 2.0  # seconds between two checkpoints


class Checkpointer:
    def __init__(self, path: Path, every: float | None = None) -> None:
        self.path = path
        self.every = EVERY if every is None else every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="earmark-checkpoint", daemon=True)

    def start(self, conn: sqlite3.Connection) -> None:
        """`conn` stops checkpointing in its commits; the thread does it from now on."""
        conn.execute("PRAGMA wal_autocheckpoint=0")
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=1.0, isolation_level=None)
        except sqlite3.Error:
            return  # the commits' own checkpoints are off: the last close still folds the log
        try:
            while not self._stop.wait(self.every):
                with contextlib.suppress(sqlite3.Error):  # busy: the next round does it
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
