"""Snapshots at 80x24 of `earmark qa` (queue, fix form, reject form, help, empty queue) and
of the annotator's feedback screen (update: pytest --snapshot-update).

Deterministic: a fake clock, audio on the null output with autoplay off (the playhead rests
at 0), every submitted clip sampled, the same LibriVox clips and transcripts."""

from __future__ import annotations

import pytest
from textual.app import App

from tests.app.pilot import null_player_opener, wait_for
from tests.support import build_workspace

SIZE = (80, 24)


@pytest.fixture
def ws(store, realdata):
    store.ensure_user("lead")
    build_workspace(store, unplayable=False)
    store.set_batch_settings("sense", actor="lead", review_share=1.0)
    store.grant_role("lead", "rev", "reviewer")
    for cid, change in ((1, "extra"), (2, None), (3, "fine")):
        words = store.clip(cid).asr.split()
        if change == "fine":
            words = ["a", *words[1:]]
        elif change:
            words = [*words[:-1], change, "words"]
        store.start_clip(cid, "ann")
        store.submit(cid, " ".join(words), "ann", 3.0)
    return store


def _app(ws):
    from earmark.app.qa.app import QaApp

    return QaApp(ws, "rev", open_player=null_player_opener(), autoplay=False)


async def _loaded(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.screen is app.qa and app.qa.current is not None)
    playback = app.qa.query_one("Playback")
    await wait_for(pilot, lambda: playback.decoded is not None and playback.player is not None)
    await pilot.pause()


def test_qa_queue(snap_compare, ws):
    assert snap_compare(_app(ws), terminal_size=SIZE, run_before=_loaded)


def test_qa_fix_form(snap_compare, ws):
    async def before(pilot):
        await _loaded(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "FixScreen")
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.press(*"dashwood")
        await pilot.pause()

    assert snap_compare(_app(ws), terminal_size=SIZE, run_before=before)


def test_qa_reject_form(snap_compare, ws):
    async def before(pilot):
        await _loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "RejectScreen")
        await pilot.press(*"half the clip is missing")
        await pilot.pause()

    assert snap_compare(_app(ws), terminal_size=SIZE, run_before=before)


def test_qa_help(snap_compare, ws):
    async def before(pilot):
        await _loaded(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "QaHelpScreen")
        await pilot.pause()

    assert snap_compare(_app(ws), terminal_size=SIZE, run_before=before)


def test_qa_empty_queue(snap_compare, store, realdata):
    store.ensure_user("lead")
    build_workspace(store, unplayable=False)
    store.grant_role("lead", "rev", "reviewer")

    async def before(pilot):
        await wait_for(pilot, lambda: pilot.app.screen is pilot.app.qa)
        await pilot.pause()

    assert snap_compare(_app(store), terminal_size=SIZE, run_before=before)


class Host(App[None]):
    def __init__(self, ws) -> None:
        super().__init__()
        self.ws = ws

    def on_mount(self) -> None:
        from earmark.app.screens.feedback import FeedbackScreen

        self.push_screen(FeedbackScreen(self.ws, "ann"))


def test_feedback_screen(snap_compare, ws):
    text = ws.clip(1).text.replace("extra words", "them")
    ws.record_review(1, "rev", "fixed", text=text.replace("mister", "mr"))
    ws.record_review(2, "rev", "rejected", note="the second half is another speaker")
    ws.record_review(3, "rev", "accepted")

    async def before(pilot):
        await pilot.pause()
        await pilot.press("down", "down")  # the fixed one, with its diff
        await pilot.pause()

    assert snap_compare(Host(ws), terminal_size=SIZE, run_before=before)
