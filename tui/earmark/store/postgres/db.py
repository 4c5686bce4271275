"""One PostgreSQL connection, its transactions, its migrations and who is on the other end.

The user is whoever PostgreSQL authenticated (peer on the local socket, SCRAM or a client
certificate remotely): `session_user`, read once at connect. Nothing the client says can
change it, which is why `--user` is refused on this backend.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import errors as pgerr
from psycopg.rows import dict_row

from earmark.clock import SYSTEM, Clock
from earmark.config import current_user
from earmark.errors import UserError
from earmark.roles import PermissionDenied
from earmark.store.postgres.schema import MIGRATIONS, OWNER, ROLES_SQL
from earmark.store.postgres.target import shown


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class PgDatabase:
    """The connection (shared by the threads of one process under a lock) plus identity."""

    def __init__(self, target: str, *, clock: Clock = SYSTEM, create: bool = False) -> None:
        self.path = shown(target)
        self.target = target
        self.clock = clock
        self._lock = threading.RLock()
        self.conn = connect(target)
        row = self.query_one("SELECT session_user AS me")
        assert row is not None
        self.user: str = row["me"]
        # The name earmark's commands pass when no --user was given (the OS login): it stands
        # for the authenticated user here, whatever it is; any other name is refused.
        self.login = current_user(None)
        self._check_schema(create)

    # -- transactions -------------------------------------------------------------------
    @contextlib.contextmanager
    def tx(self) -> Iterator[psycopg.Cursor[dict[str, Any]]]:
        """The open transaction of this connection if any, else a new one (COMMIT on exit)."""
        with self._lock, translate():
            if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                yield self.conn.cursor()
                return
            with self.conn.transaction():
                yield self.conn.cursor()

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._lock, translate():
            return self.conn.execute(sql, params).fetchall()

    def query_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> dict[str, Any] | None:
        with self._lock, translate():
            return self.conn.execute(sql, params).fetchone()

    def trial_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> dict[str, Any] | None:
        """`query_one` in a transaction always rolled back: what a write would answer, with
        nothing written. None inside another transaction (the rollback would be its too)."""
        with self._lock, translate():
            if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                return None
            with self.conn.transaction(force_rollback=True):
                return self.conn.execute(sql, params).fetchone()

    def close(self) -> None:
        with self._lock, contextlib.suppress(psycopg.Error):
            self.conn.close()

    # -- meta and the pseudonym key -----------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = %s", (key,))
        return row["value"] if row else default

    def set_meta(self, key: str, value: str) -> None:
        """Leads only (PostgreSQL refuses everyone else)."""
        with self.tx() as c:
            c.execute(
                "INSERT INTO meta(key, value) VALUES (%s, %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def secret(self) -> bytes:
        """The pseudonym key. Only leads may read it (PostgreSQL refuses everyone else)."""
        try:
            row = self.query_one("SELECT key FROM secret WHERE id = 1")
        except PermissionDenied:
            raise PermissionDenied(
                f"{self.user} is not a lead: only a lead may use the pseudonym key (import, purge)"
            ) from None
        if row is None:
            raise UserError(f"{self.path} has no pseudonym key: run `earmark init` on it")
        return bytes.fromhex(row["key"])

    # -- schema -------------------------------------------------------------------------
    def applied(self) -> set[str]:
        try:
            row = self.query_one("SELECT to_regclass('earmark.migrations') AS t")
            if row is None or row["t"] is None:
                return set()
            return {r["name"] for r in self.query("SELECT name FROM earmark.migrations")}
        except PermissionDenied:
            raise PermissionDenied(
                f"{self.user} has no earmark role on this database: a lead runs"
                f" `earmark roles grant {self.user} annotator`"
            ) from None

    def _check_schema(self, create: bool) -> None:
        done = self.applied()
        unknown = done - {name for name, _ in MIGRATIONS}
        if unknown:
            raise UserError(
                f"database {self.path} was written by a newer earmark "
                f"(unknown migration {sorted(unknown)[0]}); upgrade earmark"
            )
        missing = [name for name, _ in MIGRATIONS if name not in done]
        if missing and create:
            self.migrate()
        elif missing:
            what = "has no earmark schema" if not done else "needs migrating"
            raise UserError(
                f"{self.path} {what}: the database owner runs `earmark init --db {self.path}`"
            )

    def migrate(self) -> list[str]:
        """Create roles and apply every missing migration as the owner role."""
        applied: list[str] = []
        for attempt in range(5):  # group roles are cluster-wide: another init may race us
            try:
                with self.tx() as cur:
                    cur.execute(ROLES_SQL)
                break
            except (psycopg.errors.UniqueViolation, psycopg.errors.InternalError):
                if attempt == 4:
                    raise
        with self.tx() as cur:
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtext('earmark.migrate'))"
            )  # two inits at once
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS earmark AUTHORIZATION {OWNER}")
            cur.execute(f"SET LOCAL ROLE {OWNER}")
            cur.execute(
                "CREATE TABLE IF NOT EXISTS earmark.migrations"
                "(name text PRIMARY KEY, applied_at float8 NOT NULL)"
            )
            done = {r["name"] for r in cur.execute("SELECT name FROM earmark.migrations")}
            for name, sql in MIGRATIONS:
                if name in done:
                    continue
                cur.execute(sql)
                cur.execute(
                    "INSERT INTO earmark.migrations(name, applied_at) VALUES (%s, %s)",
                    (name, self.clock.now()),
                )
                applied.append(name)
            cur.execute(
                "INSERT INTO secret(id, key) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",
                (secrets.token_hex(32),),
            )
            cur.execute("GRANT USAGE ON SCHEMA earmark TO earmark_annotator")
            cur.execute("GRANT SELECT ON earmark.migrations TO earmark_annotator")
        return applied


def connect(target: str) -> psycopg.Connection[dict[str, Any]]:
    try:
        conn = psycopg.connect(target, autocommit=True, row_factory=dict_row, connect_timeout=10)
    except psycopg.Error as exc:
        raise UserError(f"cannot connect to PostgreSQL {shown(target)}: {one_line(exc)}") from None
    conn.execute("SET search_path = earmark, pg_catalog")
    return conn


@contextlib.contextmanager
def translate() -> Iterator[None]:
    """PostgreSQL's refusals as earmark's one-line errors (never a traceback)."""
    try:
        yield
    except pgerr.InsufficientPrivilege as exc:
        raise PermissionDenied(f"PostgreSQL refused: {one_line(exc)}") from None
    except psycopg.OperationalError as exc:
        raise UserError(f"PostgreSQL: {one_line(exc)}") from None
