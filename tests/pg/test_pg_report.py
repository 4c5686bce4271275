"""The lead's report on PostgreSQL: the same hand-worked figures as on SQLite, and the server
itself refusing the figures to anyone but a lead."""

from __future__ import annotations

import datetime as dt

import pytest

from earmark.clock import FakeClock
from earmark.roles import PermissionDenied
from earmark.store.postgres import open_postgres
from tests import report_case
from tests.pg.support import PgTest


def test_figures_match_the_hand_worked_case_and_only_a_lead_reads_them(pg: PgTest) -> None:
    clock = FakeClock()
    lead_name, lead_dsn = pg.login("lead")
    ann_name, ann_dsn = pg.login("annotator")
    bob_name, bob_dsn = pg.login("reviewer")
    lead = open_postgres(lead_dsn, clock=clock)
    ann = open_postgres(ann_dsn, clock=clock)
    bob = open_postgres(bob_dsn, clock=clock)
    try:
        report_case.build(lead, ann, bob, lead_name=lead_name, ann_name=ann_name, bob_name=bob_name)
        from earmark.reporting.figures import compute

        report_case.check(compute(lead, tz=dt.UTC), ann=ann_name, bob=bob_name)
        for other in (ann, bob):  # an annotator, and a reviewer who may read plays row by row
            for ask in (
                other.task_times,
                other.wer_by_batch,
                lambda o=other: o.hourly_work(0.0),
                lambda o=other: o.exposure_by_hour(0.0),
            ):
                with pytest.raises(PermissionDenied):
                    ask()
    finally:
        for s in (lead, ann, bob):
            s.close()


def test_listen_rule_on_postgresql_counts_earlier_visits(pg: PgTest) -> None:
    """The listen rule through leases and row-level security: an annotator's earlier plays
    of the clip are read back (their own rows), and nothing is written until enough is heard."""
    from earmark.session import Session
    from earmark.session.heard import ListenFirst
    from earmark.store import NewClip

    clock = FakeClock()
    lead = open_postgres(pg.url, clock=clock)
    lead.add_clips(
        lead.batch_id("b"),
        [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr="guess", duration=10.0) for i in range(2)],
    )
    lead.set_batch_settings("b", min_listen=0.5)
    lead.close()
    name, dsn = pg.login("annotator")
    store = open_postgres(dsn, clock=clock)
    try:
        s = Session(store, name, clock=clock)
        st = s.resume()
        assert st is not None
        s.claim()
        s.log_play(st.clip.name, 0.0, 3.0, 1.0)
        with pytest.raises(ListenFirst, match="30% heard"):
            s.submit("words")
        s.close()  # the play is written by the session's background writer on close
        again = Session(store, name, clock=clock)
        st2 = again.resume()
        assert st2 is not None and st2.clip.id == st.clip.id
        again.log_play(st2.clip.name, 3.0, 5.0, 1.0)  # 0-5 s of 10: half
        assert again.submit("words") is not None
        again.close()
    finally:
        store.close()
