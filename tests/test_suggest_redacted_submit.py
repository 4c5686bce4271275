"""Through the real annotator: words a critical flag marks for redaction are never learned
from the submit, while the rest of the same transcript is."""

from __future__ import annotations

import asyncio

import pytest

from earmark.redaction import Mark
from tests.app.pilot import editor_of, make_app, screen_of, settle, wait_for
from tests.support import build_workspace


@pytest.fixture
def ws(store, realdata):
    build_workspace(store)
    return store


def _offered(screen, fragment: str) -> list[str]:
    suggester = screen.suggest.suggester
    return [s.text for s in suggester.suggest(fragment, 5)] if suggester else []


def test_marked_words_of_a_submit_are_never_offered(ws):
    asyncio.run(_marked_words_never_offered(ws))


async def _marked_words_never_offered(ws):
    app = make_app(ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        s = screen_of(app)
        await wait_for(pilot, lambda: s.suggest.suggester is not None)
        for n in range(4):
            shown = s.clip_state.clip.id
            flag = ws.add_flag(shown, "critical", "ann", start=0.0, end=1.0, category="other")
            ws.set_redaction(flag, [Mark("zorbulaxian")], actor="ann")
            editor_of(app).value = ""
            await pilot.press(*f"the zorbulaxian quindlewort {n}", "enter")
            await wait_for(pilot, lambda shown=shown: s.clip_state.clip.id != shown)
            await settle(pilot, app)
        # the unmarked word of the same transcripts is learned: learning did run
        await wait_for(pilot, lambda: "quindlewort" in _offered(s, "quindle"))
        assert "zorbulaxian" not in _offered(s, "zorbu")
        words = dict((w, n) for w, n, _ in ws.offerable_words(1, 1000))
        assert "quindlewort" in words and "zorbulaxian" not in words
