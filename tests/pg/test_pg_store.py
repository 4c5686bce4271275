"""The PostgreSQL backend against a real server: queue, leases, privileges, audit.

Each actor connects as its own login (SCRAM over TCP), so every refusal here is
PostgreSQL's own, not earmark's Python: the attacker's tests run raw SQL as the role they
restrict. Identity through peer authentication (OS users) is in test_pg_identity.py.
"""

from __future__ import annotations

import pytest

from earmark import audit
from earmark.clock import FakeClock
from earmark.errors import UserError
from earmark.roles import PermissionDenied
from earmark.store.clips import NewClip
from earmark.store.postgres import open_postgres
from earmark.store.postgres.schema import MIGRATIONS
from tests.pg.support import PgTest, psycopg


def _clips(pg: PgTest, n: int, *, overlap: int = 1, clock=None):
    store = open_postgres(pg.url, clock=clock or FakeClock())
    try:
        batch = store.batch_id("b", overlap=overlap)
        store.add_clips(batch, [NewClip(name=f"c{i:04d}", audio=f"/a/{i}.wav") for i in range(n)])
        return store.clip_count()
    finally:
        store.close()


def _as(pg: PgTest, role: str, clock=None, **kw):
    name, dsn = pg.login(role)
    return name, open_postgres(dsn, clock=clock or FakeClock(), **kw)


def test_init_creates_schema_roles_and_is_rerunnable(pg: PgTest) -> None:
    roles = {r[0] for r in pg.sql("SELECT rolname FROM pg_roles WHERE rolname LIKE 'earmark_%'")}
    assert {"earmark_annotator", "earmark_reviewer", "earmark_lead", "earmark_owner"} <= roles
    names = [r[0] for r in pg.sql("SELECT name FROM earmark.migrations ORDER BY name")]
    assert names[:4] == ["0001_core", "0002_functions", "0003_privileges", "0004_words"]
    assert "batch_settings" in names
    assert names == sorted(name for name, _sql in MIGRATIONS)
    again = open_postgres(pg.url, create=True)
    assert again.db.migrate() == []
    again.close()
    forced = pg.sql(
        "SELECT relname FROM pg_class WHERE relforcerowsecurity AND relnamespace ="
        " 'earmark'::regnamespace ORDER BY relname"
    )
    assert {r[0] for r in forced} >= {"drafts", "escalations", "flag_notes", "slots"}


def test_annotator_cannot_open_a_database_without_schema(pg_admin) -> None:
    with pytest.raises(UserError, match="earmark init"):
        open_postgres("postgresql:///postgres")


def test_two_annotators_never_claim_the_same_clip(pg: PgTest) -> None:
    _clips(pg, 6)
    a_name, a = _as(pg, "annotator")
    b_name, b = _as(pg, "annotator")
    got_a, got_b = [], []
    for _ in range(3):
        ca, cb = a.next_open(a_name, 0), b.next_open(b_name, 0)
        assert ca is not None and cb is not None
        a.submit(ca, "x", a_name, 1.0)
        b.submit(cb, "y", b_name, 1.0)
        got_a.append(ca)
        got_b.append(cb)
    assert not set(got_a) & set(got_b)
    assert a.next_open(a_name, 0) is None  # every slot finished
    a.close()
    b.close()


def test_overlap_gives_each_clip_two_different_annotators(pg: PgTest) -> None:
    _clips(pg, 3, overlap=2)
    a_name, a = _as(pg, "annotator")
    b_name, b = _as(pg, "annotator")
    done: dict[int, list[str]] = {}
    for store, name in ((a, a_name), (b, b_name)) * 3:
        cid = store.next_open(name, 0)
        assert cid is not None
        store.submit(cid, f"text by {name}", name, 1.0)
        done.setdefault(cid, []).append(name)
    assert a.next_open(a_name, 0) is None and b.next_open(b_name, 0) is None
    assert all(sorted(v) == sorted([a_name, b_name]) for v in done.values())
    with pytest.raises(psycopg.errors.UniqueViolation):
        pg.sql("UPDATE earmark.slots SET annotator = %s", (a_name,))
    a.close()
    b.close()


def test_clips_others_finished_come_first(pg: PgTest) -> None:
    _clips(pg, 5, overlap=2)
    a_name, a = _as(pg, "annotator")
    b_name, b = _as(pg, "annotator")
    first = a.next_open(a_name, 0)
    assert first is not None
    a.submit(first, "done once", a_name, 1.0)
    assert b.next_open(b_name, 0) == first
    a.close()
    b.close()


