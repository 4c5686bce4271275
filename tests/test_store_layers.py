"""The stores are built from mixins: a method defined in two of them is resolved by the
class's method order, silently. An older `ClipsMixin.start_clip` once shadowed the queue's
(which takes a lease), so a clip opened by paging was held by nobody for good. Every name
defined twice must be a deliberate layer that calls the one below, or a hook."""

from __future__ import annotations

import inspect

import pytest

from earmark.store import SQLiteStore

# name -> why it is defined in more than one class of the store
LAYERED = {
    "clip": "SlotsMixin.clip shows an annotator their own slot over ClipsMixin.clip (super)",
    "_overlap_changed": "BatchesMixin's hook, which SlotsMixin fills in",
    "close": "QueueMixin.close stops the lease heartbeat, then StoreBase.close (super)",
}


def _defined_twice(cls: type) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for c in cls.__mro__:
        for name in c.__dict__:
            if not name.startswith("__"):
                seen.setdefault(name, []).append(c.__name__)
    return {n: cs for n, cs in seen.items() if len(cs) > 1}


def _stores() -> list[type]:
    stores: list[type] = [SQLiteStore]
    try:
        from earmark.store.postgres.store import PgStore
    except ImportError:  # the postgres extra is not installed
        return stores
    return [*stores, PgStore]


@pytest.mark.parametrize("store", _stores(), ids=lambda c: c.__name__)
def test_no_method_of_a_store_is_shadowed_by_accident(store):
    twice = _defined_twice(store)
    assert set(twice) <= set(LAYERED), f"defined in several mixins: {twice}"
    for name in twice:
        first = getattr(store, name)
        source = inspect.getsource(first)
        assert "super()" in source or name == "_overlap_changed", (name, LAYERED[name])
