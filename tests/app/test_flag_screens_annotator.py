"""The sensitive-content flows on the real annotator app (real store, null audio output)."""

from __future__ import annotations

import pytest

from tests.app.pilot import audio_loaded, make_app, settle
from tests.app.pilot import screen_of as _screen
from tests.app.pilot import wait_for as _wait
from tests.support import build_workspace

NO_SUGGEST = {"suggester_factory": lambda store: None}


async def _ready(pilot, app):
    await settle(pilot, app)
    await audio_loaded(pilot, app)
    return _screen(app)


@pytest.fixture
def ws(store, realdata):
    store.ensure_user("lead")
    store.grant_role("lead", "rev", "reviewer")
    build_workspace(store)
    return store


def test_words_in_selection():
    from earmark.escalation import words_in_selection

    text = "my card is 4111 1111 ok"
    assert words_in_selection(text, 11, 20) == [3, 4]
    assert words_in_selection(text, 20, 11) == [3, 4]
    assert words_in_selection(text, 12, 13) == [3]
    assert words_in_selection(text, 5, 5) == []


async def test_distressing_stops_playback_warns_and_offers_a_break(ws):
    from earmark.app.screens.break_screen import BreakScreen

    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        s = await _ready(pilot, app)
        clip_id = s.clip_state.clip.id
        s.playback.player.play()
        await _wait(pilot, lambda: s.playback.player.state == "playing")
        s.sensitive.flag_distressing()
        assert s.playback.player.state != "playing"  # stopped before anything else happened
        await pilot.pause()
        assert isinstance(app.screen, BreakScreen)
        assert [f.kind for f in ws.flags_for_clip(clip_id)] == ["distressing"]
        assert "Content warning" in str(s.query_one("#message").content)
        assert not s.sensitive.autoplay_allowed(clip_id)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is s


async def test_escalation_from_key_to_outcome_and_back(ws):
    from earmark.app.screens.escalate import EscalateScreen
    from earmark.app.screens.my_escalations import MyEscalationsScreen

    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(100, 40)) as pilot:
        s = await _ready(pilot, app)
        clip_id = s.clip_state.clip.id
        s.playback.player.seek(4.0)
        helper = s.sensitive
        helper.escalate()
        await pilot.pause()
        assert isinstance(app.screen, EscalateScreen)
        await pilot.press("down", "enter", "tab", "enter")  # violence/assault, imminent
        app.screen.query_one("#escalate-note").focus()
        await pilot.press(*"a scream at 4 s", "enter")
        await pilot.pause()
        assert app.screen is s
        (e,) = ws.escalations()
        assert (e.clip_id, e.tier, e.category, e.raised_by) == (
            clip_id,
            "imminent",
            "violence/assault",
            "ann",
        )
        assert e.start == pytest.approx(1.0, abs=0.1)
        # a reviewer acts elsewhere; the annotator is told, and sees it in their list
        ws.acknowledge_escalation(e.id, "rev")
        assert helper.poll_own(force=True) == [
            f"Your escalation #{e.id} (violence/assault): a reviewer has it."
        ]
        ws.resolve_escalation(e.id, "rev", "referred_safety_team", "called the safety desk")
        said = helper.poll_own(force=True)
        assert said and "resolved: referred safety team" in said[0]
        helper.show_mine()
        await pilot.pause()
        assert isinstance(app.screen, MyEscalationsScreen)
        row = [str(c) for c in app.screen.query_one("#mine-table").get_row_at(0)]
        assert "resolved" in row[5] and "called the safety desk" in row[6]


async def test_critical_marks_selected_words_and_enter_keeps(ws):
    from earmark.app.screens.critical import CriticalFlagScreen
    from earmark.app.widgets.editor import TranscriptInput

    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(100, 40)) as pilot:
        s = await _ready(pilot, app)
        editor = s.query_one(TranscriptInput)
        editor.value = "my card is 4111 1111 thanks"
        from textual.widgets.input import Selection

        editor.selection = Selection(11, 20)
        fid = s.sensitive.flag_critical()
        await pilot.pause()
        assert isinstance(app.screen, CriticalFlagScreen)
        await pilot.press("alt+1", "enter")
        await pilot.pause()
        assert app.screen is s
    f = ws.flag(fid)
    assert (f.category, f.redact) == ("bank/card", (3, 4))


