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


HOSTILE_NAME = "mallory\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07"


def _clean_terminal_output(text: str) -> None:
    for bad in ("\x1b", "\x07", "\x9b", "\x9d"):
        assert bad not in text, repr(text)


def test_a_user_name_with_control_characters_is_refused_when_first_seen(tmp_path):
    db = tmp_path / "e.db"
    _many_clips(db, 2)
    for argv in (
        ("roles", "--user", HOSTILE_NAME),
        ("export", "--user", HOSTILE_NAME),
        ("roles", "grant", HOSTILE_NAME, "reviewer"),
        ("init", "--user", "two words"),
    ):
        p = earmark(*argv, "--db", db, cwd=tmp_path)
        assert p.returncode == 2, argv
        assert len(p.stderr.splitlines()) == 1 and "user name" in p.stderr
        _clean_terminal_output(p.stderr + p.stdout)
    store = open_store(db, create=False)
    try:
        assert all("mallory" not in u.name for u in store.users())
    finally:
        store.close()


def test_names_already_stored_reach_no_terminal_raw(tmp_path):
    db = tmp_path / "e.db"
    _many_clips(db, 2)
    store = open_store(db, create=False)
    try:
        store.ensure_user("lead")
        store.ensure_user(HOSTILE_NAME)  # as an older earmark let it in
        store.submit(1, "=cmd|' /C calc'!A0", HOSTILE_NAME, 3.0)
        store.add_flag(1, "distressing", HOSTILE_NAME, note="note \x1b[2J\x1b]0;x\x07")
    finally:
        store.close()
    for argv in (
        ("roles", "--user", "lead"),
        ("stats",),
        ("stats", "--json"),
        ("export", "--format", "csv", "--user", "lead"),
        ("export", "--user", "lead"),
        ("audit", "verify"),
        ("escalations", "--user", "lead"),
    ):
        p = earmark(*argv, "--db", db, cwd=tmp_path)
        assert p.returncode == 0, (argv, p.stderr)
        _clean_terminal_output(p.stdout + p.stderr)
    csv_out = earmark("export", "--format", "csv", "--user", "lead", "--db", db, cwd=tmp_path)
    assert ",'=cmd|" in csv_out.stdout


