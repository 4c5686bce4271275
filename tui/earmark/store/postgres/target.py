"""Telling a PostgreSQL target from a SQLite path, and showing it without its password (the
rules live in earmark.dbtarget, below the store, so configuration can use them too)."""

from __future__ import annotations

from earmark.dbtarget import is_postgres, key_name, shown

__all__ = ["is_postgres", "key_name", "shown"]