async def test_the_critical_key_records_a_span_around_the_playhead(ws):
    """Muting downstream needs a span: the words just heard, not a point at the playhead."""
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(100, 40)) as pilot:
        s = await _ready(pilot, app)
        s.playback.player.seek(4.0)
        fid = s.sensitive.flag_critical()
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    f = ws.flag(fid)
    assert f.start == pytest.approx(1.0, abs=0.1)
    assert f.end is not None and f.end > f.start + 1.0


async def test_meter_offers_a_break_once_per_limit(ws):
    from earmark.app.screens.break_screen import BreakScreen

    ws.set_wellbeing("lead", soft_minutes=1, hard_minutes=3)
    ws.add_flag(2, "distressing", "someone")
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(100, 40)) as pilot:
        s = await _ready(pilot, app)
        helper = s.sensitive
        assert helper.meter() == ""  # nothing flagged heard yet
        ws.log_play("ann", 2, 0.0, 90.0, 1.0)
        ws.clock.advance(10)
        assert "time for a break" in helper.meter()
        await pilot.pause()
        assert isinstance(app.screen, BreakScreen)
        await pilot.press("escape")
        await pilot.pause()
        ws.clock.advance(10)
        helper.meter()
        await pilot.pause()
        assert app.screen is s  # offered once, not again
        ws.log_play("ann", 2, 0.0, 120.0, 1.0)
        ws.clock.advance(10)
        assert "routed away" in helper.meter()
        await pilot.pause()
        assert isinstance(app.screen, BreakScreen)
        assert not app.session.store.routed_away_clip_ids("ann", at_hard_limit=False)
        assert helper.wellbeing.routed_away() == {2}


# -- through the real keys (default keymap) ---------------------------------------------------


async def test_a_warned_clip_does_not_autoplay_others_do(ws):
    ws.add_flag(1, "distressing", "someone")
    app = make_app(ws, autoplay=True, **NO_SUGGEST)
    async with app.run_test(size=(100, 40)) as pilot:
        s = await _ready(pilot, app)
        assert s.clip_state.clip.id == 1
        assert "Content warning" in str(s.query_one("#message").content)
        await pilot.pause(0.3)
        assert s.playback.player.state != "playing"
        await pilot.press("ctrl+n")
        await _wait(pilot, lambda: s.clip_state.clip.id == 2 and s.playback.decoded is not None)
        await _wait(pilot, lambda: s.playback.player.state == "playing")
        assert "Content warning" not in str(s.query_one("#message").content)


async def test_keys_distressing_escalate_and_own_list(ws):
    from earmark.app.screens.break_screen import BreakScreen
    from earmark.app.screens.escalate import EscalateScreen
    from earmark.app.screens.my_escalations import MyEscalationsScreen
    from earmark.app.widgets.status import StatusLine

    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(100, 40)) as pilot:
        s = await _ready(pilot, app)
        clip_id = s.clip_state.clip.id
        s.playback.player.play()
        await _wait(pilot, lambda: s.playback.player.state == "playing")
        await pilot.press("alt+d")
        await _wait(pilot, lambda: isinstance(app.screen, BreakScreen))
        assert s.playback.player.state != "playing"
        await pilot.press("enter")
        await _wait(pilot, lambda: app.screen is s)
        await pilot.press("alt+e")
        await _wait(pilot, lambda: isinstance(app.screen, EscalateScreen))
        await pilot.press(
            "enter", "tab", "down", "down", "enter", "ctrl+s"
        )  # threat to life, standard
        await _wait(pilot, lambda: app.screen is s)
        (e,) = ws.escalations()
        assert (e.clip_id, e.tier, e.category) == (clip_id, "standard", "threat to life")
        ws.resolve_escalation(e.id, "rev", "false_alarm", "a radio play")
        await pilot.press("alt+m")
        await _wait(pilot, lambda: isinstance(app.screen, MyEscalationsScreen))
        row = [str(c) for c in app.screen.query_one("#mine-table").get_row_at(0)]
        assert "false alarm: a radio play" in row[6]
        await pilot.press("escape")
        await _wait(pilot, lambda: app.screen is s)
        # what was heard of this (now flagged) clip shows in the status line
        ws.log_play("ann", clip_id, 0.0, 30.0, 1.0)
        ws.clock.advance(10)
        await _wait(
            pilot, lambda: s.query_one(StatusLine).info.exposure.startswith("exposure 0/45")
        )
