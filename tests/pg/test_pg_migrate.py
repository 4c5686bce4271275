"""`earmark migrate`: a SQLite project copied to PostgreSQL keeps its work and its audit chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from earmark.cli import main
from earmark.clock import FakeClock
from earmark.roles import PermissionDenied
from earmark.store import open_store
from earmark.store.clips import NewClip
from earmark.store.postgres import open_postgres
from tests.pg.support import PgTest


def _project(path: Path) -> tuple[int, str]:
    store = open_store(path, clock=FakeClock())
    batch = store.batch_id("b")
    store.add_clips(batch, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr="hi") for i in range(5)])
    store.audit_append("lead", "import", detail={"imported": 5})
    store.start_clip(1, "ann")
    store.submit(1, "hello there", "ann", 3.0)
    store.skip(2, "no speech", "ann", 1.0)
    store.start_clip(3, "ann")
    store.save_draft(3, "ann", "half typed", 4, 2.0)
    store.add_flag(1, "critical", "ann", category="address", note="says street name")
    esc_id = store.raise_escalation(1, "ann", tier="urgent", category="crime", note="n")
    store.grant_role("lead", "rev", "reviewer")
    store.acknowledge_escalation(esc_id, "lead")
    store.log_play("ann", 1, 0.0, 1.5)
    head = store.audit_head()
    store.close()
    return head


def test_migrate_copies_work_and_keeps_the_audit_chain(
    pg: PgTest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "project.db"
    head = _project(src)
    assert main(["migrate", "--from", str(src), "--to", pg.url]) == 0
    out = capsys.readouterr().out
    assert "audit log intact" in out and f"head {head[0]} {head[1]}" in out
    assert "earmark roles grant rev reviewer" in out
    store = open_postgres(pg.url)
    assert store.audit_head() == head
    assert store.audit_verify().ok
    statuses = [c.status for c in store.iter_clips()]
    assert statuses == ["done", "skipped", "in_progress", "pending", "pending"]
    assert next(iter(store.iter_clips())).text == "hello there"
    assert [f.note for f in store.flags_for_clip(1)][0] == "says street name"
    assert store.escalations()[0].state == "acknowledged"
    new = store.add_clips(store.batch_id("more"), [NewClip(name="c9", audio="/a/9.wav")])
    assert new == 1  # the sequences continue after the copied ids
    store.audit_append(store.me, "after_copy")
    assert store.audit_verify().ok
    store.close()
    assert main(["migrate", "--from", str(src), "--to", pg.url]) == 2  # not into a full one
    assert "already holds a project" in capsys.readouterr().err


def test_migrate_refuses_bad_input_in_one_line(
    pg: PgTest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--from", str(tmp_path / "none.db"), "--to", pg.url]) == 2
    assert "no such SQLite file" in capsys.readouterr().err
    assert main(["migrate", "--from", str(tmp_path / "x.db"), "--to", "x.db"]) == 2
    assert "not a postgresql://" in capsys.readouterr().err


def test_user_flag_is_refused_on_postgres(pg: PgTest, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["escalations", "--db", pg.url, "--user", "lead"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--user is refused on PostgreSQL" in err


DEMO = Path(__file__).resolve().parents[2] / "demo_data" / "manifest.jsonl"


def test_a_lead_imports_and_an_annotator_may_not(
    pg: PgTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EARMARK_KEY", str(tmp_path / "lead.key"))
    _, lead = pg.login("lead")
    assert main(["import", "--db", lead, str(DEMO)]) == 0, capsys.readouterr().err
    assert "imported 21 clips" in capsys.readouterr().out
    _, annotator = pg.login("annotator")
    monkeypatch.setenv("EARMARK_KEY", str(tmp_path / "ann.key"))
    assert main(["import", "--db", annotator, str(DEMO)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    store = open_postgres(annotator)  # with a key or without: the server refuses the writes
    with pytest.raises(PermissionDenied, match="PostgreSQL refused"):
        store.batch_id("mine")
    with pytest.raises(PermissionDenied, match="PostgreSQL refused"):
        store.db.set_meta("pseudonym_key_fingerprint", "0" * 16)
    store.close()
    assert main(["stats", "--db", annotator]) == 0
    assert main(["export", "--db", annotator]) == 0


def test_init_makes_the_schema_and_purge_is_for_leads(
    pg_admin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import secrets as _secrets

    name = f"emk_t_{_secrets.token_hex(5)}"
    pg_admin.execute(f"CREATE DATABASE {name}")
    test = PgTest(name=name, admin=pg_admin)
    try:
        assert main(["init", "--db", test.url]) == 0
        assert "ready" in capsys.readouterr().out
        assert main(["init", "--db", test.url]) == 0  # again: nothing to migrate
        monkeypatch.setenv("EARMARK_KEY", str(tmp_path / "lead.key"))
        _, lead = test.login("lead")
        _, annotator = test.login("annotator")
        assert main(["import", "--db", lead, str(DEMO)]) == 0
        ids = tmp_path / "withdrawn.txt"
        ids.write_text("va-2026-11-0001\nva-2026-11-0002\n")
        assert main(["purge", "--db", annotator, "--ids", str(ids)]) == 2
        assert "only a lead may use the pseudonym key" in capsys.readouterr().err
        assert main(["purge", "--db", lead, "--ids", str(ids)]) == 0
        store = open_postgres(test.url)
        assert store.clip_count() == 19 and store.audit_verify().ok
        store.close()
    finally:
        pg_admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        for user in test.logins:
            pg_admin.execute(f'DROP ROLE IF EXISTS "{user}"')
