"""Batch settings and the finished-slot reader on a real PostgreSQL, each actor its own login:
the lead-only rule is PostgreSQL's own (the raw UPDATE as an annotator is refused too)."""

from __future__ import annotations

import pytest

from earmark.clock import FakeClock
from earmark.roles import PermissionDenied
from earmark.store.postgres import open_postgres
from earmark.store.records import BatchSettings, NewClip
from tests.pg.support import PgTest, psycopg


def test_settings_are_stored_checked_and_changed_by_leads_only(pg: PgTest) -> None:
    lead_name, lead_dsn = pg.login("lead")
    lead = open_postgres(lead_dsn, clock=FakeClock())
    ann_name, ann_dsn = pg.login("annotator")
    ann = open_postgres(ann_dsn, clock=FakeClock())
    try:
        batch = lead.batch_id("b")
        lead.add_clips(batch, [NewClip(name=f"c{i}", audio=f"/a/{i}") for i in range(3)])
        assert lead.batch_settings("b") == BatchSettings("b")
        lead.set_batch_settings("b", overlap=2, gold_rate=0.1, review_share=0.25, min_listen=0.8)
        assert ann.batch_settings("b") == BatchSettings("b", 2, 0.1, 0.25, 0.8)
        assert pg.sql("SELECT count(*) FROM earmark.slots")[0][0] == 6  # a slot added per clip
        with pytest.raises(PermissionDenied):
            ann.set_batch_settings("b", overlap=5)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ann.db.conn.execute("UPDATE earmark.batches SET overlap = 5")
        ann.db.conn.rollback()
        lead.set_batch_settings("b", overlap=1)  # nobody holds the second slots: they go
        assert pg.sql("SELECT count(*) FROM earmark.slots")[0][0] == 3
        assert [b.overlap for b in lead.batches()] == [1]
        entry = [e for e in lead.audit_entries() if e.action == "batch_settings"][-1]
        assert entry.actor == lead_name and '"overlap":1' in entry.detail
        assert lead.audit_verify().ok
        assert ann_name != lead_name
    finally:
        lead.close()
        ann.close()


def test_annotations_give_every_finished_slot_and_annotators_only_their_own(pg: PgTest) -> None:
    lead_name, lead_dsn = pg.login("lead")
    lead = open_postgres(lead_dsn, clock=FakeClock())
    people = [pg.login("annotator") for _ in range(2)]
    stores = [open_postgres(dsn, clock=FakeClock()) for _, dsn in people]
    try:
        batch = lead.batch_id("b", overlap=2)
        lead.add_clips(batch, [NewClip(name=f"c{i}", audio=f"/a/{i}") for i in range(3)])
        for (name, _), store in zip(people, stores, strict=True):
            while (cid := store.claim_next(name)) is not None:
                store.submit(cid, f"{name} heard {cid}", name, 1.5)
        seen = list(lead.annotations())
        assert len(seen) == 6 and {a.batch for a in seen} == {"b"}
        assert sorted((a.clip_id, a.annotator) for a in seen) == sorted(
            (cid, name) for cid in (1, 2, 3) for name, _ in people
        )
        assert all(a.text == f"{a.annotator} heard {a.clip_id}" for a in seen)
        own = list(stores[0].annotations())
        assert {a.annotator for a in own} == {people[0][0]} and len(own) == 3
        assert list(lead.annotations("other")) == []
    finally:
        for s in (lead, *stores):
            s.close()
