"""The lead's wellbeing limits on PostgreSQL: what a lead sets is what every annotator's
session reads (one query per read), and unset limits read as none."""

from __future__ import annotations

from earmark.store.postgres import open_postgres
from tests.pg.support import PgTest


def test_limits_set_by_the_lead_reach_an_annotator(pg: PgTest) -> None:
    lead = open_postgres(pg.url)
    name, dsn = pg.login("annotator")
    ann = open_postgres(dsn)
    try:
        unset = ann.wellbeing_settings()
        assert (unset["soft_minutes"], unset["hard_minutes"], unset["break_text"]) == (
            None,
            None,
            None,
        )
        lead.set_wellbeing(lead.me, soft_minutes=15, hard_minutes=30, break_text="Call 0800 123")
        got = ann.wellbeing_settings()
        assert (got["soft_minutes"], got["hard_minutes"]) == (15.0, 30.0)
        assert got["break_text"] == "Call 0800 123"
    finally:
        ann.close()
        lead.close()
