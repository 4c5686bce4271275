"""The review screen (`earmark qa`) under Pilot: the queue, the diff, the three outcomes,
the reviewer kept off their own clips, plays logged, keys from a keymap's [qa] table."""

from __future__ import annotations

import io

import pytest

from earmark.quality.review import marked_line, three_way
from tests.app.pilot import null_player_opener, wait_for
from tests.support import build_workspace


@pytest.fixture
def ws(store, realdata):
    """LibriVox clips: ann submitted four (one with hostile text), bob (a reviewer who also
    annotates) one; every submitted clip is in the sample."""
    store.ensure_user("lead")
    build_workspace(store, hostile=True, unplayable=False)
    store.set_batch_settings("sense", actor="lead", review_share=1.0)
    store.grant_role("lead", "rev", "reviewer")
    store.grant_role("lead", "bob", "reviewer")
    for cid in (1, 2, 3, 4):
        words = store.clip(cid).asr.split()
        store.start_clip(cid, "ann")
        store.submit(cid, " ".join([*words[:-1], "extra"]), "ann", 3.0)
    store.start_clip(5, "bob")
    store.submit(5, "bob heard this", "bob", 2.0)
    return store


def qa_app(store, user, **kw):
    from earmark.app.qa.app import QaApp

    kw.setdefault("open_player", null_player_opener())
    kw.setdefault("autoplay", False)
    return QaApp(store, user, **kw)


def _screen(app):
    return app.qa


def _text(app, selector: str) -> str:
    return str(_screen(app).query_one(selector).render())


def _plain(lines) -> str:
    """The diff as the terminal shows it, without colour."""
    from rich.console import Console

    from earmark.app.qa.diff_view import diff_text

    console = Console(width=78, record=True, color_system=None, file=io.StringIO())
    console.print(diff_text(lines))
    return console.export_text()


async def _ready(pilot, app) -> None:
    await wait_for(pilot, lambda: app.screen is _screen(app) and _screen(app).items is not None)
    await pilot.pause()


async def test_queue_lists_others_clips_with_the_diff(ws):
    app = qa_app(ws, "bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot, app)
        screen = _screen(app)
        assert [i.clip_id for i in screen.items] == [1, 2, 3, 4]  # never bob's own clip 5
        assert screen.current.clip_id == 1
        clip = ws.clip(1)
        lines = three_way(clip.asr, [("ann", clip.text)])
        assert marked_line(lines[1].pieces).endswith("~extra")


async def test_accept_is_saved_before_the_screen_says_so(ws):
    app = qa_app(ws, "rev")
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot, app)
        seen_in_db = []

        def status_changed() -> bool:
            text = _text(app, "#qa-status")
            if "saved" in text:
                seen_in_db.append(bool(ws.reviews(clip_id=1)))
                return True
            return False

        await pilot.press("a")
        await wait_for(pilot, status_changed)
        assert seen_in_db == [True]
        [r] = ws.reviews(clip_id=1)
        assert (r.outcome, r.reviewer, r.annotator) == ("accepted", "rev", "ann")
        assert 1 not in [i.clip_id for i in _screen(app).items]


async def test_fix_edits_the_text_and_shows_the_reviewers_line(ws):
    from earmark.app.qa.forms import FixScreen

    app = qa_app(ws, "rev")
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot, app)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FixScreen))
        await pilot.press("backspace", *"fixed")
        await pilot.pause()
        assert "~extrfixed" in _plain(app.screen.lines)
        assert [line.label for line in app.screen.lines] == ["ASR", "ann", "review"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(ws.reviews(clip_id=1)))
        [r] = ws.reviews(clip_id=1)
        assert r.outcome == "fixed" and r.text.endswith("extrfixed")
        assert ws.clip(1).text == r.text


async def test_reject_needs_a_reason_and_escape_saves_nothing(ws):
    from earmark.app.qa.forms import RejectScreen

    app = qa_app(ws, "rev")
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot, app)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RejectScreen))
        await pilot.press("enter")  # empty: stays
        assert isinstance(app.screen, RejectScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is _screen(app))
        assert ws.reviews() == []
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RejectScreen))
        await pilot.press(*"wrong clip", "enter")
        await wait_for(pilot, lambda: bool(ws.reviews(clip_id=1)))
        assert ws.reviews(clip_id=1)[0].note == "wrong clip"


async def test_a_refusal_is_shown_and_nothing_is_saved(ws):
    app = qa_app(ws, "rev")
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot, app)
        ws.record_review(1, "bob", "accepted")  # another reviewer got there first
        await pilot.press("a")
        await wait_for(pilot, lambda: "not saved" in _text(app, "#qa-status"))
        assert "reviewed already" in _text(app, "#qa-status")
        assert [r.reviewer for r in ws.reviews(clip_id=1)] == ["bob"]


async def test_hostile_transcript_is_drawn_inert(ws):
    app = qa_app(ws, "rev")
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot, app)
        await pilot.press("down")
        await wait_for(pilot, lambda: _screen(app).current.clip_id == 2)
        await pilot.pause()
        shown = _plain(_screen(app).lines)
        assert "\x1b" not in shown and "\u202e" not in shown
        assert "[bold]x[/]" in shown and "red" in shown  # markup shown as typed, escapes gone


async def test_play_and_word_play_are_logged(ws):
    app = qa_app(ws, "rev")
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot, app)
        playback = _screen(app).query_one("Playback")
        await wait_for(pilot, lambda: playback.ready())
        await pilot.press("right", "right")
        assert _screen(app).word == 2
        await pilot.press("w")
        await wait_for(pilot, lambda: bool(ws.plays(user="rev")), tries=1500)
        play = ws.plays(user="rev")[0]
        w = ws.clip(1).words[2]
        assert play["clip_id"] == 1
        assert abs(play["start"] - (w.start - 0.05)) < 0.1


async def test_keys_come_from_the_keymaps_qa_table(ws, tmp_path):
    from earmark.app.qa.keys import qa_keys

    km = tmp_path / "mine.toml"
    km.write_text('[bindings]\nsubmit = "enter"\n[qa]\nqa_accept = "y,f8"\n')
    keys = qa_keys(str(km))
    assert keys["qa_accept"] == "y,f8" and keys["qa_fix"] == "f,e"
    app = qa_app(ws, "rev", keys=keys)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot, app)
        await pilot.press("a")  # no longer accept
        await pilot.pause()
        assert ws.reviews() == []
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(ws.reviews(clip_id=1)))


def test_a_bad_qa_keymap_is_one_line(tmp_path):
    from earmark.app.qa.keys import qa_keys
    from earmark.errors import UserError

    km = tmp_path / "bad.toml"
    km.write_text('[qa]\nqa_acept = "y"\n')
    with pytest.raises(UserError, match="unknown review key id 'qa_acept'"):
        qa_keys(str(km))
    km.write_text('[qa]\nqa_accept = "ctrl+nosuch"\n')
    with pytest.raises(UserError, match="qa_accept"):
        qa_keys(str(km))
