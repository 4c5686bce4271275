"""Batch settings: given at import, checked, stored, changed later by a lead only (SQLite).

The same rules on PostgreSQL are in tests/pg/test_pg_batches.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from earmark.errors import UserError
from earmark.roles import PermissionDenied
from earmark.store import open_store
from earmark.store.records import BatchSettings

DEMO = Path(__file__).resolve().parents[1] / "demo_data" / "manifest.jsonl"


def _earmark(*args: str, db: Path, user: str | None = "lee") -> subprocess.CompletedProcess[str]:
    who = ["--user", user] if user else []
    return subprocess.run(
        [sys.executable, "-m", "earmark", *args, "--db", str(db), *who],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_flags_are_stored_with_the_batch(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    out = _earmark(
        "import", str(DEMO), "--batch", "b1", "--overlap", "3", "--gold-rate", "0.05",
        "--review-share", "0.2", "--min-listen", "0.8", db=db,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    store = open_store(db, create=False)
    try:
        assert store.batch_settings("b1") == BatchSettings("b1", 3, 0.05, 0.2, 0.8)
        assert store.batches() == [BatchSettings("b1", 3, 0.05, 0.2, 0.8)]
        entries = [e for e in store.audit_entries() if e.action == "batch_settings"]
        assert len(entries) == 1 and json.loads(entries[0].detail)["now"]["overlap"] == 3
        assert store.audit_verify().ok
    finally:
        store.close()


def test_a_batch_imported_without_flags_has_the_defaults(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert _earmark("import", str(DEMO), "--batch", "plain", db=db).returncode == 0
    out = _earmark("batch", "list", "--json", db=db, user=None)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [
        {"name": "plain", "overlap": 1, "gold_rate": 0.0, "review_share": 0.0, "min_listen": 0.0}
    ]


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--overlap", "0", "--overlap must be a whole number from 1 to 20"),
        ("--overlap", "21", "--overlap must be a whole number from 1 to 20"),
        ("--overlap", "2.5", "--overlap must be a whole number from 1 to 20"),
        ("--gold-rate", "1.5", "--gold-rate must be between 0 and 1"),
        ("--review-share", "-0.1", "--review-share must be between 0 and 1"),
        ("--min-listen", "nan", "--min-listen must be between 0 and 1"),
        ("--min-listen", "lots", "--min-listen must be a number"),
    ],
)
def test_a_bad_value_is_one_line_exit_2_and_no_database(
    tmp_path: Path, flag: str, value: str, says: str
) -> None:
    db = tmp_path / "p.db"
    out = _earmark("import", str(DEMO), f"{flag}={value}", db=db)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and says in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    assert not db.exists()  # checked before the database is opened


def test_only_a_lead_changes_settings_and_every_change_is_audited(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert _earmark("import", str(DEMO), "--batch", "b1", db=db).returncode == 0  # lee leads
    assert _earmark("roles", "grant", "ann", "annotator", db=db).returncode == 0
    refused = _earmark("batch", "set", "b1", "--overlap", "2", db=db, user="ann")
    assert refused.returncode == 2 and "only a lead may change batch settings" in refused.stderr
    ok = _earmark("batch", "set", "b1", "--overlap", "2", "--review-share", "0.1", db=db)
    assert ok.returncode == 0, ok.stderr
    assert "b1" in ok.stdout and " 2 " in ok.stdout
    missing = _earmark("batch", "set", "nope", "--overlap", "2", db=db)
    assert missing.returncode == 2 and "no batch named 'nope'" in missing.stderr
    nothing = _earmark("batch", "set", "b1", db=db)
    assert nothing.returncode == 2 and "at least one of" in nothing.stderr
    store = open_store(db, create=False)
    try:
        assert store.batch_settings("b1") == BatchSettings("b1", 2, 0.0, 0.1, 0.0)
        changes = [
            json.loads(e.detail) for e in store.audit_entries() if e.action == "batch_settings"
        ]
        assert changes == [
            {"batch": "b1", "was": {"overlap": 1, "review_share": 0.0},
             "now": {"overlap": 2, "review_share": 0.1}}
        ]  # fmt: skip
        assert [e.actor for e in store.audit_entries() if e.action == "batch_settings"] == ["lee"]
    finally:
        store.close()


def test_the_store_checks_values_and_roles_itself(tmp_path: Path) -> None:
    store = open_store(tmp_path / "p.db")
    try:
        store.ensure_user("lee")
        store.batch_id("b")
        with pytest.raises(UserError, match="between 0 and 1"):
            store.set_batch_settings("b", actor="lee", gold_rate=2)
        with pytest.raises(UserError, match="unknown batch setting"):
            store.set_batch_settings("b", actor="lee", colour=2)
        store.ensure_user("ann")
        with pytest.raises(PermissionDenied):
            store.set_batch_settings("b", actor="ann", overlap=4)
        with pytest.raises(UserError, match="no batch named"):
            store.batch_settings("other")
        assert store.batch_settings("b").overlap == 1
    finally:
        store.close()
