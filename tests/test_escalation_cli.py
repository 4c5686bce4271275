"""`earmark escalations`: JSON per CONTRACT, --overdue exit codes, ack/resolve/confirm."""

import json
import time

import pytest

from earmark.cli import main
from earmark.clock import FakeClock
from earmark.store import NewClip, open_store


@pytest.fixture
def db(db_path):
    # raised 20 minutes ago in real time, so the imminent one is overdue for the CLI's clock
    s = open_store(db_path, clock=FakeClock(time.time() - 20 * 60))
    s.ensure_user("lead")
    s.grant_role("lead", "rev1", "reviewer")
    s.grant_role("lead", "rev2", "reviewer")
    b = s.batch_id("b")
    s.add_clips(b, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav") for i in range(3)])
    s.raise_escalation(
        1, "ann", tier="imminent", category="violence/assault", start=1, end=3, note="shouting"
    )
    s.raise_escalation(2, "ann2", tier="standard", category="crime")
    s.close()
    return ["--db", str(db_path)]


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_list_has_the_contract_fields(db, capsys):
    code, out, _ = run(capsys, "escalations", "--json", "--user", "rev1", *db)
    assert code == 0
    items = json.loads(out)
    assert [e["tier"] for e in items] == ["imminent", "standard"]
    for e in items:
        for key in (
            "id",
            "clip",
            "tier",
            "category",
            "state",
            "raised_by",
            "raised_at",
            "deadline",
        ):
            assert key in e
        assert e["deadline"].endswith("Z") and e["raised_at"].endswith("Z")
    assert items[0]["overdue"] is True and items[0]["clip"] == "c0"


def test_annotator_sees_only_own(db, capsys):
    code, out, _ = run(capsys, "escalations", "--json", "--user", "ann2", *db)
    assert [e["raised_by"] for e in json.loads(out)] == ["ann2"]


def test_overdue_exit_codes(db, capsys):
    code, out, _ = run(capsys, "escalations", "--overdue", "--user", "rev1", *db)
    assert code == 1 and "OVERDUE" in out
    code, out, err = run(capsys, "escalations", "--overdue", "--user", "ann2", *db)
    assert code == 1 and "c0" not in out and "1 overdue" in err  # cron still alerts
    assert run(capsys, "escalations", "ack", "1", "--user", "rev1", *db)[0] == 0
    code, out, _ = run(capsys, "escalations", "--overdue", "--json", "--user", "rev1", *db)
    assert code == 1 and len(json.loads(out)) == 1  # acknowledged is not resolved
    assert (
        run(capsys, "escalations", "resolve", "1", "--outcome", "no_action", "--user", "rev1", *db)[
            0
        ]
        == 0
    )
    assert run(capsys, "escalations", "--overdue", "--user", "rev1", *db)[0] == 0


def test_two_person_rule_on_the_command_line(db, capsys):
    code, out, _ = run(
        capsys,
        "escalations",
        "--db",
        db[1],
        "--user",
        "rev1",
        "resolve",
        "1",
        "--outcome",
        "referred_law_enforcement",
        "--note",
        "address heard",
    )
    assert code == 0 and "second reviewer" in out
    code, _, err = run(capsys, "escalations", "confirm", "1", "--user", "rev1", *db)
    assert code == 2 and "second reviewer must confirm" in err
    code, out, _ = run(capsys, "escalations", "confirm", "1", "--user", "rev2", *db)
    assert code == 0 and "referred_law_enforcement" in out
    items = json.loads(run(capsys, "escalations", "--json", "--user", "ann", *db)[1])
    assert items[0]["state"] == "resolved" and items[0]["outcome"] == "referred_law_enforcement"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["escalations", "ack", "abc", "--user", "rev1"], "not an escalation id"),
        (["escalations", "ack", "99", "--user", "rev1"], "no escalation 99"),
        (["escalations", "ack", "1", "--user", "ann"], "only a reviewer or lead"),
        (
            ["escalations", "resolve", "1", "--outcome", "shrug", "--user", "rev1"],
            "unknown outcome",
        ),
        (["escalations", "confirm", "1", "--user", "rev1"], "nothing awaiting"),
        (["escalations", "resolve", "1", "--user", "rev1"], "--outcome"),
    ],
)
def test_user_errors_exit_2_with_one_line(db, capsys, argv, needle):
    code, _, err = run(capsys, *argv, *db)
    assert code == 2 and needle in err and err.count("\n") == 1


def test_confirm_a_critical_flag_downgrade(db, db_path, capsys):
    s = open_store(db_path)
    fid = s.add_flag(3, "critical", "ann", category="address")
    s.request_downgrade(fid, "rev1")
    s.close()
    assert run(capsys, "escalations", "confirm", f"flag:{fid}", "--user", "rev1", *db)[0] == 2
    assert run(capsys, "escalations", "confirm", f"flag:{fid}", "--user", "rev2", *db)[0] == 0
    s = open_store(db_path)
    assert s.critical_clip_ids() == set()
    s.close()


def test_missing_database_is_a_user_error(tmp_path, capsys):
    code, _, err = run(capsys, "escalations", "--db", str(tmp_path / "x.db"))
    assert code == 2 and "no database" in err
