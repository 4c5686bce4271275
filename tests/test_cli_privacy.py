"""Privacy and safety promises of the command line, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from earmark.store import NewClip, open_store

ROOT = Path(__file__).resolve().parent.parent


def earmark(*args: object, cwd: Path, env: dict[str, str] | None = None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("EARMARK_")}
    p = subprocess.run(
        [sys.executable, "-m", "earmark", *map(str, args)],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in p.stderr, p.stderr
    return p


def _many_clips(db: Path, n: int = 3000) -> None:
    store = open_store(db)
    try:
        batch = store.batch_id("b")
        store.add_clips(
            batch,
            [
                NewClip(name=f"c-{i:06d}", audio=f"/nowhere/{i}.wav", asr="a guess " * 20)
                for i in range(n)
            ],
        )
    finally:
        store.close()


def _audit(db: Path) -> list[tuple[str, str, dict]]:
    store = open_store(db, create=False)
    try:
        return [(e.actor, e.action, json.loads(e.detail)) for e in store.audit_entries()]
    finally:
        store.close()


def test_an_export_cut_short_by_its_reader_is_still_audited(tmp_path):
    db = tmp_path / "e.db"
    _many_clips(db)
    p = subprocess.run(
        f"{sys.executable} -m earmark export --db {db} --user lead | head -n 1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 1
    assert "Traceback" not in p.stderr
    actor, action, detail = _audit(db)[-1]
    assert (actor, action, detail["to"], detail["complete"]) == ("lead", "export", "stdout", False)
    assert 1 <= detail["clips"] < 3000


def test_export_out_onto_the_database_is_refused_and_the_database_kept(tmp_path):
    db = tmp_path / "earmark.db"
    _many_clips(db, 5)
    before = db.read_bytes()
    p = earmark("export", "--out", db, "--db", db, cwd=tmp_path)
    assert p.returncode == 2 and "project's own database" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    p = earmark("export", "--out", "earmark.db", "--force", cwd=tmp_path)
    assert p.returncode == 2
    assert db.read_bytes() == before