def test_file_names_in_the_import_summary_are_inert(tmp_path):
    hostile = "x\x1b]0;owned\x07\x1b[2J.wav"
    (tmp_path / hostile).write_bytes(b"RIFF\x00\x00\x00\x00WAVEnope")
    rows = [{"audio": hostile, "id": "1"}, {"audio": "missing\x1b[31m.wav", "id": "2"}]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    p = earmark("import", "m.jsonl", "--db", tmp_path / "e.db", "--user", "lead", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "unplayable" in p.stdout and "not found" in p.stdout
    _clean_terminal_output(p.stdout + p.stderr)


def test_init_names_the_lead_and_the_next_person_is_not(tmp_path):
    db = tmp_path / "e.db"
    p = earmark("init", "--db", db, "--user", "lena", cwd=tmp_path)
    assert p.returncode == 0 and "you are its lead (lena)" in p.stdout
    assert oct(db.stat().st_mode & 0o777) == "0o600"
    p = earmark("init", "--db", db, "--user", "bob", cwd=tmp_path)
    assert p.returncode == 0 and "you are annotator (bob); leads: lena" in p.stdout
    p = earmark("roles", "--db", db, "--user", "carol", cwd=tmp_path)
    assert "carol" in p.stdout
    store = open_store(db, create=False)
    try:
        assert {u.name: u.role for u in store.users()} == {
            "lena": "lead",
            "bob": "annotator",
            "carol": "annotator",
        }
    finally:
        store.close()


def _wav_manifest(tmp_path: Path, n: int) -> Path:
    import numpy as np
    import soundfile as sf

    for i in range(n):
        sf.write(tmp_path / f"{i}.wav", np.zeros(800, dtype="float32"), 16000)
    m = tmp_path / "m.jsonl"
    m.write_text("".join(json.dumps({"audio": f"{i}.wav", "id": f"s{i}"}) + "\n" for i in range(n)))
    return m


def test_an_import_cut_short_is_audited_and_names_its_lead(tmp_path, monkeypatch, capsys):
    import sqlite3

    from earmark import cli
    from earmark.importing import importer as importing

    m = _wav_manifest(tmp_path, 6)
    db = tmp_path / "e.db"
    monkeypatch.setattr(importing, "CHUNK", 2)
    real_add = importing.Importer._flush
    calls = []

    def interrupted(self, *a, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_add(self, *a, **kw)

    monkeypatch.setattr(importing.Importer, "_flush", interrupted)
    assert cli.main(["import", str(m), "--db", str(db), "--user", "lena"]) == 130
    entries = _audit(db)
    imports = [d for a, act, d in entries if act == "import"]
    assert imports and imports[-1]["complete"] is False and imports[-1]["imported"] == 2
    assert [a for a, act, _ in entries if act == "import"] == ["lena"]

    def disk_full(self, *a, **kw):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(importing.Importer, "_flush", disk_full)
    assert cli.main(["import", str(m), "--db", str(db), "--user", "lena"]) == 2
    err = capsys.readouterr().err
    assert "disk is full" in err and len(err.splitlines()) == 1
    assert [d["complete"] for a, act, d in _audit(db) if act == "import"] == [False, False]
    # whoever comes next is not made lead
    assert cli.main(["roles", "--db", str(db), "--user", "bob"]) == 0
    store = open_store(db, create=False)
    try:
        assert store.role_of("lena") == "lead" and store.role_of("bob") == "annotator"
    finally:
        store.close()


def test_a_read_only_database_is_one_clear_line_from_every_command(tmp_path, monkeypatch, capsys):
    import sqlite3

    from earmark import cli
    from earmark.store import db as store_db

    m = _wav_manifest(tmp_path, 2)
    db = tmp_path / "e.db"
    assert cli.main(["import", str(m), "--db", str(db), "--user", "lena"]) == 0
    (tmp_path / "ids.txt").write_text("s0\n")
    real = sqlite3.connect

    def read_only(path, *a, **kw):
        return real(f"file:{path}?mode=ro", *a, uri=True, **kw)

    monkeypatch.setattr(store_db.sqlite3, "connect", read_only)
    capsys.readouterr()
    as_lena = ["--user", "lena"]
    refused = 0
    for argv in (
        ["import", str(m), *as_lena],
        ["init", *as_lena],
        ["export", *as_lena],
        ["export", "--out", str(tmp_path / "x.jsonl"), *as_lena],
        ["roles", "grant", "bob", "reviewer", *as_lena],
        ["roles", *as_lena],
        ["stats"],
        ["audit", "verify"],
        ["escalations", *as_lena],
        ["wellbeing", "--soft", "10", *as_lena],
        ["purge", "--ids", str(tmp_path / "ids.txt"), *as_lena],
    ):
        rc = cli.main([*argv, "--db", str(db)])
        refused += rc == 2
        err = capsys.readouterr().err
        assert "internal error" not in err and "Traceback" not in err, (argv, err)
        if rc != 0:
            assert rc == 2 and len(err.splitlines()) == 1 and "read-only" in err, (argv, err)
        assert not list(tmp_path.glob("crash-*"))
    assert refused >= 7  # every command that writes


def test_purge_ids_removes_the_listed_clips_for_leads_only(tmp_path):
    m = _wav_manifest(tmp_path, 3)
    db = tmp_path / "e.db"
    assert earmark("import", m, "--db", db, "--user", "lena", cwd=tmp_path).returncode == 0
    ids = tmp_path / "ids.txt"
    ids.write_text("# withdrawn this week\ns0\n\ns2\nnever-imported\n")
    p = earmark("purge", "--ids", ids, "--db", db, "--user", "bob", cwd=tmp_path)
    assert p.returncode == 2 and "only a lead" in p.stderr
    p = earmark("purge", "--ids", ids, "--db", db, "--user", "lena", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "purged 2 clips of 3 ids listed" in p.stdout and "never imported" in p.stdout
    store = open_store(db, create=False)
    try:
        assert store.clip_count() == 1
    finally:
        store.close()
    actor, action, detail = _audit(db)[-1]
    assert (actor, action, detail["clips"]) == ("lena", "purge", 2)
    p = earmark("purge", "--ids", tmp_path / "nope.txt", "--db", db, "--user", "lena", cwd=tmp_path)
    assert p.returncode == 2 and len(p.stderr.splitlines()) == 1
