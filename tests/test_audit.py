"""The audit chain: appends, no text in it, and verify against raw-SQL tampering."""

import sqlite3

import pytest

from earmark import audit
from earmark.cli import main
from earmark.store import NewClip, open_store


def _fill(store, n=5):
    """n plays after one user_join: n + 1 entries."""
    store.ensure_user("ann")
    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name=f"clip{i}", audio=f"/a/{i}.wav") for i in range(3)])
    for i in range(n):
        store.audit_append("ann", "play", 1 + i % 3, {"start": i, "end": i + 1, "speed": 1.0})
        store.clock.advance(1)


def _raw(db_path):
    return sqlite3.connect(db_path, isolation_level=None)


def test_entries_chain_and_name_clips_by_pseudonym(store):
    _fill(store, 3)
    entries = store.audit_entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].action == "user_join" and entries[0].clip is None
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert entries[1].clip == "clip0"
    assert store.audit_verify().ok
    assert store.audit_head() == (4, entries[-1].hash)


def test_hash_covers_every_field_canonically(store):
    _fill(store, 1)
    e = store.audit_entries()[-1]
    fields = e.fields()
    assert audit.entry_hash(fields) == e.hash
    for key in fields:
        changed = dict(fields, **{key: "x" if key != "seq" else 99})
        assert audit.entry_hash(changed) != e.hash, key


def test_no_text_or_audio_in_details(store):
    with pytest.raises(ValueError, match="text"):
        store.audit_append("ann", "submit", None, {"text": "my card number is"})
    with pytest.raises(ValueError, match="binary"):
        store.audit_append("ann", "play", None, {"pcm": b"\x00\x01"})
    assert store.audit_entries() == []


def test_every_actor_is_a_user_and_the_first_is_lead(store):
    store.audit_append("importer", "import", None, "3 manifests")
    assert store.role_of("importer") == "lead"
    store.audit_append("ann", "session_start")
    assert store.role_of("ann") == "annotator"
    assert '"info":"3 manifests"' in store.audit_entries()[1].detail


def test_submit_is_audited_without_the_transcript(store):
    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name="c", audio="/c.wav")])
    store.submit(1, "my pin is one two three four", "ann", 5.0)
    store.skip(1, "no speech", "ann", 1.0)
    actions = [(e.action, e.clip) for e in store.audit_entries()]
    assert ("submit", "c") in actions and ("skip", "c") in actions
    dump = " ".join(e.detail for e in store.audit_entries())
    assert "pin" not in dump and "four" not in dump


def test_submit_and_its_audit_line_roll_back_together(store, monkeypatch):
    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name="c", audio="/c.wav")])
    store.ensure_user("ann")
    before = store.audit_head()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(store), "audit_append", boom)
    with pytest.raises(RuntimeError):
        store.submit(1, "hello", "ann", 1.0)
    monkeypatch.undo()
    assert store.clip(1).status == "pending"
    assert store.audit_head() == before


def test_verify_catches_an_edit(store, db_path):
    _fill(store)
    with _raw(db_path) as c:
        c.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 3")
    v = store.audit_verify()
    assert not v.ok and v.bad_seq == 3 and "edited" in v.reason


def test_verify_catches_an_edit_of_the_detail_json_formatting(store, db_path):
    _fill(store)
    with _raw(db_path) as c:
        c.execute("UPDATE audit SET detail = replace(detail, ',', ', ') WHERE seq = 2")
    v = store.audit_verify()
    assert not v.ok and v.bad_seq == 2


def test_verify_catches_a_deletion(store, db_path):
    _fill(store)
    with _raw(db_path) as c:
        c.execute("DELETE FROM audit WHERE seq = 4")
    v = store.audit_verify()
    assert not v.ok and v.bad_seq == 5 and "missing" in v.reason


def test_verify_catches_deleting_the_first_entry(store, db_path):
    _fill(store)
    with _raw(db_path) as c:
        c.execute("DELETE FROM audit WHERE seq = 1")
    v = store.audit_verify()
    assert not v.ok and v.bad_seq == 2


