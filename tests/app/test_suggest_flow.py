"""What the annotator is offered while typing: their fragment leads, and submits teach."""

import pytest

from earmark.app.screens.annotate import _rank_word_suggestions
from earmark.store import Clip
from tests.app.pilot import editor_of as _editor
from tests.app.pilot import make_app, settle
from tests.app.pilot import screen_of as _screen
from tests.app.pilot import wait_for as _wait
from tests.support import build_workspace


@pytest.fixture
def ws(store, realdata):
    build_workspace(store)
    return store


def _clip(asr: str) -> Clip:
    return Clip(
        id=1,
        name="c",
        batch="b",
        audio="/x.wav",
        duration=1.0,
        samplerate=16000,
        channels=1,
        asr=asr,
        words=(),
        alternatives=(),
        status="pending",
        skip_reason=None,
        text=None,
        annotator=None,
        seconds_on_clip=0.0,
        submitted_at=None,
    )


def test_on_the_recognisers_word_its_alternatives_lead():
    clip = _clip("play this bus eat oh")
    assert _rank_word_suggestions("bus", ["despacito"], ["bush", "busy"], clip) == [
        "despacito",
        "bush",
        "busy",
    ]


def test_once_the_annotator_types_something_else_their_fragment_leads():
    clip = _clip("it's a vegas casino by louis ponzi")
    got = _rank_word_suggestions(
        "despac", ["discuss evil", "despacito"], ["Despacito", "despair"], clip
    )
    assert got[:2] == ["despacito", "Despacito"]
    assert got.index("discuss evil") > got.index("despair")


async def test_a_submitted_word_is_suggested_on_the_next_clip(ws):
    app = make_app(ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        s = _screen(app)
        await _wait(pilot, lambda: s.suggester is not None)
        first = s.clip_state.clip.id
        _editor(app).value = ""
        await pilot.press(*"the zorbulaxian fleet", "enter")
        await settle(pilot, app)
        assert s.clip_state.clip.id != first
        from earmark.app.widgets.suggestions import SuggestionsBar

        bar = s.query_one(SuggestionsBar)
        _editor(app).value = ""
        await pilot.press(*"zorbu")
        await _wait(pilot, lambda: "zorbulaxian" in bar.words)
        assert bar.words[0] == "zorbulaxian"