def test_expired_lease_is_reclaimed_and_the_late_submit_refused_keeping_the_text(
    pg: PgTest,
) -> None:
    _clips(pg, 1)
    clock = FakeClock()
    a_name, a = _as(pg, "annotator", clock, lease_seconds=60)
    b_name, b = _as(pg, "annotator", clock, lease_seconds=60)
    cid = a.next_open(a_name, 0)
    assert cid is not None
    assert b.next_open(b_name, 0) is None  # held
    clock.advance(61)
    assert b.next_open(b_name, 0) == cid  # the lease ran out: claimable again
    with pytest.raises(UserError, match="another annotator took it; your text is kept"):
        a.submit(cid, "my late words", a_name, 5.0)
    draft = a.draft(cid)
    assert draft is not None and draft.text == "my late words"
    assert b.draft(cid) is None  # and B cannot see it
    b.submit(cid, "b's words", b_name, 1.0)
    a.close()
    b.close()


def test_open_clip_keeps_its_lease_when_drafts_are_saved(pg: PgTest) -> None:
    _clips(pg, 1)
    clock = FakeClock()
    a_name, a = _as(pg, "annotator", clock, lease_seconds=60)
    b_name, b = _as(pg, "annotator", clock, lease_seconds=60)
    cid = a.next_open(a_name, 0)
    assert cid is not None
    for _ in range(3):
        clock.advance(40)
        a.save_draft(cid, a_name, "typing", 6, 10.0)  # renews
        assert b.next_open(b_name, 0) is None
    a.submit(cid, "typed", a_name, 12.0)
    a.close()
    b.close()


def test_annotator_reads_only_their_own_drafts_transcripts_escalations(pg: PgTest) -> None:
    _clips(pg, 2)
    a_name, a = _as(pg, "annotator")
    b_name, b = _as(pg, "annotator")
    ca = a.next_open(a_name, 0)
    assert ca is not None
    a.save_draft(ca, a_name, "secret draft", 3, 1.0)
    esc_id = a.raise_escalation(ca, a_name, tier="urgent", category="crime", note="he said X")
    a.add_flag(ca, "distressing", a_name, note="my private note")
    a.submit(ca, "a transcript", a_name, 2.0)
    assert b.escalation(esc_id) is None
    assert b.escalations() == []
    assert b.draft(ca) is None
    assert all(f.note == "" for f in b.flags_for_clip(ca))
    assert b.content_warning(ca) is not None  # b still learns the clip is distressing
    assert a.escalation(esc_id) is not None and a.escalation(esc_id).note == "he said X"
    raw = psycopg.connect(b.db.target)
    for query in (
        "SELECT text FROM earmark.slots WHERE text IS NOT NULL",
        "SELECT text FROM earmark.revisions",
        "SELECT note FROM earmark.escalations",
        "SELECT note FROM earmark.flag_notes",
        "SELECT text FROM earmark.drafts",
    ):
        assert raw.execute(query).fetchall() == [], query
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        raw.execute("SELECT key FROM earmark.secret")
    raw.close()
    with pytest.raises(PermissionDenied, match="only a lead may use the pseudonym key"):
        _ = b.db.secret
    a.close()
    b.close()


