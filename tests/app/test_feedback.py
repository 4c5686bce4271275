"""The annotator's feedback: a notice when a review outcome arrives, the screen (alt+o) with
only the annotator's own reviews, and outcomes shown once marked seen."""

from __future__ import annotations

import pytest

from earmark.app.screens.feedback import FeedbackScreen
from tests.app.pilot import make_app, notes, settle, wait_for
from tests.support import build_workspace


@pytest.fixture
def ws(store, realdata):
    store.ensure_user("lead")
    build_workspace(store, unplayable=False)
    store.grant_role("lead", "rev", "reviewer")
    for cid, who in ((1, "ann"), (2, "bob"), (3, "ann")):
        store.start_clip(cid, who)
        store.submit(cid, f"words by {who} \x1b[2J", who, 2.0)
    store.record_review(1, "rev", "fixed", text="words by the reviewer")
    store.record_review(2, "rev", "rejected", note="bob's secret note")
    return store


async def test_notice_then_screen_with_only_own_reviews(ws):
    app = make_app(ws, user="ann")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: any("A reviewer checked a clip" in n for n in notes(app)))
        assert any("alt+o shows the outcome" in n for n in notes(app))
        await pilot.press("alt+o")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedbackScreen))
        await pilot.pause()
        screen = app.screen
        assert [(f.clip, f.outcome) for f in screen.items] == [(ws.clip(1).name, "fixed")]
        assert screen.items[0].diff_text == "words by ~the +reviewer"
        assert screen.items[0].submitted == "words by ann"
        assert ws.feedback_seen("ann") == screen.items[0].id
        assert ws.feedback_seen("bob") == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, FeedbackScreen))


async def test_no_notice_for_outcomes_already_seen_or_for_others(ws):
    ws.mark_feedback_seen("ann", max(r.id for r in ws.reviews(annotator="ann")))
    app = make_app(ws, user="ann")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.pause(0.3)
        assert not any("reviewer checked" in n for n in notes(app))
        ws.record_review(3, "rev", "accepted")  # a new one arrives while ann works
        app.screen._check_feedback()
        await wait_for(pilot, lambda: any("A reviewer checked a clip" in n for n in notes(app)))


async def test_an_annotator_with_nothing_reviewed_is_told_so(ws):
    app = make_app(ws, user="carl")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("alt+o")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedbackScreen))
        await pilot.pause()
        assert app.screen.items == []
        assert "None of your clips" in str(app.screen.query_one("#feedback-title").render())
