"""Opening the database: owner-only file, WAL, synchronous=FULL, migrations.

Every write a user would call "saved" goes through `Database.write()`, which commits before
returning; with synchronous=FULL in WAL mode the commit is on disk when it returns.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from earmark.clock import SYSTEM, Clock
from earmark.errors import UserError
from earmark.store.schema import MIGRATIONS

Params = tuple[Any, ...] | dict[str, Any]


class Database:
    """One SQLite connection plus the per-database secret; not shared across threads."""

    def __init__(self, path: Path | str, *, clock: Clock = SYSTEM, create: bool = True) -> None:
        self.path = Path(path)
        self.clock = clock
        self.conn = _connect(self.path, create=create)
        self._lock = threading.RLock()
        self._migrate()
        self.secret = self._ensure_secret()

    # -- transactions -----------------------------------------------------------------
    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: BEGIN IMMEDIATE, COMMIT (durable) or ROLLBACK on error."""
        with self._lock:
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

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        with self._lock:
            rows: list[sqlite3.Row] = self.conn.execute(sql, params).fetchall()
            return rows

    def query_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
            return row

    def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def close(self) -> None:
        # under the lock: closing a connection another thread is using crashes the process
        with self._lock, contextlib.suppress(sqlite3.Error):
            self.conn.close()

    # -- meta -------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return str(row[0]) if row else default

    def _ensure_secret(self) -> bytes:
        value = self.get_meta("secret")
        if value is None:
            with self.write() as c:
                c.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('secret', ?)",
                    (secrets.token_hex(32),),
                )
            value = self.get_meta("secret")
        assert value is not None  # inserted just above, in a committed transaction
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
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path} is not an earmark database ({exc})") from None
    finally:
        os.umask(old_umask)
    return conn
