"""Roles: first user is lead, leads grant, the last lead stays, and the CLI around it."""

import pytest

from earmark.cli import main
from earmark.errors import UserError
from earmark.roles import PermissionDenied


def test_first_user_is_lead_then_annotators(store):
    assert store.ensure_user("alice") == "lead"
    assert store.ensure_user("bob") == "annotator"
    assert store.ensure_user("alice") == "lead"
    assert [(u.name, u.role) for u in store.users()] == [("alice", "lead"), ("bob", "annotator")]


def test_only_leads_grant(store):
    store.ensure_user("alice")
    store.ensure_user("bob")
    with pytest.raises(PermissionDenied, match="only a lead"):
        store.grant_role("bob", "bob", "lead")
    assert store.role_of("bob") == "annotator"
    store.grant_role("alice", "bob", "reviewer")
    assert store.role_of("bob") == "reviewer"
    with pytest.raises(UserError, match="unknown role"):
        store.grant_role("alice", "bob", "admin")
    grants = [e for e in store.audit_entries() if e.action == "role_grant"]
    assert len(grants) == 1 and '"was":"annotator"' in grants[0].detail


def test_the_last_lead_cannot_step_down(store):
    store.ensure_user("alice")
    with pytest.raises(UserError, match="only lead"):
        store.grant_role("alice", "alice", "annotator")
    store.grant_role("alice", "carol", "lead")
    store.grant_role("carol", "alice", "reviewer")
    assert store.role_of("alice") == "reviewer"


def test_cli_roles_list_and_grant(db_path, store, capsys):
    store.ensure_user("alice")
    db = ["--db", str(db_path)]
    assert main(["roles", "grant", "bob", "reviewer", "--user", "alice", *db]) == 0
    assert "bob is now reviewer" in capsys.readouterr().out
    assert main(["roles", "grant", "carol", "lead", "--user", "bob", *db]) == 2
    err = capsys.readouterr().err
    assert err.startswith("earmark: bob is reviewer: only a lead") and err.count("\n") == 1
    assert main(["roles", "grant", "carol", "boss", "--user", "alice", *db]) == 2
    assert main(["roles", *db]) == 0
    out = capsys.readouterr().out
    assert "alice" in out and "lead" in out and "bob" in out and "reviewer" in out


def test_cli_first_user_of_a_database_via_login_name(db_path, store, capsys, monkeypatch):
    monkeypatch.setenv("USER", "someone")
    monkeypatch.setenv("LOGNAME", "someone")
    assert main(["roles", "--db", str(db_path)]) == 0
    assert store.role_of("someone") == "lead"
