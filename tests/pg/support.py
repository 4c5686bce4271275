"""What the PostgreSQL tests share: one test's database and the logins made for it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (extra 'postgres')")


@dataclass
class PgTest:
    """One test's database: its name, an owner connection, and logins created for it."""

    name: str
    admin: psycopg.Connection
    logins: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"postgresql:///{self.name}"

    def login(self, role: str | None, *, name: str | None = None) -> tuple[str, str]:
        """A new login (password, over TCP: SCRAM) holding `role`; returns (name, conninfo)."""
        user = name or f"emk_{secrets.token_hex(4)}"
        password = secrets.token_hex(12)
        self.admin.execute(f"CREATE ROLE \"{user}\" LOGIN PASSWORD '{password}'")
        self.logins.append(user)
        if role is not None:
            admin = " WITH ADMIN OPTION" if role == "lead" else ""  # as `earmark roles grant`
            self.admin.execute(f'GRANT earmark_{role} TO "{user}"{admin}')
        return user, f"host=127.0.0.1 dbname={self.name} user={user} password={password}"

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(f"dbname={self.name}", autocommit=True) as c:
            cur = c.execute(query, params or None)
            return cur.fetchall() if cur.description else []
