"""The pseudonym key lives in a 0600 file apart from the database it protects."""

from __future__ import annotations

import json
import os
import sqlite3

import numpy as np
import pytest
import soundfile as sf

from earmark.errors import UserError
from earmark.importing import import_manifests
from earmark.manifest import key_path, pseudonym
from earmark.store import open_store


def _manifest(tmp_path, ids):
    sf.write(tmp_path / "a.wav", np.zeros(3200, dtype="float32"), 16000)
    m = tmp_path / "m.jsonl"
    m.write_text("".join(json.dumps({"audio": "a.wav", "id": i}) + "\n" for i in ids))
    return m


def test_a_copy_of_the_database_alone_cannot_recompute_the_pseudonyms(tmp_path):
    db = tmp_path / "e.db"
    m = _manifest(tmp_path, ["src-1", "src-2"])
    store = open_store(db)
    import_manifests(store, [m])
    names = {c.name for c in store.iter_clips()}
    store.close()

    key_file = key_path(db)
    assert key_file == tmp_path / "e.db.key"
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    key = bytes.fromhex(key_file.read_text().strip())
    assert names == {pseudonym(key, "src-1"), pseudonym(key, "src-2")}
    # nothing in the database file (meta included) is the key, in hex or raw
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for key_name, value in conn.execute("SELECT key, value FROM meta"):
        assert value != key.hex(), key_name
    conn.close()
    assert key.hex().encode() not in db.read_bytes()


def test_reimport_with_the_key_adds_nothing_twice(tmp_path):
    db = tmp_path / "e.db"
    m = _manifest(tmp_path, ["src-1"])
    store = open_store(db)
    assert import_manifests(store, [m]).imported == 1
    assert import_manifests(store, [m]).duplicates == 1
    store.close()


def test_a_lost_key_is_refused_with_a_clear_line_and_new_key_starts_afresh(tmp_path):
    db = tmp_path / "e.db"
    m = _manifest(tmp_path, ["src-1"])
    store = open_store(db)
    import_manifests(store, [m])
    key_path(db).unlink()
    with pytest.raises(UserError, match="missing.*--new-key"):
        import_manifests(store, [m])
    assert store.clip_count() == 1
    summary = import_manifests(store, [m], new_key=True)
    assert summary.imported == 1  # the new key cannot know the old clip: documented
    store.close()


def test_the_wrong_key_file_is_refused(tmp_path):
    db = tmp_path / "e.db"
    m = _manifest(tmp_path, ["src-1"])
    store = open_store(db)
    import_manifests(store, [m])
    key_path(db).write_text("ab" * 32 + "\n")
    with pytest.raises(UserError, match="not the key"):
        import_manifests(store, [m])
    store.close()


def test_earmark_key_points_the_key_elsewhere(tmp_path, monkeypatch):
    elsewhere = tmp_path / "keys"
    elsewhere.mkdir()
    monkeypatch.setenv("EARMARK_KEY", str(elsewhere / "project.key"))
    db = tmp_path / "e.db"
    store = open_store(db)
    import_manifests(store, [_manifest(tmp_path, ["src-1"])])
    store.close()
    assert (elsewhere / "project.key").is_file()
    assert not (tmp_path / "e.db.key").exists()


def test_a_key_kept_inside_an_older_database_is_moved_out(tmp_path):
    db = tmp_path / "e.db"
    store = open_store(db)
    legacy = "cd" * 32
    store.db.set_meta("secret", legacy)
    import_manifests(store, [_manifest(tmp_path, ["src-1"])])
    (clip,) = store.iter_clips()
    assert clip.name == pseudonym(bytes.fromhex(legacy), "src-1")
    assert key_path(db).read_text().strip() == legacy
    assert store.db.get_meta("secret") != legacy
    store.close()
