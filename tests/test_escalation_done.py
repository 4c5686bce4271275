"""Sensitive content end to end through the command line on one real database:
a critical clip never reaches a training export; an escalation goes from the annotator to a
resolved outcome and back to the annotator's view; any edit to the audit log is caught."""

import json
import sqlite3

from earmark.cli import main
from earmark.redaction import Mark
from earmark.store import NewClip, open_store
from tests.support import REALDATA, needs_realdata

pytestmark = needs_realdata


def _cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _workspace(db_path):
    s = open_store(db_path)
    s.ensure_user("lead")
    s.grant_role("lead", "rev1", "reviewer")
    s.grant_role("lead", "rev2", "reviewer")
    wavs = sorted((REALDATA / "librivox").glob("*.wav"))[:3]
    s.add_clips(
        s.batch_id("b"),
        [NewClip(name=f"c{i}", audio=str(w), duration=5.0) for i, w in enumerate(wavs)],
    )
    for cid in (1, 2, 3):
        s.submit(cid, f"words of clip {cid}", "ann", 3.0)
    return s


def _nemo_names(capsys, db, *extra):
    code, out, _ = _cli(capsys, "export", "--format", "nemo", *db, *extra)
    assert code == 0
    return [json.loads(line)["text"] for line in out.splitlines()]


def test_critical_clip_stays_out_of_training_until_two_reviewers_downgrade(db_path, capsys):
    s = _workspace(db_path)
    fid = s.add_flag(2, "critical", "ann", category="bank/card", start=0.5, end=1.0, redact=[3])
    s.set_redaction(fid, [Mark("2")], actor="ann")  # the word marked, as the panel stores it
    db = ["--db", str(db_path)]
    assert _nemo_names(capsys, *[db]) == ["words of clip 1", "words of clip 3"]
    assert "words of clip [redacted:bank]" in _nemo_names(capsys, db, "--include-critical")
    s.request_downgrade(fid, "rev1")
    assert len(_nemo_names(capsys, db)) == 2  # one reviewer is not enough
    assert _cli(capsys, "escalations", "confirm", f"flag:{fid}", "--user", "rev2", *db)[0] == 0
    assert len(_nemo_names(capsys, db)) == 3
    s.close()


def test_escalation_round_trip_and_audit_tamper(db_path, capsys):
    s = _workspace(db_path)
    eid = s.raise_escalation(
        1,
        "ann",
        tier="urgent",
        category="crime",
        start=0.0,
        end=2.0,
        note="someone describes a burglary",
    )
    s.close()
    db = ["--db", str(db_path)]
    assert _cli(capsys, "escalations", "ack", str(eid), "--user", "rev1", *db)[0] == 0
    assert (
        _cli(
            capsys,
            "escalations",
            "resolve",
            str(eid),
            "--outcome",
            "referred_law_enforcement",
            "--note",
            "reported",
            "--user",
            "rev1",
            *db,
        )[0]
        == 0
    )
    assert _cli(capsys, "escalations", "confirm", str(eid), "--user", "rev2", *db)[0] == 0
    code, out, _ = _cli(capsys, "escalations", "--json", "--user", "ann", *db)
    (mine,) = json.loads(out)
    assert (mine["state"], mine["outcome"], mine["confirmed_by"]) == (
        "resolved",
        "referred_law_enforcement",
        "rev2",
    )
    assert _cli(capsys, "audit", "verify", *db)[0] == 0
    code, out, _ = _cli(capsys, "audit", "head", *db)
    head = out.strip()
    with sqlite3.connect(db_path) as c:
        dump = " ".join(r[0] for r in c.execute("SELECT detail FROM audit"))
        assert "burglary" not in dump and "words of clip" not in dump and "reported" not in dump
        c.execute("UPDATE audit SET actor = 'nobody' WHERE action = 'escalation_confirm'")
    code, _, err = _cli(capsys, "audit", "verify", *db)
    assert code == 1 and "broken at entry" in err
    with sqlite3.connect(db_path) as c:  # put it back...
        c.execute("UPDATE audit SET actor = 'rev2' WHERE action = 'escalation_confirm'")
    assert _cli(capsys, "audit", "verify", *db)[0] == 0
    with sqlite3.connect(db_path) as c:  # ...then cut the end off instead
        c.execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    assert _cli(capsys, "audit", "verify", *db)[0] == 0  # alone, a chain cannot see this
    code, _, err = _cli(capsys, "audit", "verify", "--head", head, *db)
    assert code == 1 and "truncated" in err
