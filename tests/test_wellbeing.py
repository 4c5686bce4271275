"""Exposure, limits, routing away at the hard limit, opt-outs; with an injected clock."""

import datetime as dt

import pytest

from earmark.cli import main
from earmark.clock import FakeClock
from earmark.errors import UserError
from earmark.roles import PermissionDenied
from earmark.store import NewClip, open_store
from earmark.wellbeing import (
    Policy,
    Wellbeing,
    meter_text,
    policy_for,
    start_of_day,
)

UTC = dt.UTC


@pytest.fixture
def st(db_path):
    clock = FakeClock(dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC).timestamp())
    s = open_store(db_path, clock=clock)
    s.ensure_user("lead")
    s.ensure_user("ann")
    s.ensure_user("other")
    b = s.batch_id("b")
    s.add_clips(b, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", duration=60.0) for i in range(6)])
    yield s
    s.close()


def test_exposure_counts_only_flagged_clips_today(st):
    wb = Wellbeing(st, "ann", tz=UTC)
    st.log_play("ann", 1, 0, 60, 1.0)  # not flagged: does not count
    st.log_play("ann", 2, 0, 60, 2.0)  # flagged later: 30 s of listening counts
    st.log_play("other", 2, 0, 60, 1.0)  # someone else's ears
    assert wb.minutes_today() == 0
    st.add_flag(2, "distressing", "other")
    assert wb.minutes_today() == pytest.approx(0.5)
    st.raise_escalation(3, "other", tier="urgent", category="crime")
    st.log_play("ann", 3, 10, 40, 1.0)
    assert wb.minutes_today() == pytest.approx(1.0)
    st.clock.advance(86400)  # a new day
    assert wb.minutes_today() == 0


def test_plays_are_audited(st):
    st.log_play("ann", 1, 1.25, 3.5, 1.5)
    e = st.audit_entries()[-1]
    assert (e.action, e.actor, e.clip) == ("play", "ann", "c0")
    assert '"speed":1.5' in e.detail and '"start":1.25' in e.detail


def test_levels_and_meter():
    p = Policy(soft_minutes=10, hard_minutes=20)
    assert [p.level(m) for m in (0, 9.9, 10, 19, 20, 99)] == [
        "ok",
        "ok",
        "soft",
        "soft",
        "hard",
        "hard",
    ]
    assert meter_text(12.4, p).startswith("exposure 12/20 min")
    assert "routed away" in meter_text(25, p)


def test_lead_sets_limits_personal_settings_only_stricter(st):
    with pytest.raises(PermissionDenied):
        st.set_wellbeing("ann", soft_minutes=100)
    st.set_wellbeing("lead", soft_minutes=15, hard_minutes=30, break_text="Call 0800\x1b[2J 123")
    p = policy_for(st.wellbeing_settings())
    assert (p.soft_minutes, p.hard_minutes) == (15, 30)
    assert "\x1b" not in p.break_text and "0800" in p.break_text
    stricter = policy_for(
        st.wellbeing_settings(), {"wellbeing": {"soft_minutes": 5, "hard_minutes": 300}}
    )
    assert (stricter.soft_minutes, stricter.hard_minutes) == (5, 30)
    with pytest.raises(UserError, match="soft limit"):
        st.set_wellbeing("lead", soft_minutes=40)
    assert any(e.action == "wellbeing_set" for e in st.audit_entries())


def test_hard_limit_routes_flagged_clips_away(st):
    st.set_wellbeing("lead", soft_minutes=1, hard_minutes=2)
    st.add_flag(2, "distressing", "other")
    st.add_flag(4, "distressing", "ann")  # the annotator's own flag is not "by others"
    wb = Wellbeing(st, "ann", tz=UTC)
    assert 2 not in wb.routed_away()
    st.log_play("ann", 2, 0, 60, 1.0)
    assert wb.level() == "soft" and 2 not in wb.routed_away()
    st.log_play("ann", 2, 0, 60, 1.0)
    assert wb.level() == "hard"
    assert 2 in wb.routed_away()
    assert 4 not in wb.routed_away() and 1 not in wb.routed_away()
    assert 2 not in Wellbeing(st, "other", tz=UTC).routed_away()
    assert wb.next_allowed(1) == 3


def test_opt_outs_route_categories_away_without_reason(st):
    st.raise_escalation(2, "other", tier="urgent", category="child safety")
    st.add_flag(3, "distressing", "other")
    wb = Wellbeing(st, "ann", tz=UTC)
    assert 2 not in wb.routed_away() and 3 not in wb.routed_away()
    st.set_opt_out("ann", "child safety")
    assert 2 in wb.routed_away() and 3 not in wb.routed_away()
    st.set_opt_out("ann", "distressing")
    assert 3 in wb.routed_away()
    st.set_opt_out("ann", "child safety", False)
    assert 2 not in wb.routed_away()
    with pytest.raises(UserError, match="unknown category"):
        st.set_opt_out("ann", "mondays")
    assert all(e.action != "opt_out" for e in st.audit_entries())


def test_start_of_day_is_local_midnight():
    plus5 = dt.timezone(dt.timedelta(hours=5))
    t = dt.datetime(2026, 11, 24, 3, 0, tzinfo=plus5).timestamp()
    assert start_of_day(t, plus5) == dt.datetime(2026, 11, 24, tzinfo=plus5).timestamp()


def test_cli_wellbeing(db_path, st, capsys):
    import json

    db = ["--db", str(db_path)]
    assert (
        main(
            [
                "wellbeing",
                "--user",
                "lead",
                "--soft",
                "5",
                "--hard",
                "9",
                "--break-text",
                "Support: ext 42",
                *db,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["wellbeing", "--user", "ann", "--opt-out", "self-harm", "--json", *db]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["hard_minutes"] == 9 and out["opt_outs"] == ["self-harm"]
    assert out["break_text"] == "Support: ext 42"
    assert main(["wellbeing", "--user", "ann", "--hard", "100", *db]) == 2
    assert "only a lead" in capsys.readouterr().err
    assert main(["wellbeing", "--user", "ann", "--opt-out", "nope", *db]) == 2


def test_the_session_queue_routes_flagged_clips_away_at_the_hard_limit(st):
    from earmark.session import Session

    st.set_wellbeing("lead", soft_minutes=1, hard_minutes=2)
    st.add_flag(2, "distressing", "other")
    st.log_play("ann", 2, 0, 180, 1.0)  # 3 min heard on a flagged clip: past the hard limit
    session = Session(st, "ann", clock=st.clock)
    first = session.resume()
    assert first.clip.id == 1
    nxt = session.submit("one")
    assert nxt.clip.id == 3  # clip 2 was routed away
    other = Session(st, "other", clock=st.clock)
    assert other.resume().clip.id == 2  # not for someone under the limit
