"""A real PostgreSQL for the tests: one fresh database per test, logins made on demand.

The tests connect as a superuser through the local socket (peer authentication; as root
the role `root` is created once with Debian's `runuser -u postgres createuser`), or through
$EARMARK_TEST_PG. Every database and login they make carries a random name and is dropped
afterwards, so runs never collide. Without a reachable server the tests skip and say why.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.pg.support import PgTest, psycopg  # skips these tests when psycopg is missing

ADMIN = os.environ.get("EARMARK_TEST_PG", "dbname=postgres")
START = "pg_ctlcluster --skip-systemctl-redirect 15 main start"


def _admin() -> psycopg.Connection | str:
    try:
        return psycopg.connect(ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        first = " ".join(str(exc).split())
    if os.geteuid() == 0 and shutil.which("runuser") and "EARMARK_TEST_PG" not in os.environ:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", "createuser", "-s", "root"],
            capture_output=True,
            check=False,
        )
        try:
            return psycopg.connect(ADMIN, autocommit=True, connect_timeout=5)
        except psycopg.Error as exc:
            first = " ".join(str(exc).split())
    return first


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[psycopg.Connection]:
    conn = _admin()
    if isinstance(conn, str):
        pytest.skip(f"no PostgreSQL reachable ({conn}); as root: {START}")
    row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    if not row or not row[0]:
        pytest.skip("the test PostgreSQL login is not a superuser (set EARMARK_TEST_PG)")
    yield conn
    conn.close()


@pytest.fixture
def pg(pg_admin: psycopg.Connection) -> Iterator[PgTest]:
    """A fresh database with earmark's schema (as `earmark init` makes it)."""
    from earmark.store.postgres import open_postgres

    name = f"emk_t_{secrets.token_hex(5)}"
    pg_admin.execute(f"CREATE DATABASE {name}")
    test = PgTest(name=name, admin=pg_admin)
    try:
        open_postgres(test.url, create=True).close()
        yield test
    finally:
        pg_admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        for user in test.logins:
            with contextlib.suppress(psycopg.Error):
                pg_admin.execute(f'DROP ROLE IF EXISTS "{user}"')
