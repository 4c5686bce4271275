"""PostgreSQL's maintained figures: positions, the clip count and the status totals stay equal
to a count made the slow way through claims, submits, skips, unplayable clips, an overlap
change and a purge; and reading them never walks the clips or slots tables."""

from __future__ import annotations

from earmark.clock import FakeClock
from earmark.store.postgres import open_postgres
from earmark.store.records import STATUSES, NewClip
from tests.pg.support import PgTest


def _counted(pg: PgTest) -> dict[str, int]:
    """Each clip's whole status, computed from its slots with count(*), as before."""
    rows = pg.sql(
        "SELECT st, count(*) FROM (SELECT CASE"
        " WHEN c.unplayable_reason IS NOT NULL THEN 'unplayable'"
        " WHEN count(s.id) = 0 THEN 'pending'"
        " WHEN bool_and(s.state IN ('done','skipped')) AND bool_or(s.state = 'done') THEN 'done'"
        " WHEN bool_and(s.state = 'skipped') THEN 'skipped'"
        " WHEN bool_or(s.state <> 'open') THEN 'in_progress' ELSE 'pending' END AS st"
        " FROM earmark.clips c LEFT JOIN earmark.slots s ON s.clip_id = c.id GROUP BY c.id) t"
        " GROUP BY st"
    )
    out = dict.fromkeys(STATUSES, 0)
    out.update({r[0]: int(r[1]) for r in rows})
    return out


def _check(pg: PgTest, store) -> None:
    totals = store.totals()
    assert totals.counts == _counted(pg)
    ((secs, edits, words),) = pg.sql(
        "SELECT coalesce(sum(seconds), 0), coalesce(sum(wer_edits) FILTER (WHERE state = 'done'),"
        " 0), coalesce(sum(wer_words) FILTER (WHERE state = 'done'), 0) FROM earmark.slots"
        " WHERE state IN ('done', 'skipped')"
    )
    assert abs(totals.finished_seconds - float(secs)) < 1e-6
    assert (totals.wer_edits, totals.wer_words) == (int(edits), int(words))
    ids = [r[0] for r in pg.sql("SELECT id FROM earmark.clips ORDER BY id")]
    assert store.clip_count() == len(ids)
    assert [store.position(i) for i in ids] == list(range(1, len(ids) + 1))


def test_maintained_figures_match_a_count(pg: PgTest) -> None:
    clock = FakeClock()
    lead = open_postgres(pg.url, clock=clock)
    people = [pg.login("annotator") for _ in range(2)]
    a, b = (open_postgres(dsn, clock=clock) for _, dsn in people)
    try:
        batch = lead.batch_id("b", overlap=2)
        lead.add_clips(batch, [NewClip(name=f"c{i}", asr="one two", audio="/a") for i in range(8)])
        lead.add_clips(lead.batch_id("u"), [NewClip(name="bad", audio="/b", unplayable_reason="x")])
        lead.add_clips(batch, [NewClip(name="c1", audio="/a")])  # a duplicate burns an id
        lead.add_clips(batch, [NewClip(name="late", audio="/a")])
        _check(pg, lead)
        (an, _), (bn, _) = people
        first = a.claim_next(an)
        _check(pg, lead)
        a.submit(first, "one two three", an, 2.5)
        second = b.claim_next(bn)
        b.skip(second, "no speech", bn, 1.0)
        _check(pg, lead)
        for who, store in ((an, a), (bn, b)):
            for _ in range(3):
                cid = store.claim_next(who)
                store.submit(cid, "one", who, 1.25)
        a.mark_unplayable(a.claim_next(an), "would not decode")
        _check(pg, lead)
        lead.set_batch_settings("b", overlap=3)
        _check(pg, lead)
        lead.purge_clips(["c2", "c5"], actor=lead.me, reason="consent withdrawn")
        _check(pg, lead)
        assert a.totals() == lead.totals()  # the same figures for everyone
    finally:
        for s in (lead, a, b):
            s.close()


def test_reading_the_figures_never_walks_clips_or_slots(pg: PgTest) -> None:
    lead = open_postgres(pg.url, clock=FakeClock())
    try:
        lead.add_clips(lead.batch_id("b"), [NewClip(name=f"c{i}", audio="/a") for i in range(50)])
        pg.sql("ANALYZE")
        with lead.db.tx() as c:
            c.execute("SET LOCAL enable_seqscan = off")  # small tables: ask for the real plan
            for sql in (
                "SELECT coalesce(max(pos), 0) AS n FROM clips",
                "SELECT pos FROM clips WHERE id = 40",
            ):
                plan = " ".join(r["QUERY PLAN"] for r in c.execute("EXPLAIN " + sql).fetchall())
                assert "Seq Scan" not in plan and "Index" in plan, (sql, plan)
            plan = " ".join(
                r["QUERY PLAN"]
                for r in c.execute(
                    "EXPLAIN SELECT status, sum(clips) FROM clip_totals GROUP BY status"
                ).fetchall()
            )
            assert "clips " not in plan and "slots" not in plan, plan
    finally:
        lead.close()


def test_the_audit_chains_json_strings_match_python_for_any_text(pg: PgTest) -> None:
    """The chain is hashed on the server and verified in Python: both must write each string
    the same, the fast path (printable ASCII) and the slow one (everything else)."""
    import json

    samples = [
        "",
        "submit",
        'say "hi" \\ back/slash',
        "2026-12-02T22:00:00.000000Z",
        '{"seconds":1.5,"reason":"no speech"}',
        "tab\there\nnewline\r\x01\x7f",
        "café ünïcode",
        "emoji 🎧 and 中文",
    ]
    for text in samples:
        ((got,),) = pg.sql("SELECT earmark.json_ascii(%s)", (text,))
        assert got == json.dumps(text, ensure_ascii=True), text
