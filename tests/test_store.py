import os
import stat

import pytest

from earmark.errors import UserError
from earmark.store import NewClip, open_store


def test_database_is_owner_only_and_wal(db_path, store):
    mode = stat.S_IMODE(os.stat(db_path).st_mode)
    assert mode == 0o600
    assert store.db.query_one("PRAGMA journal_mode")[0] == "wal"
    assert store.db.query_one("PRAGMA synchronous")[0] == 2  # FULL


def test_clips_keep_import_order_and_do_not_duplicate(store):
    b = store.batch_id("b1")
    names = [f"c{i}" for i in (5, 3, 9, 1)]
    assert store.add_clips(b, [NewClip(name=n, audio=f"/a/{n}.wav") for n in names]) == 4
    assert store.add_clips(b, [NewClip(name=n, audio=f"/a/{n}.wav") for n in names]) == 0
    assert [c.name for c in store.iter_clips()] == names


def test_submit_keeps_history_and_clears_draft(store):
    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name="x", audio="/x.wav", asr="hello word")])
    store.start_clip(1, "ann")
    store.save_draft(1, "ann", "hello wor", 9, 3.0)
    assert store.draft(1).text == "hello wor"
    store.submit(1, "hello world", "ann", 4.0)
    assert store.draft(1) is None
    store.submit(1, "hello, world", "ann", 2.0)
    clip = store.clip(1)
    assert clip.status == "done" and clip.text == "hello, world"
    assert clip.seconds_on_clip == 6.0
    assert [r["text"] for r in store.revisions(1)] == ["hello world", "hello, world"]


def test_resume_prefers_clip_in_progress(store):
    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name=f"n{i}", audio="/x.wav") for i in range(3)])
    assert store.resume_clip("ann") == 1
    store.start_clip(2, "ann")
    assert store.resume_clip("ann") == 2
    assert store.resume_clip("other") == 1


def test_not_a_database_is_a_user_error(tmp_path):
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match="not an earmark database"):
        open_store(bad)


def test_missing_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        open_store(tmp_path / "nope" / "x.db")


def test_reopen_keeps_secret(db_path):
    s = open_store(db_path)
    secret = s.db.secret
    s.close()
    assert open_store(db_path).db.secret == secret
