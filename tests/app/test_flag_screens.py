"""The annotator's sensitive-content screens with Pilot: escalate, critical panel, break, mine."""

from __future__ import annotations

import asyncio
import functools

import pytest
from textual.app import App

from earmark.clock import FakeClock
from earmark.store import open_store
from tests.support import HOSTILE, build_workspace

pytestmark = pytest.mark.usefixtures("realdata")


def sync(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


class Host(App):
    """Pushes one screen and keeps what it was dismissed with."""

    def __init__(self, make_screen) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.results: list = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.results.append)


@pytest.fixture
def ws(db_path, realdata):
    s = open_store(db_path, clock=FakeClock(1_800_000_000.0))
    s.ensure_user("lead")
    s.ensure_user("ann")
    s.ensure_user("ann2")
    build_workspace(s, unplayable=False)
    yield s
    s.close()


def text_of(screen, selector) -> str:
    return str(screen.query_one(selector).content)


# -- escalate ---------------------------------------------------------------------------------


@sync
async def test_escalate_needs_category_and_tier_then_records_the_span(ws):
    from earmark.app.screens.escalate import EscalateScreen

    clip = ws.clip(1)
    app = Host(lambda: EscalateScreen(ws, clip, "ann", playhead=5.0))
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.tier is None and screen.category is None  # nothing pre-chosen
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "category" in text_of(screen, "#escalate-error")
        await pilot.press("down", "enter")  # violence/assault
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "tier" in text_of(screen, "#escalate-error")
        assert screen.focused.id == "escalate-tier"
        await pilot.press("down", "enter")  # urgent
        await pilot.pause()
        assert "must act by" in text_of(screen, "#escalate-deadline")
        screen.query_one("#escalate-note").focus()
        await pilot.press(*"two voices, one says stop", "enter")
        await pilot.pause()
    assert ws.escalations() and app.results == [ws.escalations()[0].id]
    e = ws.escalations()[0]
    assert (e.tier, e.category, e.raised_by) == ("urgent", "violence/assault", "ann")
    assert (e.start, e.end) == (2.0, 7.0)
    assert e.note == "two voices, one says stop"
    assert e.deadline == ws.clock.now() + 4 * 3600


@sync
async def test_escalate_span_is_checked_and_cancel_records_nothing(ws):
    from earmark.app.screens.escalate import EscalateScreen, default_span

    clip = ws.clip(1)
    assert default_span(1.0, 60.0) == (0.0, 3.0)
    assert default_span(clip.duration, clip.duration)[1] == round(clip.duration, 2)
    app = Host(lambda: EscalateScreen(ws, clip, "ann", playhead=1.0))
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("enter", "tab", "enter")  # threat to life, imminent
        start = screen.query_one("#escalate-start")
        start.value = "9"
        screen.query_one("#escalate-end").value = "4"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "span" in text_of(screen, "#escalate-error")
        assert ws.escalations() == []
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None] and ws.escalations() == []


# -- critical ---------------------------------------------------------------------------------


@sync
async def test_critical_panel_enter_keeps_the_defaults(ws):
    from earmark.app.screens.critical import CriticalFlagScreen

    fid = ws.add_flag(1, "critical", "ann", start=2.0, end=2.0)
    words = ["my", "card", "number", "is", "four", "one"]
    app = Host(lambda: CriticalFlagScreen(ws, fid, ws.clip(1), words, user="ann"))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    f = ws.flag(fid)
    assert app.results == [True]
    assert (f.category, f.start, f.end, f.redact) == ("other", 2.0, 2.0, ())


@sync
async def test_critical_panel_category_span_and_words(ws):
    from earmark.app.screens.critical import CriticalFlagScreen

    fid = ws.add_flag(1, "critical", "ann", start=2.0, end=2.0)
    words = ["my", "card", "[bold]4111[/]", "1111"]
    app = Host(lambda: CriticalFlagScreen(ws, fid, ws.clip(1), words, user="ann"))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("alt+1")  # bank/card
        await pilot.press("tab")
        app.screen.focused.value = "1.5"
        await pilot.press("tab")
        app.screen.focused.value = "3.25"
        await pilot.press("tab")
        assert app.screen.focused.id == "critical-words"
        await pilot.press("down", "down", "space", "down", "space")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    f = ws.flag(fid)
    assert (f.category, f.start, f.end, f.redact) == ("bank/card", 1.5, 3.25, (2, 3))
    assert ws.audit_entries()[-1].action == "flag_update"
    assert "4111" not in ws.audit_entries()[-1].detail


@sync
async def test_critical_panel_escape_leaves_the_flag_as_recorded(ws):
    from earmark.app.screens.critical import CriticalFlagScreen

    fid = ws.add_flag(1, "critical", "ann", start=2.0, end=2.5, category="address")
    app = Host(lambda: CriticalFlagScreen(ws, fid, ws.clip(1), ["a", "b"], user="ann"))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("alt+2", "escape")
        await pilot.pause()
    assert app.results == [False] and ws.flag(fid).category == "address"
    assert ws.critical_clip_ids() == {1}


# -- break ------------------------------------------------------------------------------------


@sync
async def test_break_screen_counts_up_shows_the_lead_text_and_takes_opt_outs(ws):
    from earmark.app.screens.break_screen import BreakScreen

    ws.set_wellbeing("lead", soft_minutes=10, hard_minutes=30, break_text=HOSTILE)
    app = Host(lambda: BreakScreen(ws, "ann", "You flagged a distressing clip."))
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert "[bold]x[/]" in str(screen.query_one("#break-text").content)
        assert "hard limit 30" in text_of(screen, "#break-exposure")
        ws.clock.advance(75)
        screen.tick()
        assert text_of(screen, "#break-counter") == "on break 01:15"
        await pilot.press("space")  # first category: distressing
        await pilot.pause()
        assert ws.opt_outs("ann") == {"distressing"}
        await pilot.press("space")
        await pilot.pause()
        assert ws.opt_outs("ann") == set()
        await pilot.press("down", "down", "space", "enter")
        await pilot.pause()
    assert ws.opt_outs("ann") == {"violence/assault"}
    assert app.results == [75.0]


# -- the annotator's own escalations ----------------------------------------------------------


@sync
async def test_annotator_sees_own_escalations_with_outcome_only(ws):
    from textual.widgets import DataTable

    from earmark.app.screens.my_escalations import MyEscalationsScreen

    ws.grant_role("lead", "rev", "reviewer")
    mine = ws.raise_escalation(1, "ann", tier="urgent", category="crime")
    ws.raise_escalation(2, "ann2", tier="urgent", category="self-harm")
    ws.resolve_escalation(mine, "rev", "referred_safety_team", "passed on at 10:02")
    app = Host(lambda: MyEscalationsScreen(ws, "ann"))
    async with app.run_test() as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert row[0] == str(mine) and "resolved" in row[5]
        assert "referred safety team: passed on at 10:02" in row[6]
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]
