"""`earmark qa list|accept|fix|reject|feedback`: the review steps for scripts."""

from __future__ import annotations

import json

import pytest

from earmark.cli import main
from earmark.clock import FakeClock
from earmark.store import NewClip, open_store

HOSTILE = "\x1b]0;owned\x07\x1b[2Jhi \u202eevil"


@pytest.fixture
def db(db_path):
    s = open_store(db_path, clock=FakeClock())
    s.ensure_user("lead")
    s.grant_role("lead", "rev", "reviewer")
    s.grant_role("lead", "bob", "reviewer")
    b = s.batch_id("b")
    s.set_batch_settings("b", actor="lead", review_share=1.0)
    s.add_clips(
        b, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr="the cat sat") for i in range(4)]
    )
    for cid, who, text in (
        (1, "ann", "the cat sat down"),
        (2, "ann", HOSTILE),
        (3, "bob", "a cat"),
    ):
        s.start_clip(cid, who)
        s.submit(cid, text, who, 2.0)
    s.close()
    return ["--db", str(db_path)]


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_json_names_each_clip_its_reasons_and_transcripts(db, capsys):
    code, out, _ = run(capsys, "qa", "list", "--json", "--user", "bob", *db)
    assert code == 0
    items = json.loads(out)
    assert [i["clip"] for i in items] == ["c0", "c1"]  # bob's own c2 is not offered to him
    assert items[0]["reasons"] == ["sample"] and items[0]["annotators"] == ["ann"]
    assert items[0]["transcripts"] == [{"annotator": "ann", "text": "the cat sat down"}]
    assert items[0]["asr"] == "the cat sat"


def test_list_text_shows_the_diff_with_symbols_and_nothing_raw(db, capsys):
    code, out, _ = run(capsys, "qa", "list", "--user", "rev", *db)
    assert code == 0
    assert "the cat sat +down" in out and "3 clip(s) to review" in out
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out


def test_accept_fix_reject_and_their_errors(db, db_path, capsys):
    code, out, _ = run(capsys, "qa", "accept", "c0", "--user", "rev", *db)
    assert code == 0 and "c0 accepted by rev" in out and "saved" in out
    code, _, err = run(capsys, "qa", "accept", "c0", "--user", "rev", *db)
    assert code == 2 and err.count("\n") == 1 and "reviewed already" in err
    code, _, err = run(capsys, "qa", "reject", "c1", "--reason", " ", "--user", "rev", *db)
    assert code == 2 and "short reason" in err and "Traceback" not in err
    code, out, _ = run(
        capsys, "qa", "reject", "c1", "--reason", "not english", "--user", "rev", *db
    )
    assert code == 0
    code, _, err = run(capsys, "qa", "fix", "c2", "--text", "a cat sat", "--user", "bob", *db)
    assert code == 2 and "you transcribed this clip" in err
    code, out, _ = run(capsys, "qa", "fix", "c2", "--text", "a cat sat", "--user", "rev", *db)
    assert code == 0
    code, _, err = run(capsys, "qa", "accept", "nosuch", "--user", "rev", *db)
    assert code == 2 and "no clip 'nosuch'" in err
    s = open_store(db_path, create=False)
    try:
        assert [r.outcome for r in s.reviews()] == ["accepted", "rejected", "fixed"]
        assert s.clip(3).text == "a cat sat"
        assert s.audit_verify().ok
    finally:
        s.close()


def test_annotators_may_not_review(db, capsys):
    code, _, err = run(capsys, "qa", "list", "--user", "ann", *db)
    assert code == 2 and "only a reviewer or lead may review transcripts" in err
    code, _, err = run(capsys, "qa", "accept", "c2", "--user", "ann", *db)
    assert code == 2


def test_feedback_is_only_the_annotators_own(db, capsys):
    run(capsys, "qa", "fix", "c0", "--text", "the cat sat down now", "--user", "rev", *db)
    run(capsys, "qa", "reject", "c2", "--reason", "\x1b[31mnope", "--user", "rev", *db)
    code, out, _ = run(capsys, "qa", "feedback", "--json", "--user", "ann", *db)
    assert code == 0
    items = json.loads(out)
    assert [(i["clip"], i["outcome"]) for i in items] == [("c0", "fixed")]
    assert items[0]["diff"] == "the cat sat down +now" and items[0]["changed_words"] == 1
    code, out, _ = run(capsys, "qa", "feedback", "--user", "bob", *db)
    assert "c2  rejected  (nope)" in out and "c0" not in out and "\x1b" not in out
    code, out, _ = run(capsys, "qa", "feedback", "--user", "carl", *db)
    assert code == 0 and "none of your transcripts" in out
