"""Escalation rules: deadlines with an injected clock, states, the two-person rule."""

import datetime as dt

import pytest

from earmark.clock import FakeClock
from earmark.escalation import (
    DeadlinePolicy,
    Escalation,
    EscalationError,
    deadline_text,
    queue_order,
)
from earmark.roles import PermissionDenied
from earmark.store import NewClip, open_store

UTC = dt.UTC
CET = dt.timezone(dt.timedelta(hours=1))


def ts(*args, tz=UTC) -> float:
    return dt.datetime(*args, tzinfo=tz).timestamp()


# -- deadlines ------------------------------------------------------------------------------


def test_imminent_and_urgent_deadlines():
    p = DeadlinePolicy(imminent_minutes=15, urgent_hours=4)
    t = ts(2026, 11, 24, 10, 0)
    assert p.deadline("imminent", t) == t + 15 * 60
    assert p.deadline("urgent", t) == t + 4 * 3600


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        ((2026, 11, 23, 9, 0), (2026, 11, 24, 17, 0)),  # Monday morning -> Tuesday 17:00
        ((2026, 11, 26, 23, 59), (2026, 11, 27, 17, 0)),  # Thursday night -> Friday
        ((2026, 11, 27, 8, 0), (2026, 11, 30, 17, 0)),  # Friday -> Monday, over the weekend
        ((2026, 11, 28, 12, 0), (2026, 11, 30, 17, 0)),  # Saturday -> Monday
        ((2026, 11, 29, 18, 0), (2026, 11, 30, 17, 0)),  # Sunday evening -> Monday
    ],
)
def test_standard_is_next_business_day_at_the_configured_hour(raised, due):
    p = DeadlinePolicy(business_hour=17)
    assert p.deadline("standard", ts(*raised, tz=CET), tz=CET) == ts(*due, tz=CET)


def test_standard_uses_the_local_day_not_utc():
    # Friday 00:30 at UTC+2 is still Thursday in UTC: the next business day is Monday, not Friday
    plus2 = dt.timezone(dt.timedelta(hours=2))
    raised = ts(2026, 11, 27, 0, 30, tz=plus2)
    assert DeadlinePolicy().deadline("standard", raised, tz=plus2) == ts(
        2026, 11, 30, 17, 0, tz=plus2
    )


def test_standard_skips_holidays_and_config_is_read():
    p = DeadlinePolicy.from_settings(
        {
            "escalation": {
                "imminent_minutes": 10,
                "urgent_hours": 2,
                "business_hour": "09:30",
                "holidays": ["2026-12-25"],
            }
        }
    )
    assert p.imminent_minutes == 10 and p.urgent_hours == 2
    # Thursday 24 Dec -> Friday 25 is a holiday -> Monday 28, 09:30
    assert p.deadline("standard", ts(2026, 12, 24, 12, 0), tz=UTC) == ts(2026, 12, 28, 9, 30)


@pytest.mark.parametrize(
    "bad",
    [
        {"imminent_minutes": -1},
        {"business_hour": "25"},
        {"holidays": ["not a date"]},
        {"urgent_hours": True},
    ],
)
def test_bad_deadline_settings_are_user_errors(bad):
    from earmark.errors import UserError

    with pytest.raises(UserError, match="escalation"):
        DeadlinePolicy.from_settings({"escalation": bad})


def test_queue_order_is_tier_then_deadline_with_resolved_last():
    def e(i, tier, deadline, state="raised"):
        return Escalation(
            id=i,
            flag_id=i,
            clip_id=1,
            clip="c",
            tier=tier,
            category="crime",
            start=None,
            end=None,
            note="",
            state=state,
            raised_by="a",
            raised_at=0,
            deadline=deadline,
        )

    items = [
        e(1, "standard", 10),
        e(2, "imminent", 50),
        e(3, "urgent", 5),
        e(4, "imminent", 20),
        e(5, "imminent", 1, "resolved"),
    ]
    assert [x.id for x in queue_order(items)] == [4, 2, 3, 1, 5]
    assert deadline_text(items[1], 80).startswith("overdue")
    assert deadline_text(items[1], 20) == "in 1 min"


