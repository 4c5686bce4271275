"""Submitting a clip flagged critical while a word marked for redaction has left the transcript:
the annotator is told which word and must press the key again (the real app, real store)."""

from __future__ import annotations

import pytest

from earmark.redaction import marks_from_indexes
from tests.app.pilot import audio_loaded, make_app, screen_of, settle, wait_for
from tests.support import build_workspace

NO_SUGGEST = {"suggester_factory": lambda store: None}


@pytest.fixture
def ws(store, realdata):
    build_workspace(store)
    return store


async def _flagged(pilot, app, ws, words: list[str], marked: list[int]):
    await settle(pilot, app)
    await audio_loaded(pilot, app)
    s = screen_of(app)
    clip_id = s.clip_state.clip.id
    fid = ws.add_flag(clip_id, "critical", "ann", start=0.0, end=1.0)
    ws.set_redaction(fid, marks_from_indexes(words, marked), actor="ann")
    s.editor.value = " ".join(words)
    await pilot.pause()
    return s, clip_id


@pytest.mark.parametrize("key", ["enter", "f8"])
async def test_a_marked_word_edited_away_asks_before_submitting(ws, key):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(100, 40)) as pilot:
        words = ["my", "name", "is", "zebulon", "quartermaine"]
        s, clip_id = await _flagged(pilot, app, ws, words, [3, 4])
        if key == "f8":  # the guess has neither marked word
            s.editor.value = s.clip_state.clip.asr
            await pilot.pause()
        else:
            s.editor.value = "my name is zebulon"
            await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert ws.clip(clip_id).status != "done"
        message = str(s.query_one("#message").render())
        assert (
            "quartermaine" in message
            and "no longer in the transcript" in message
            and "withholds" in message
        )
        await pilot.press(key)
        await wait_for(pilot, lambda: ws.clip(clip_id).status == "done")


async def test_marks_still_in_the_text_submit_at_once(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(100, 40)) as pilot:
        words = ["my", "name", "is", "zebulon", "quartermaine"]
        s, clip_id = await _flagged(pilot, app, ws, words, [3, 4])
        s.editor.value = "so my name is Zebulon Quartermaine."
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: ws.clip(clip_id).status == "done")
