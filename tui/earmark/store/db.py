"""Opening the database: owner-only file, WAL, synchronous=FULL, migrations.

Every write a user would call "saved" goes through `Database.write()`, which commits before
returning; with synchronous=FULL in WAL mode the commit is on disk when it returns.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from earmark.clock import SYSTEM, Clock
from earmark.errors import UserError
from earmark.store.checkpoints import Checkpointer
from earmark.store.schema import MIGRATIONS

Params = tuple[Any, ...] | dict[str, Any]
BUSY_TIMEOUT_MS = 10_000
BULK_ROWS = 100_000  # clips per commit of an import into a project nobody has open
BULK_SECONDS = 8.0  # ... or sooner: someone opening the project waits at most this long
BULK_CACHE_KIB = 65_536  # page cache while importing: the name index of 1M clips fits


class Database:
    """One SQLite connection; not shared across threads. The pseudonym key is *not* here: it
    lives in a file beside the database (earmark/manifest/pseudonyms.py)."""

    def __init__(self, path: Path | str, *, clock: Clock = SYSTEM, create: bool = True) -> None:
        self.path = Path(path)
        self.clock = clock
        self.conn = _connect(self.path, create=create)
        self._lock = threading.RLock()
        self._bulk: _Bulk | None = None
        self._checkpoints: Checkpointer | None = None
        self._migrate()

    def checkpoint_in_background(self) -> None:
        """For a long-lived session: WAL checkpoints on a thread, never in a commit
        (earmark/store/checkpoints.py)."""
        with self._lock:
            if self._checkpoints is None:
                self._checkpoints = Checkpointer(self.path)
                self._checkpoints.start(self.conn)

    # -- transactions -----------------------------------------------------------------
    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: BEGIN IMMEDIATE, COMMIT (durable) or ROLLBACK on error."""
        with self._lock:
            if self._bulk_joined():
                yield self.conn  # part of a bulk write's step: bulk_step commits it
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """This thread's open write transaction if there is one, else a new one.

        Lets a step that must commit together with its caller (an audit line with a submit)
        join the caller's transaction, and still stand alone when called on its own.
        """
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
            else:
                with self.write() as c:
                    yield c

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Many inserts (an import) written as a few large transactions when nobody else has
        the database open; as before, one transaction per step, when someone does.

        Why: every commit rewrites each page it touched, and the unique index on clip names
        is keyed by a random pseudonym, so a commit of 1,000 clips touches about a thousand
        index pages; at a million clips that wrote ~14 times the database's size. Alone, the
        import switches to a rollback journal (pages appended past the file's end need no
        journal, and nothing is written twice as in WAL) with a page cache the index fits
        in, and commits every BULK_ROWS clips or BULK_SECONDS. Someone opening the project
        meanwhile waits for the current step (SQLite's busy timeout covers it) and turns WAL
        back on, after which the import commits every step again.
        """
        with self._lock:
            if self._bulk is not None or self.conn.in_transaction:
                yield
                return
            self.conn.execute("PRAGMA busy_timeout=0")  # others have it open: do not wait
            try:
                alone = self.conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
            except sqlite3.OperationalError:
                alone = False
            finally:
                self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cache = self.conn.execute("PRAGMA cache_size").fetchone()[0]
            self._bulk = _Bulk(alone=alone)
            if alone:
                self.conn.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")
            finally:
                self._bulk = None
                self.conn.execute(f"PRAGMA cache_size={int(cache)}")
                if alone:
                    with contextlib.suppress(sqlite3.OperationalError):
                        self.conn.execute("PRAGMA journal_mode=WAL").fetchone()

    def bulk_step(self, rows: int) -> None:
        """After a bulk write of `rows` rows: commit when the step is big or old enough.

        The next step begins with the next write, not now: the gap (the importer reading
        its next chunk) is where someone waiting to open the project gets in."""
        bulk = self._bulk
        if bulk is None or not bulk.open:
            return
        bulk.rows += rows
        if bulk.rows < BULK_ROWS and time.monotonic() - bulk.started < BULK_SECONDS:
            return
        with self._lock:
            self.conn.execute("COMMIT")
            bulk.open = False

    def _bulk_joined(self) -> bool:
        """Whether a write joins the bulk step (beginning one if due); under the lock."""
        bulk = self._bulk
        if bulk is None or not bulk.alone:
            return False
        if not bulk.open:
            if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "delete":
                bulk.alone = False  # someone opened the project (back in WAL): step by step
                return False
            bulk.begin(self.conn)
        return True

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        with self._lock:
            rows: list[sqlite3.Row] = self.conn.execute(sql, params).fetchall()
            return rows

    def query_apart(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """`query` on a read-only connection of its own, for a long read (the suggester's
        start-up slice) that must not hold up this connection, which the screen's reads and
        submits wait for; WAL lets it read beside a writer. Falls back to `query`."""
        try:
            conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro",
                uri=True,
                timeout=10,
                check_same_thread=False,
            )
        except (sqlite3.Error, ValueError):
            return self.query(sql, params)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            rows: list[sqlite3.Row] = conn.execute(sql, params).fetchall()
            return rows
        except sqlite3.OperationalError:
            return self.query(sql, params)
        finally:
            conn.close()

    def query_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
            return row

    def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()
        # under the lock: closing a connection another thread is using crashes the process
        with self._lock, contextlib.suppress(sqlite3.Error):
            self.conn.close()

    # -- meta -------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return str(row[0]) if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def delete_meta(self, key: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM meta WHERE key = ?", (key,))

    @property
    def secret(self) -> bytes:
        """A pseudonym key kept inside the database by an older earmark; a newer one keeps it
        in a 0600 file beside the database instead (earmark/manifest/pseudonyms.py)."""
        value = self.get_meta("secret")
        if value is None:
            raise UserError(
                f"the pseudonym key of {self.path} is not in the database; "
                f"it is the file {self.path}.key (or $EARMARK_KEY)"
            )
        return bytes.fromhex(value)

    def _migrate(self) -> None:
        c = self.conn
        c.execute("CREATE TABLE IF NOT EXISTS migrations(name TEXT PRIMARY KEY, applied_at REAL)")
        done = {r[0] for r in c.execute("SELECT name FROM migrations")}
        known = {name for name, _ in MIGRATIONS}
        unknown = done - known
        if unknown:
            raise UserError(
                f"database {self.path} was written by a newer earmark "
                f"(unknown migration {sorted(unknown)[0]}); upgrade earmark"
            )
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            # executescript would COMMIT implicitly; wrap each migration atomically.
            with self.write() as conn:
                for statement in _split_sql(sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO migrations(name, applied_at) VALUES (?, ?)",
                    (name, self.clock.now()),
                )


@dataclass
class _Bulk:
    alone: bool
    open: bool = False
    rows: int = 0
    started: float = 0.0

    def begin(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        self.open, self.rows, self.started = True, 0, time.monotonic()


def _split_sql(script: str) -> list[str]:
    statements: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


def _connect(path: Path, *, create: bool) -> sqlite3.Connection:
    if not path.exists():
        if not create:
            raise UserError(f"no database at {path} (run `earmark import` first, or pass --db)")
        if not path.parent.exists():
            raise UserError(f"cannot create database {path}: folder {path.parent} does not exist")
        try:
            # Create it owner-only before SQLite touches it; the -wal/-shm files follow its mode.
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
        except FileExistsError:
            pass
        except OSError as exc:
            raise UserError(f"cannot create database {path}: {exc.strerror}") from None
    elif path.is_dir():
        raise UserError(f"--db {path} is a folder, not a database file")
    old_umask = os.umask(0o077)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path} is not an earmark database ({exc})") from None
    finally:
        os.umask(old_umask)
    return conn
