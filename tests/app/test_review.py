"""The reviewer TUI with Pilot: queue order, overdue, ack, resolve, two-person rule, plays."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools

import pytest

from earmark.clock import FakeClock
from earmark.store import open_store
from tests.support import HOSTILE, build_workspace

pytestmark = pytest.mark.usefixtures("realdata")

START = dt.datetime(2026, 11, 25, 10, 0).timestamp()  # a Wednesday, local time


@pytest.fixture
def ws(db_path, realdata):
    s = open_store(db_path, clock=FakeClock(START))
    s.ensure_user("lead")
    s.grant_role("lead", "rev1", "reviewer")
    s.grant_role("lead", "rev2", "reviewer")
    s.ensure_user("ann")
    s.ensure_user("ann2")
    build_workspace(s, unplayable=False)
    yield s
    s.close()


def sync(fn):
    """Run an async Pilot test on a fresh event loop (no asyncio plugin needed)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


def review_app(store, user, player=None):
    from earmark.app.review import ReviewApp

    return ReviewApp(store, user, player=player)


def null_player():
    from earmark.audio.player import open_player

    return open_player(None, output="null")


def keys_in_table(app, table_id="#queue"):
    from textual.widgets import DataTable

    table = app.query_one(table_id, DataTable)
    return [table.coordinate_to_cell_key((r, 0)).row_key.value for r in range(table.row_count)]


def detail_text(app) -> str:
    return str(app.query_one("#detail").content)


@sync
async def test_queue_is_ordered_by_tier_then_deadline_and_overdue_is_highlighted(ws):
    std = ws.raise_escalation(1, "ann", tier="standard", category="crime")
    urg = ws.raise_escalation(2, "ann", tier="urgent", category="crime")
    ws.clock.advance(60)
    imm_late = ws.raise_escalation(3, "ann2", tier="imminent", category="threat to life")
    ws.clock.advance(-120)
    imm_early = ws.raise_escalation(4, "ann2", tier="imminent", category="self-harm")
    ws.clock.advance(60)
    app = review_app(ws, "rev1")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert keys_in_table(app) == [str(i) for i in (imm_early, imm_late, urg, std)]
        assert "OVERDUE" not in str(app.query_one("#review-title").content)
        ws.clock.advance(17 * 60)
        await pilot.press("f5")
        await pilot.pause()
        assert "2 OVERDUE" in str(app.query_one("#review-title").content)
        assert app.query_one("#review-title").has_class("overdue")
        assert app.query_one("#detail").has_class("overdue")  # cursor on the first row
        await pilot.press("down", "down")
        await pilot.pause()
        assert not app.query_one("#detail").has_class("overdue")


@sync
async def test_acknowledge_and_resolve_with_a_note(ws):
    eid = ws.raise_escalation(
        1, "ann", tier="urgent", category="violence/assault", start=0.5, end=2.0, note=HOSTILE
    )
    app = review_app(ws, "rev1")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "[bold]x[/]" in detail_text(app)  # shown literally, not as markup
        assert "\x1b" not in detail_text(app)
        await pilot.press("a")
        await pilot.pause()
        assert ws.escalation(eid).state == "acknowledged"
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter")  # nothing highlighted yet: enter chooses nothing
        await pilot.pause()
        assert app.screen.outcome is None
        await pilot.press("2")  # picks false_alarm and moves to the note
        await pilot.press(*"tv drama")
        await pilot.press("enter")
        await pilot.pause()
    e = ws.escalation(eid)
    assert (e.state, e.outcome, e.outcome_note, e.resolved_by) == (
        "resolved",
        "false_alarm",
        "tv drama",
        "rev1",
    )
    # the loop back to the annotator: their own view shows the outcome
    mine = ws.visible_escalations("ann")
    assert [(m.id, m.outcome) for m in mine] == [(eid, "false_alarm")]


@sync
async def test_resolve_needs_an_outcome(ws):
    eid = ws.raise_escalation(1, "ann", tier="urgent", category="crime")
    app = review_app(ws, "rev1")
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#resolve-note").focus()
        await pilot.press(*"note", "enter")
        await pilot.pause()
        assert "choose an outcome" in str(app.screen.query_one("#resolve-error").content)
        await pilot.press("escape")
        await pilot.pause()
    assert ws.escalation(eid).state == "raised"


@sync
async def test_law_enforcement_needs_a_second_reviewer_in_the_tui(ws):
    eid = ws.raise_escalation(1, "ann", tier="imminent", category="threat to life")
    app = review_app(ws, "rev1")
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("r", "4", *"address heard", "enter")
        await pilot.pause()
        assert ws.escalation(eid).state == "pending_confirmation"
        assert app.check_action("confirm", ()) is None  # greyed out for the proposer
        await pilot.press("c")
        await pilot.pause()
        assert ws.escalation(eid).state == "pending_confirmation"
    app2 = review_app(ws, "rev2")
    async with app2.run_test() as pilot:
        await pilot.pause()
        assert "awaiting a second reviewer" in detail_text(app2)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("n")  # not yet
        await pilot.pause()
        assert ws.escalation(eid).state == "pending_confirmation"
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    e = ws.escalation(eid)
    assert (e.state, e.outcome, e.resolved_by, e.confirmed_by) == (
        "resolved",
        "referred_law_enforcement",
        "rev1",
        "rev2",
    )


