"""One consent rule in every format, and withdrawn consent purges what was stored."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from earmark.importing import import_manifests
from earmark.redaction import Mark


@pytest.fixture
def audio(tmp_path):
    for name in ("a", "b", "c", "d"):
        sf.write(tmp_path / f"{name}.wav", np.zeros(1600, dtype="float32"), 16000)
    return tmp_path


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("delimiter,ext", [(",", "csv"), ("\t", "tsv")])
def test_an_empty_consent_cell_excludes_in_csv_and_tsv(store, audio, delimiter, ext):
    m = audio / f"m.{ext}"
    m.write_text(
        delimiter.join(("audio", "id", "review_allowed"))
        + "\n"
        + "\n".join(
            delimiter.join(row)
            for row in (("a.wav", "1", ""), ("b.wav", "2", "yes"), ("c.wav", "3", "no"))
        )
        + "\n"
    )
    s = import_manifests(store, [m])
    assert (s.imported, s.excluded) == (1, 2)


def test_the_same_values_exclude_in_jsonl(store, audio):
    rows = [
        {"audio": "a.wav", "id": "1", "review_allowed": ""},
        {"audio": "b.wav", "id": "2", "review_allowed": None},
        {"audio": "c.wav", "id": "3", "review_allowed": "0"},
        {"audio": "d.wav", "id": "4", "review_allowed": True},
    ]
    s = import_manifests(store, [_jsonl(audio / "m.jsonl", rows)])
    assert (s.imported, s.excluded) == (1, 3)


def test_absent_consent_is_the_batch_default_and_require_consent_excludes_it(store, audio):
    rows = [{"audio": "a.wav", "id": "1"}, {"audio": "b.wav", "id": "2", "review_allowed": 1}]
    m = _jsonl(audio / "m.jsonl", rows)
    assert import_manifests(store, [m], require_consent=True).imported == 1
    assert import_manifests(store, [m]).imported == 1  # now absent means allowed


def test_withdrawn_consent_purges_the_clip_and_everything_derived(store, audio):
    rows = [{"audio": "a.wav", "id": "call-1", "asr": "hello zebulon"}, {"audio": "b.wav"}]
    m = _jsonl(audio / "m.jsonl", rows)
    import_manifests(store, [m], actor="lead")
    store.start_clip(1, "ann")
    store.submit(1, "hello zebulon quartermaine", "ann", 9.0)
    store.save_draft(1, "ann", "hello zebulon quartermaine again", 5, 3.0)  # reopened
    flag = store.add_flag(1, "critical", "ann", start=0.0, end=0.1, note="name said")
    store.set_redaction(flag, [Mark("zebulon")], actor="ann")
    store.add_flag(1, "distressing", "ann", start=0.0, end=0.1, note="upset caller")
    store.log_play("ann", 1, 0.0, 0.1, 1.0)
    store.submit(2, "turn the lights off", "ann", 2.0)
    store.learn_words(1, [("zebulon", "zebulon"), ("quartermaine", "quartermaine")])
    store.learn_words(2, [("lights", "lights")])
    assert "quartermaine" in " ".join(w for w, _, _ in store.offerable_words(1, 1000))
    assert store.db.query_one("SELECT count(*) FROM drafts")[0] == 1

    rows[0]["review_allowed"] = False
    rows[1]["review_allowed"] = "no"  # no id: matched by its audio file
    s = import_manifests(store, [_jsonl(m, rows)], actor="lead")
    assert (s.imported, s.excluded, s.purged) == (0, 2, 2)
    assert "consent withdrawn: purged 2 stored clips" in "\n".join(s.lines())
    assert store.clip_count() == 0
    for table in ("revisions", "drafts", "flags", "plays"):
        assert store.db.query_one(f"SELECT count(*) FROM {table}")[0] == 0, table
    assert store.submitted_texts() == []
    # the word index the suggester reads forgets them too
    words = " ".join(w for w, _, _ in store.offerable_words(1, 1000))
    assert "quartermaine" not in words and "lights" not in words
    assert store.db.query_one("SELECT count(*) FROM clip_words")[0] == 0
    entry = store.audit_entries()[-1]
    detail = json.loads(entry.detail)
    assert (entry.actor, entry.action, detail["clips"], detail["reason"]) == (
        "lead",
        "purge",
        2,
        "consent withdrawn",
    )
    assert detail["flags"] == 2 and detail["revisions"] == 2 and detail["plays"] == 1
    assert detail["drafts"] == 1
    assert store.audit_verify().ok
    # nothing of the purged text is left in the database file
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in audio.glob("*.db*") if p.is_file())
    assert b"earmark" in raw or b"SQLite" in raw
    assert b"quartermaine" not in raw and b"upset caller" not in raw