def test_audit_accepts_only_appends_through_the_function(pg: PgTest) -> None:
    _clips(pg, 1)
    a_name, a = _as(pg, "annotator")
    lead_name, lead = _as(pg, "lead")
    a.audit_append(a_name, "note_to_self", None, {"x": 1})
    raw = psycopg.connect(a.db.target, autocommit=True)
    forged = (
        "INSERT INTO earmark.audit VALUES (99, 'now', 'someone', 'grant', NULL, '{}', 'x', 'y')"
    )
    for bad in (forged, "UPDATE earmark.audit SET actor = 'x'", "DELETE FROM earmark.audit"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute(bad)
    # the function takes the actor from the session, whatever the client says
    raw.execute("SELECT earmark.audit_append('forged', NULL, '{}')")
    raw.close()
    raw = psycopg.connect(lead.db.target, autocommit=True)
    for bad in ("UPDATE earmark.audit SET actor = 'x'", "DELETE FROM earmark.audit"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute(bad)
    raw.close()
    entries = lead.audit_entries()
    assert [e.actor for e in entries if e.action == "forged"] == [a_name]
    assert lead.audit_verify().ok
    with pytest.raises(UserError, match="cannot act as"):
        a.audit_append(lead_name, "as_the_lead")
    with pytest.raises(PermissionDenied):
        a.audit_verify()  # annotators do not read the log
    pg.sql("UPDATE earmark.audit SET actor = 'tampered' WHERE seq = 1")  # the owner can
    verdict = lead.audit_verify()
    assert not verdict.ok and verdict.bad_seq == 1
    a.close()
    lead.close()


def test_audit_chain_matches_python_for_unusual_text(pg: PgTest) -> None:
    lead_name, lead = _as(pg, "lead")
    lead.audit_append(lead_name, 'odd "act"\\ \n\t\x01 é 𝄞', "clip-ü", {"k": "v"})
    entry = lead.audit_entries()[-1]
    assert entry.hash == audit.entry_hash(entry.fields())
    assert lead.audit_verify().ok
    lead.close()


def test_only_leads_grant_roles_and_postgres_enforces_it(pg: PgTest) -> None:
    a_name, a = _as(pg, "annotator")
    r_name, r = _as(pg, "reviewer")
    lead_name, lead = _as(pg, "lead")
    target, _ = pg.login(None)
    for store, name in ((a, a_name), (r, r_name)):
        with pytest.raises(PermissionDenied, match="PostgreSQL refused"):
            store.grant_role(name, target, "reviewer")
        raw = psycopg.connect(store.db.target, autocommit=True)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute(f'GRANT earmark_lead TO "{name}"')
        raw.close()
    assert lead.role_of(target) is None
    lead.grant_role(lead_name, target, "reviewer")
    assert lead.role_of(target) == "reviewer"
    lead.grant_role(lead_name, target, "annotator")
    assert lead.role_of(target) == "annotator"
    assert target in {u.name for u in lead.users()}
    with pytest.raises(UserError, match="createuser"):
        lead.grant_role(lead_name, "nobody_like_this", "annotator")
    for s in (a, r, lead):
        s.close()


def test_two_person_rule_needs_two_authenticated_reviewers(pg: PgTest) -> None:
    _clips(pg, 1)
    a_name, a = _as(pg, "annotator")
    r1_name, r1 = _as(pg, "reviewer")
    r2_name, r2 = _as(pg, "reviewer")
    cid = a.next_open(a_name, 0)
    esc_id = a.raise_escalation(cid, a_name, tier="imminent", category="threat to life")
    with pytest.raises(PermissionDenied):
        a.acknowledge_escalation(esc_id, a_name)
    assert r1.resolve_escalation(esc_id, r1_name, "referred_law_enforcement") == (
        "pending_confirmation"
    )
    with pytest.raises(UserError):
        r1.confirm_escalation(esc_id, r1_name)
    with pytest.raises(UserError, match="cannot act as"):
        r1.confirm_escalation(esc_id, r2_name)  # --user cannot borrow the second reviewer
    raw = psycopg.connect(r1.db.target, autocommit=True)
    with pytest.raises(psycopg.errors.CheckViolation):
        raw.execute(
            "UPDATE earmark.escalations SET state = 'resolved', confirmed_by = %s", (r1_name,)
        )
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        raw.execute(
            "UPDATE earmark.escalations SET state = 'resolved', confirmed_by = %s", (r2_name,)
        )
    raw.close()
    raw = psycopg.connect(a.db.target, autocommit=True)  # the annotator: no UPDATE at all
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        raw.execute("UPDATE earmark.escalations SET state = 'resolved'")
    raw.close()
    r2.confirm_escalation(esc_id, r2_name)
    done = r2.escalation(esc_id)
    assert done is not None and done.state == "resolved" and done.confirmed_by == r2_name
    assert r2.audit_verify().ok
    for s in (a, r1, r2):
        s.close()


def test_user_without_a_role_is_told_what_to_ask_for(pg: PgTest) -> None:
    name, dsn = pg.login(None)
    with pytest.raises(PermissionDenied, match=f"earmark roles grant {name} annotator"):
        open_postgres(dsn)


def test_routing_applies_at_claim_time(pg: PgTest) -> None:
    _clips(pg, 2, overlap=2)
    a_name, a = _as(pg, "annotator")
    b_name, b = _as(pg, "annotator")
    first = a.next_open(a_name, 0)
    a.add_flag(first, "distressing", a_name)
    a.submit(first, "x", a_name, 1.0)
    b.set_opt_out(b_name, "distressing")
    got = b.next_open(b_name, 0)
    assert got is not None and got != first
    a.close()
    b.close()