@sync
async def test_decline_sends_a_proposal_back(ws):
    eid = ws.raise_escalation(1, "ann", tier="urgent", category="crime")
    ws.resolve_escalation(eid, "rev1", "referred_law_enforcement")
    app = review_app(ws, "rev2")
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
    assert ws.escalation(eid).state == "acknowledged"


@sync
async def test_critical_flag_downgrade_needs_two_reviewers(ws):
    fid = ws.add_flag(2, "critical", "ann", category="bank/card", start=1.0, end=2.0, redact=[1])
    app = review_app(ws, "rev1")
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert keys_in_table(app, "#critical") == [str(fid)]
        assert "training export" in detail_text(app)
        await pilot.press("d")
        await pilot.pause()
        assert ws.flag(fid).downgrade_requested_by == "rev1"
        await pilot.press("c", "y")
        await pilot.pause()
        assert ws.critical_clip_ids() == {2}
    app2 = review_app(ws, "rev2")
    async with app2.run_test() as pilot:
        await pilot.pause()
        await pilot.press("v", "c")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert ws.critical_clip_ids() == set()


async def play_first_span(store, user):
    """The reviewer presses space on the first escalation; its plays once the span ends."""
    player = null_player()
    app = review_app(store, user, player=player)
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("space")
            for _ in range(300):  # the span ends by itself; its stretch is then reported
                await asyncio.sleep(0.02)
                if store.plays(user=user):
                    break
            player.drain_events()
    finally:
        player.close()
    return store.plays(user=user)


@sync
async def test_play_plays_only_the_span_and_is_logged(ws):
    eid = ws.raise_escalation(2, "ann", tier="urgent", category="crime", start=1.0, end=1.4)
    rows = await play_first_span(ws, "rev1")
    assert len(rows) == 1 and rows[0]["clip_id"] == 2
    assert rows[0]["start"] == pytest.approx(1.0, abs=0.05)
    assert rows[0]["end"] == pytest.approx(1.4, abs=0.05)
    assert [e.action for e in ws.audit_entries()][-1] == "play"
    assert ws.escalation(eid).state == "raised"  # listening is not acknowledging


@sync
async def test_annotators_are_kept_out(ws):
    ws.raise_escalation(1, "ann2", tier="urgent", category="crime", note="private")
    app = review_app(ws, "ann")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "only a reviewer or lead" in str(app.query_one("#review-title").content)
        await pilot.press("a")
        await pilot.pause()
        assert app.items == []
    assert ws.escalations()[0].state == "raised"


def test_review_command_refuses_annotators(ws, db_path, capsys):
    from earmark.cli import main

    assert main(["review", "--db", str(db_path), "--user", "ann"]) == 2
    assert "only a reviewer or lead" in capsys.readouterr().err


def test_review_shares_the_annotators_play_and_quit_keys():
    from earmark.commands.review import _keymap

    km = _keymap("scribe")
    from earmark.keymap import load_keymap

    scribe = load_keymap("scribe").bindings
    assert km["play_span"].endswith(scribe["play_pause"]) and km["play_span"].startswith("space,p,")
    assert km["quit"] == "q," + scribe["quit"]
    assert _keymap(None) == {}


@sync
async def test_old_resolved_escalations_only_on_request(ws):
    old = ws.raise_escalation(1, "ann", tier="urgent", category="crime")
    ws.resolve_escalation(old, "rev1", "no_action")
    ws.clock.advance(8 * 86400)
    recent = ws.raise_escalation(2, "ann", tier="urgent", category="crime")
    ws.resolve_escalation(recent, "rev1", "false_alarm")
    app = review_app(ws, "rev1")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert keys_in_table(app) == [str(recent)]
        await pilot.press("h")
        await pilot.pause()
        assert set(keys_in_table(app)) == {str(old), str(recent)}


@sync
async def test_a_span_deep_in_a_long_clip_plays_without_decoding_the_file(
    ws, tmp_path, monkeypatch
):
    """A reviewer checks a moment of a long recording: the span is played from the streamed
    file (open_clip), never by decoding the whole file into memory, and what was heard is
    the span, not the whole clip."""
    import numpy as np
    import soundfile as sf

    import earmark.audio
    import earmark.audio.decode

    def whole_file(*_a, **_k):
        raise AssertionError("the whole file was decoded")

    monkeypatch.setattr(earmark.audio, "load", whole_file)
    monkeypatch.setattr(earmark.audio.decode, "load", whole_file)

    from earmark.audio.clip import MEMORY_SAMPLES
    from earmark.store import NewClip

    rate = 16000
    frames = 2 * MEMORY_SAMPLES  # over the in-memory budget, so it must stream
    path = tmp_path / "long.wav"
    with sf.SoundFile(path, "w", rate, 1, subtype="PCM_16") as f:
        f.write(np.zeros(frames, dtype=np.int16))
    ws.add_clips(ws.batch_id("long"), [NewClip(name="long", audio=str(path), asr="a long one")])
    clip_id = ws.clip_by_name("long").id
    start = frames / rate - 10.0
    ws.raise_escalation(
        clip_id, "ann", tier="imminent", category="crime", start=start, end=start + 0.4
    )
    rows = await play_first_span(ws, "rev1")
    assert len(rows) == 1 and rows[0]["clip_id"] == clip_id
    assert rows[0]["start"] == pytest.approx(start, abs=0.05)
    assert rows[0]["end"] == pytest.approx(start + 0.4, abs=0.05)
