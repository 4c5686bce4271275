"""Through the real annotator: words learned from submits are offered from three clips on."""

from __future__ import annotations

import pytest

from tests.app.pilot import make_app, settle
from tests.support import build_workspace


@pytest.fixture
def ws(store, realdata):
    build_workspace(store)
    return store


def _screen(app):
    from earmark.app.screens.annotate import AnnotateScreen

    return next(s for s in app.screen_stack if isinstance(s, AnnotateScreen))


def _suggester(screen):
    return screen.suggest.suggester


def _editor(app):
    from earmark.app.widgets.editor import TranscriptInput

    return _screen(app).query_one(TranscriptInput)


def _bar(app):
    from earmark.app.widgets.suggestions import SuggestionsBar

    return _screen(app).query_one(SuggestionsBar)


async def _until(pilot, cond, tries=600):
    for _ in range(tries):
        if cond():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never became true")


async def test_a_submitted_word_is_offered_once_three_clips_had_it(ws):
    app = make_app(ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        s = _screen(app)
        await _until(pilot, lambda: _suggester(s) is not None)
        for n in range(3):
            shown = s.clip_state.clip.id
            _editor(app).value = ""
            await pilot.press(*f"the zorbulaxian fleet {n}", "enter")
            await _until(pilot, lambda shown=shown: s.clip_state and s.clip_state.clip.id != shown)
            await settle(pilot, app)
            _editor(app).value = ""
            await pilot.press(*"zorbu")
            if n < 2:  # one or two clips: it stays with them
                await pilot.pause(0.1)
                assert "zorbulaxian" not in _bar(app).words
        await _until(pilot, lambda: "zorbulaxian" in _bar(app).words)
        assert _bar(app).words[0] == "zorbulaxian"