# -- the workflow in the store ----------------------------------------------------------------


@pytest.fixture
def wf(db_path):
    clock = FakeClock(ts(2026, 11, 27, 9, 0))  # a Friday
    s = open_store(db_path, clock=clock)
    s.ensure_user("lead")
    for name in ("rev1", "rev2"):
        s.grant_role("lead", name, "reviewer")
    s.ensure_user("ann")
    s.ensure_user("ann2")
    b = s.batch_id("b")
    s.add_clips(b, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", duration=5.0) for i in range(3)])
    yield s
    s.close()


def test_raise_records_flag_deadline_and_audit(wf):
    eid = wf.raise_escalation(
        1,
        "ann",
        tier="imminent",
        category="violence/assault",
        start=2.0,
        end=1.0,
        note="a scream\x1b[31m, then silence",
    )
    e = wf.escalation(eid)
    assert e.state == "raised" and e.deadline == wf.clock.now() + 15 * 60
    assert (e.start, e.end) == (1.0, 2.0)
    assert "\x1b" not in e.note
    flags = wf.flags_for_clip(1)
    assert [(f.kind, f.category, f.note) for f in flags] == [("escalation", "violence/assault", "")]
    last = wf.audit_entries()[-1]
    assert last.action == "escalate" and "scream" not in last.detail
    assert wf.flag_counts()["escalation"] == 1


@pytest.mark.parametrize("tier", [None, "", "soon"])
def test_tier_must_be_chosen(wf, tier):
    with pytest.raises(EscalationError, match="tier"):
        wf.raise_escalation(1, "ann", tier=tier, category="crime")
    assert wf.escalations() == []


def test_category_must_be_known(wf):
    with pytest.raises(EscalationError, match="category"):
        wf.raise_escalation(1, "ann", tier="urgent", category="gossip")


def test_ack_then_resolve(wf):
    eid = wf.raise_escalation(1, "ann", tier="urgent", category="crime")
    wf.acknowledge_escalation(eid, "rev1")
    with pytest.raises(EscalationError, match="acknowledged"):
        wf.acknowledge_escalation(eid, "rev2")
    assert (
        wf.resolve_escalation(eid, "rev1", "false_alarm", "a film in the background") == "resolved"
    )
    e = wf.escalation(eid)
    assert (e.state, e.outcome, e.resolved_by) == ("resolved", "false_alarm", "rev1")
    assert e.outcome_note == "a film in the background"
    with pytest.raises(EscalationError, match="resolved"):
        wf.resolve_escalation(eid, "rev2", "no_action")


def test_annotators_cannot_review(wf):
    eid = wf.raise_escalation(1, "ann", tier="urgent", category="crime")
    with pytest.raises(PermissionDenied, match="reviewer or lead"):
        wf.acknowledge_escalation(eid, "ann")
    with pytest.raises(PermissionDenied):
        wf.resolve_escalation(eid, "ann2", "no_action")
    assert wf.escalation(eid).state == "raised"


def test_law_enforcement_needs_a_second_reviewer(wf):
    eid = wf.raise_escalation(1, "ann", tier="imminent", category="threat to life")
    assert (
        wf.resolve_escalation(eid, "rev1", "referred_law_enforcement", "address known")
        == "pending_confirmation"
    )
    e = wf.escalation(eid)
    assert e.outcome is None and e.proposed_outcome == "referred_law_enforcement"
    with pytest.raises(EscalationError, match="second reviewer"):
        wf.confirm_escalation(eid, "rev1")
    with pytest.raises(PermissionDenied):
        wf.confirm_escalation(eid, "ann2")
    assert wf.escalation(eid).state == "pending_confirmation"
    wf.confirm_escalation(eid, "rev2")
    e = wf.escalation(eid)
    assert (e.state, e.outcome, e.resolved_by, e.confirmed_by) == (
        "resolved",
        "referred_law_enforcement",
        "rev1",
        "rev2",
    )
    actions = [x.action for x in wf.audit_entries()]
    assert actions[-2:] == ["escalation_propose", "escalation_confirm"]


def test_a_declined_proposal_goes_back_to_acknowledged(wf):
    eid = wf.raise_escalation(1, "ann", tier="urgent", category="crime")
    wf.resolve_escalation(eid, "rev1", "referred_law_enforcement")
    wf.decline_escalation(eid, "rev2")
    e = wf.escalation(eid)
    assert e.state == "acknowledged" and e.proposed_outcome is None
    assert wf.resolve_escalation(eid, "rev2", "referred_safety_team") == "resolved"


def test_other_outcomes_need_one_reviewer(wf):
    for outcome in ("no_action", "false_alarm", "referred_safety_team"):
        eid = wf.raise_escalation(1, "ann", tier="standard", category="other")
        assert wf.resolve_escalation(eid, "rev1", outcome) == "resolved"
    with pytest.raises(EscalationError, match="outcome"):
        wf.resolve_escalation(eid, "rev1", "shrug")


def test_overdue_with_the_injected_clock(wf):
    eid = wf.raise_escalation(1, "ann", tier="imminent", category="crime")
    std = wf.raise_escalation(2, "ann", tier="standard", category="crime")  # Friday -> Monday
    assert wf.overdue_escalations() == []
    wf.clock.advance(15 * 60 + 1)
    assert [e.id for e in wf.overdue_escalations()] == [eid]
    wf.clock.advance(2 * 86400)  # Sunday: the standard one is not due until Monday 17:00
    assert std not in [e.id for e in wf.overdue_escalations()]
    wf.resolve_escalation(eid, "rev1", "no_action")
    assert wf.overdue_escalations() == []


def test_annotators_see_only_their_own(wf):
    mine = wf.raise_escalation(1, "ann", tier="urgent", category="crime")
    theirs = wf.raise_escalation(2, "ann2", tier="urgent", category="crime")
    assert [e.id for e in wf.visible_escalations("ann")] == [mine]
    assert [e.id for e in wf.visible_escalations("ann2")] == [theirs]
    assert {e.id for e in wf.visible_escalations("rev1")} == {mine, theirs}


# -- critical flags and their downgrade ------------------------------------------------------


def test_critical_flag_refine_and_two_person_downgrade(wf):
    fid = wf.add_flag(1, "critical", "ann", start=1.0, end=1.0)
    wf.update_flag(fid, actor="ann", category="bank/card", start=0.5, end=2.5, redact=[3, 1, 3])
    f = wf.flag(fid)
    assert (f.category, f.start, f.end, f.redact) == ("bank/card", 0.5, 2.5, (1, 3))
    assert wf.critical_clip_ids() == {1}
    with pytest.raises(PermissionDenied):
        wf.request_downgrade(fid, "ann")
    wf.request_downgrade(fid, "rev1")
    assert wf.critical_clip_ids() == {1}  # still critical until confirmed
    from earmark.errors import UserError

    with pytest.raises(UserError, match="second reviewer"):
        wf.confirm_downgrade(fid, "rev1")
    wf.confirm_downgrade(fid, "rev2")
    assert wf.critical_clip_ids() == set()
    assert wf.flag(fid).state == "downgraded" and wf.flag(fid).downgraded_by == "rev2"
    assert wf.audit_verify().ok


def test_update_flag_rejects_unknown_fields_and_categories(wf):
    from earmark.errors import UserError

    fid = wf.add_flag(1, "critical", "ann")
    with pytest.raises(ValueError):
        wf.update_flag(fid, kind="distressing")
    with pytest.raises(UserError):
        wf.update_flag(fid, category="gossip")


def test_content_warning_reveals_nothing_about_who_or_why(wf):
    assert wf.content_warning(1) is None
    wf.add_flag(1, "distressing", "ann")
    wf.raise_escalation(2, "ann", tier="urgent", category="child safety", note="details")
    assert "distressing" in wf.content_warning(1)
    w2 = wf.content_warning(2)
    assert "ann" not in w2 and "child" not in w2 and "details" not in w2