def test_verify_catches_an_insertion_with_renumbering(store, db_path):
    _fill(store)
    entries = store.audit_entries()
    with _raw(db_path) as c:
        # make room at seq 3 (two steps, so the primary key never collides), then insert a
        # well-formed entry chained onto entry 2
        c.execute("UPDATE audit SET seq = -seq WHERE seq >= 3")
        c.execute("UPDATE audit SET seq = 1 - seq WHERE seq < 0")
        forged = audit.make_entry(entries[1], now=0, actor="x", action="play", clip=None, detail={})
        c.execute(
            "INSERT INTO audit VALUES (?,?,?,?,?,?,?,?)",
            (
                forged.seq,
                forged.at,
                forged.actor,
                forged.action,
                forged.clip,
                forged.detail,
                forged.prev_hash,
                forged.hash,
            ),
        )
    v = store.audit_verify()
    assert not v.ok and v.bad_seq == 4  # the forged 3 fits; the old entry 3 (now 4) does not


def test_verify_catches_an_insertion_at_the_end_with_a_bad_hash(store, db_path):
    _fill(store)
    with _raw(db_path) as c:
        head = c.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0]
        c.execute(
            "INSERT INTO audit VALUES (7, '2030-01-01T00:00:00Z', 'x', 'play', NULL, '{}', ?, ?)",
            (head, "f" * 64),
        )
    v = store.audit_verify()
    assert not v.ok and v.bad_seq == 7


def test_verify_catches_reordering(store, db_path):
    _fill(store)
    with _raw(db_path) as c:
        c.execute("UPDATE audit SET seq = -1 WHERE seq = 2")
        c.execute("UPDATE audit SET seq = 2 WHERE seq = 3")
        c.execute("UPDATE audit SET seq = 3 WHERE seq = -1")
    v = store.audit_verify()
    assert not v.ok and v.bad_seq == 2


def test_truncation_needs_a_recorded_head(store, db_path):
    _fill(store)
    recorded = store.audit_head()
    with _raw(db_path) as c:
        c.execute("DELETE FROM audit WHERE seq >= 5")
    assert store.audit_verify().ok  # the chain alone cannot tell
    v = store.audit_verify(expect=recorded)
    assert not v.ok and v.bad_seq == recorded[0] and "truncated" in v.reason


def test_a_rewritten_chain_is_caught_by_the_recorded_head(store, db_path):
    _fill(store)
    recorded = store.audit_head()
    # rewrite entry 1 and recompute every hash after it: a consistent forged chain
    entries = store.audit_entries()
    prev = None
    forged = []
    for e in entries:
        fe = audit.make_entry(
            prev,
            now=0,
            actor=e.actor if e.seq != 1 else "forger",
            action=e.action,
            clip=e.clip,
            detail={},
        )
        forged.append(fe)
        prev = fe
    with _raw(db_path) as c:
        c.execute("DELETE FROM audit")
        for fe in forged:
            c.execute(
                "INSERT INTO audit VALUES (?,?,?,?,?,?,?,?)",
                (fe.seq, fe.at, fe.actor, fe.action, fe.clip, fe.detail, fe.prev_hash, fe.hash),
            )
    assert store.audit_verify().ok
    v = store.audit_verify(expect=recorded)
    assert not v.ok and "rewritten" in v.reason


def test_appends_from_two_connections_keep_one_chain(db_path, store):
    _fill(store, 2)
    other = open_store(db_path)
    try:
        for i in range(5):
            store.audit_append("a", "play", None, {"i": i})
            other.audit_append("b", "play", None, {"i": i})
    finally:
        other.close()
    v = store.audit_verify()
    assert v.ok and v.entries == 15


# -- the command line -------------------------------------------------------------------


def test_cli_verify_and_head(store, db_path, capsys):
    _fill(store)
    assert main(["audit", "verify", "--db", str(db_path)]) == 0
    assert "intact" in capsys.readouterr().out
    assert main(["audit", "--db", str(db_path), "head"]) == 0
    head = capsys.readouterr().out.strip()
    seq, digest = head.split(":")
    assert (int(seq), digest) == store.audit_head()
    assert main(["audit", "verify", "--db", str(db_path), "--head", head]) == 0
    capsys.readouterr()
    with _raw(db_path) as c:
        c.execute("UPDATE audit SET action = 'export' WHERE seq = 2")
    assert main(["audit", "verify", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "entry 2" in err and err.count("\n") == 1


def test_cli_verify_bad_head_and_missing_db(tmp_path, capsys):
    assert main(["audit", "verify", "--db", str(tmp_path / "none.db")]) == 2
    assert "no database" in capsys.readouterr().err
    assert main(["audit", "verify", "--db", str(tmp_path / "none.db"), "--head", "zz"]) == 2
    assert "SEQ:HASH" in capsys.readouterr().err
