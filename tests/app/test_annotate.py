"""Pilot tests of the annotate screen: every binding and flow, on real speech and a real store.

Audio goes to the Player's null output (real playback code, no sound card), so playback
bindings are exercised for real; timing is never asserted.
"""

from __future__ import annotations

import pytest

from earmark.keymap import ALL_IDS, load_keymap
from tests.app.pilot import audio_loaded as _audio_loaded
from tests.app.pilot import editor_of as _editor
from tests.app.pilot import make_app, settle
from tests.app.pilot import notes as _notes
from tests.app.pilot import screen_of as _screen
from tests.app.pilot import wait_for as _wait
from tests.support import HOSTILE, build_workspace

NO_SUGGEST = {"suggester_factory": lambda store: None}


@pytest.fixture
def ws(store, realdata):
    build_workspace(store)
    return store


# -- the screen and moving on ---------------------------------------------------------------
async def test_first_clip_and_status_line(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        s = _screen(app)
        assert s.clip_state.clip.name == "clip-00"
        await _audio_loaded(pilot, app)
        s._refresh_status()
        status = str(s.query_one("#status").render())
        assert "sense" in status and "clip 1 of 6" in status and "today 0" in status
        assert "stopped" in status  # null output: audio works, autoplay off
        assert _editor(app).value == s.clip_state.clip.asr
        assert app.focused is _editor(app)


async def test_submit_is_durable_and_next_clip_follows(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        first = _screen(app).clip_state.clip
        editor = _editor(app)
        editor.value = ""
        await pilot.press(*"and mister john")
        await pilot.press("enter")
        await settle(pilot, app)
        saved = ws.clip(first.id)
        assert saved.status == "done" and saved.text == "and mister john"
        assert _screen(app).clip_state.clip.name == "clip-01"
        assert _screen(app).done_today == 1


async def test_empty_transcript_is_not_submitted(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        _editor(app).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert ws.clip(_screen(app).clip_state.clip.id).status == "in_progress"
        assert any("empty" in n for n in _notes(app))


@pytest.mark.parametrize("key", ["f8", "ctrl+g"])
async def test_accept_asr_submits_an_unedited_guess_with_one_key(ws, key):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        clip = _screen(app).clip_state.clip
        await pilot.press(key)
        await settle(pilot, app)
        assert ws.clip(clip.id).text == clip.asr
        assert _screen(app).clip_state.clip.id != clip.id


async def test_accept_asr_after_an_edit_shows_what_it_drops_and_asks_again(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        s = _screen(app)
        clip = s.clip_state.clip
        await pilot.press("end", "space", "x", "y", "z", "f8")
        await pilot.pause()
        # nothing submitted; the guess is in the editor and the message names the dropped edit
        assert ws.clip(clip.id).status == "in_progress"
        assert _editor(app).value == clip.asr
        message = s.query_one("#message").content.plain
        assert "xyz" in message and "again" in message
        # the edit is one undo away, and F8 then asks again rather than submitting
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert _editor(app).value.endswith(" xyz")
        await pilot.press("f8")
        await pilot.pause()
        assert ws.clip(clip.id).status == "in_progress"
        await pilot.press("f8")
        await settle(pilot, app)
        assert ws.clip(clip.id).text == clip.asr
        assert s.clip_state.clip.id != clip.id


async def test_skip_asks_reason_and_escape_goes_back(ws):
    from earmark.app.screens.skip import SkipScreen

    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        clip = _screen(app).clip_state.clip
        await pilot.press("f9")
        assert isinstance(app.screen, SkipScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, SkipScreen)
        assert ws.clip(clip.id).status == "in_progress"
        await pilot.press("alt+s")
        await pilot.press("2")
        await settle(pilot, app)
        c = ws.clip(clip.id)
        assert (c.status, c.skip_reason) == ("skipped", "unintelligible")
        await pilot.press("f9", "down", "down", "enter")  # arrows and enter pick too
        await settle(pilot, app)
        assert ws.clip_by_name("clip-01").skip_reason == "wrong language"


async def test_unplayable_clip_passed_over_with_reason_once(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("f8")
        await settle(pilot, app)
        assert _screen(app).clip_state.clip.name == "clip-02"
        notes = [n for n in _notes(app) if "unplayable" in n]
        assert len(notes) == 1 and "no data chunk" in notes[0]
        await pilot.press("pageup")
        await settle(pilot, app)
        await pilot.press("pagedown")
        await settle(pilot, app)
        assert len([n for n in _notes(app) if "unplayable" in n]) == 1


async def test_clip_failing_to_decode_is_skipped_automatically(store, realdata):
    from earmark.store import NewClip

    b = store.batch_id("b")
    store.add_clips(
        b,
        [
            NewClip(name="looks-fine", audio=str(realdata / "malformed" / "bad.wav"), asr="hello"),
            NewClip(name="good", audio=str(next((realdata / "librivox").glob("*.wav"))), asr="ok"),
        ],
    )
    app = make_app(store, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app, clip_id=store.clip_by_name("good").id)
        bad = store.clip_by_name("looks-fine")
        assert bad.status == "unplayable" and bad.skip_reason
        assert any("unplayable" in n for n in _notes(app))


async def test_next_prev_move_without_submitting_and_keep_draft(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        first = _screen(app).clip_state.clip
        await pilot.press("end", *" extra")
        await pilot.press("pagedown")
        await settle(pilot, app)
        assert _screen(app).clip_state.clip.name == "clip-01"
        assert ws.clip(first.id).status == "in_progress"
        assert ws.draft(first.id).text.endswith(" extra")
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        assert _editor(app).value.endswith(" extra")
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert _screen(app).clip_state.clip.name == "clip-01"


async def test_reopen_submitted_clip_and_change_it(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        first = _screen(app).clip_state.clip
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("pageup")
        await settle(pilot, app)
        s = _screen(app)
        assert s.clip_state.reopened
        assert "Reopened" in str(s.query_one("#message").render())
        s._refresh_status()
        assert "reopened" in str(s.query_one("#status").render())
        _editor(app).value = "changed text"
        await pilot.press("enter")
        await settle(pilot, app)
        assert ws.clip(first.id).text == "changed text"
        assert [r["text"] for r in ws.revisions(first.id)] == [first.asr, "changed text"]


async def _submit_the_only_clip(pilot, app):
    """F8 on a project of one clip: the end of the queue; the annotate screen."""
    await settle(pilot, app)
    await pilot.press("f8")
    await settle(pilot, app)
    s = _screen(app)
    assert s.clip_state is None
    return s


async def test_end_of_queue_says_what_is_left_and_prev_returns(store, realdata):
    from tests.support import librivox_clips

    b = store.batch_id("b")
    store.add_clips(b, librivox_clips()[:1])
    app = make_app(store, **NO_SUGGEST)
    async with app.run_test() as pilot:
        s = await _submit_the_only_clip(pilot, app)
        assert "1 of 1 done" in str(s.query_one("#message").render())
        status = str(s.query_one("#status").render())
        assert "end of queue" in status and "clip 0" not in status
        await pilot.press("enter", "f8", "f9", "x")  # nothing breaks with no clip
        await pilot.press("pageup")
        await settle(pilot, app)
        assert s.clip_state is not None and s.clip_state.reopened


async def test_at_the_end_of_the_queue_new_work_comes_without_a_key(store, realdata, monkeypatch):
    """SQLite announces nothing: the annotator at the end looks again every LOOK_AGAIN
    seconds, so clips imported meanwhile are given to them with no key pressed."""
    from earmark.app.screens.annotate import workers
    from tests.support import librivox_clips

    monkeypatch.setattr(workers, "LOOK_AGAIN", 0.5)
    clips = librivox_clips()
    store.add_clips(store.batch_id("b"), clips[:1])
    app = make_app(store, **NO_SUGGEST)
    async with app.run_test() as pilot:
        s = await _submit_the_only_clip(pilot, app)
        store.add_clips(store.batch_id("b"), clips[1:2])  # a lead imports more
        await _wait(pilot, lambda: s.clip_state is not None)
        assert s.clip_state.clip.name == clips[1].name and not s.clip_state.reopened
        assert (s.clip_state.position, s.clip_state.total) == (2, 2)


# -- drafts -----------------------------------------------------------------------------------
async def test_draft_autosaves_while_typing_and_on_quit(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        clip = _screen(app).clip_state.clip
        await pilot.press("end", *" abc")
        await _wait(
            pilot, lambda: ws.draft(clip.id) is not None and ws.draft(clip.id).text.endswith(" abc")
        )
        await pilot.press(*"de")
        await pilot.press("ctrl+q")
    assert ws.draft(clip.id).text.endswith(" abcde")
    # and a new app resumes on it, with the draft
    app2 = make_app(ws, **NO_SUGGEST)
    async with app2.run_test() as pilot:
        await settle(pilot, app2)
        assert _screen(app2).clip_state.clip.id == clip.id
        assert _editor(app2).value.endswith(" abcde")


# -- typing never triggers a command ------------------------------------------------------------
async def test_typing_only_types(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        clip = _screen(app).clip_state.clip
        _editor(app).value = ""
        text = "q?hs fnp 12345 [bold] :;!"
        await pilot.press(*text)
        await pilot.pause()
        assert _editor(app).value == text
        assert _screen(app).clip_state.clip.id == clip.id
        assert app.is_running and app.screen is _screen(app)


# -- audio ------------------------------------------------------------------------------------
async def test_playback_bindings_drive_the_player(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await _audio_loaded(pilot, app)
        s = _screen(app)
        p = s.playback.player
        assert p.available and p.state in ("stopped", "empty")
        await pilot.press("ctrl+space")
        assert p.state == "playing"
        await pilot.press("f5")
        assert p.state == "paused"
        await pilot.press("f5")
        assert p.state == "playing"
        await pilot.press("f11")  # stop: pause, stay put
        assert p.state == "paused"
        p.seek(3.0)
        await pilot.press("f2")
        assert p.position() == pytest.approx(1.0, abs=0.3)
        await pilot.press("ctrl+f")
        assert p.position() == pytest.approx(3.0, abs=0.3)
        await pilot.press("f6", "f6")
        assert s.playback.speed == pytest.approx(0.8) and p.speed == pytest.approx(0.8)
        await pilot.press("ctrl+up", "f7", "f7", "f7")
        assert s.playback.speed == pytest.approx(1.2)
        s._refresh_status()
        assert "1.2x" in str(s.query_one("#status").render())
        await pilot.press("alt+0")
        assert s.playback.speed == 1.0


async def test_autoplay_plays_each_clip_on_arrival(ws):
    app = make_app(ws, autoplay=True, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await _audio_loaded(pilot, app)
        assert _screen(app).playback.player.state == "playing"


async def test_replay_word_plays_word_under_cursor(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await _audio_loaded(pilot, app)
        s = _screen(app)
        clip = s.clip_state.clip
        calls = []
        real_play = s.playback.player.play
        s.playback.player.play = lambda start=None, end=None, **kw: (
            calls.append((start, end)),
            real_play(start, end, **kw),
        )
        editor = _editor(app)
        editor.cursor_position = editor.value.index(clip.words[3].word) + 1
        await pilot.press("f4")
        w = clip.words[3]
        assert calls and calls[0][0] == pytest.approx(w.start - 0.05, abs=1e-6)
        assert calls[0][1] == pytest.approx(w.end + 0.05, abs=1e-6)


async def test_no_audio_shows_reason_and_still_annotates(ws):
    app = make_app(ws, player_opener=lambda: None, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await pilot.pause(0.1)
        s = _screen(app)
        s._refresh_status()
        assert "no audio" in str(s.query_one("#status").render())
        await pilot.press("f5")
        assert any("no audio" in n for n in _notes(app))
        await pilot.press("f8")
        await settle(pilot, app)
        assert ws.clip_by_name("clip-00").status == "done"


# -- editing help ------------------------------------------------------------------------------
async def test_suggestions_from_lexicon_and_keys_to_take_them(ws):
    app = make_app(ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        s = _screen(app)
        await _wait(pilot, lambda: s.suggest.suggester is not None)
        from earmark.app.widgets.suggestions import SuggestionsBar

        bar = s.query_one(SuggestionsBar)
        _editor(app).value = ""
        await pilot.press(*"mr dashw")
        await _wait(pilot, lambda: bar.words[:1] == ["dashwood"])
        await pilot.press("tab")
        assert _editor(app).value == "mr dashwood"
        await pilot.press(*" norl")
        await _wait(pilot, lambda: len(bar.words) >= 2)
        second = bar.words[1]
        await pilot.press("alt+2")
        assert _editor(app).value == f"mr dashwood {second}"
        # each suggestion taken is one undo step
        await pilot.press("ctrl+z")
        assert _editor(app).value == "mr dashwood norl"


async def test_whole_utterance_suggestion(ws):
    first_asr = None
    app = make_app(ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        s = _screen(app)
        await _wait(pilot, lambda: s.suggest.suggester is not None)
        first_asr = s.clip_state.clip.asr
        # a transcript submitted earlier that the next clip's guess matches closely
        s.suggest.suggester.add_transcript(first_asr.replace("mister", "mr"))
        s.suggest.suggester.set_context(first_asr, ())
        s._update_suggestions_now()
        from earmark.app.widgets.suggestions import SuggestionsBar

        bar = s.query_one(SuggestionsBar)
        assert bar.utterance == first_asr.replace("mister", "mr")
        await pilot.press("alt+u")
        assert _editor(app).value == first_asr.replace("mister", "mr")


async def test_jump_between_unsure_words_and_alternatives(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        clip = _screen(app).clip_state.clip
        editor = _editor(app)
        editor.cursor_position = 0
        unsure = clip.words[2].word
        await pilot.press("alt+right")
        assert editor.cursor_position == editor.value.index(f" {unsure} ") + 1
        await pilot.press("alt+left")  # only one unsure word: wraps onto itself
        assert editor.cursor_position == editor.value.index(f" {unsure} ") + 1
        await pilot.press("alt+a")
        assert editor.value == clip.alternatives[0]
        await pilot.press("alt+a")
        assert editor.value == clip.asr


async def test_flags_recorded_at_playhead(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await _audio_loaded(pilot, app)
        s = _screen(app)
        s.playback.player.seek(1.5)
        # each key records first; its panel (critical), break (distressing) or form (escalate)
        # follows and is closed here with enter / escape
        await pilot.press("alt+c", "enter", "alt+d")
        await pilot.pause()
        await pilot.press("enter", "alt+e")
        await pilot.pause()
        await pilot.press("escape")
        flags = ws.flags_for_clip(s.clip_state.clip.id)
        assert [f.kind for f in flags] == ["critical", "distressing"]
        assert flags[0].start < 1.5 < flags[0].end  # the words around the playhead
        assert flags[0].raised_by == "ann"


# -- help and keymaps ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", [None, "scribe", "laptop"])
async def test_help_lists_every_binding_with_active_key(ws, name):
    from earmark.app.bindings import key_label
    from earmark.app.screens.help import HelpScreen
    from earmark.command_table import COMMANDS

    km = load_keymap(name)
    app = make_app(ws, keymap=km, **NO_SUGGEST)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press(km.keys("help")[0])
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#help-text").render()
        lines = str(text).splitlines()
        for bid in ALL_IDS:
            keys = ", ".join(key_label(k) for k in km.keys(bid))
            row = next(ln for ln in lines if ln.strip().startswith(keys + "  "))
            described = next(c.description for c in COMMANDS if c.id == bid)
            assert described[:20] in row, (bid, row)
        assert any("ctrl+w" in ln for ln in lines)  # the editor's own keys are listed too
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_scribe_keymap_drives_the_app(ws):
    app = make_app(ws, keymap=load_keymap("scribe"), **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await _audio_loaded(pilot, app)
        s = _screen(app)
        await pilot.press("f9")  # pedal: play
        assert s.playback.player.state == "playing"
        await pilot.press("f4")  # pedal: stop
        assert s.playback.player.state == "paused"
        clip = s.clip_state.clip
        await pilot.press("f12")  # accept the guess
        await settle(pilot, app)
        assert ws.clip(clip.id).status == "done"


async def test_keymap_warnings_and_clashes_are_told(ws, tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('[bindings]\nsubmit = "f9"\n')
    app = make_app(ws, keymap=load_keymap(str(f)), **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        assert any("f9" in n and "skip" in n for n in _notes(app))
        clip = _screen(app).clip_state.clip
        await pilot.press("f9")
        await settle(pilot, app)
        assert ws.clip(clip.id).status == "done"
        # a clash made at run time (Textual's own detection) is told too
        app.set_keymap({**app.keymap.bindings, "faster": "f6"})
        await pilot.press("f6")
        await pilot.pause()
        assert any("clash" in n for n in _notes(app))


# -- untrusted text ---------------------------------------------------------------------------
async def test_hostile_text_is_shown_literally_and_cannot_act(store, realdata):
    build_workspace(store, hostile=True, unplayable=False)
    app = make_app(store, **NO_SUGGEST)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("f8")
        await settle(pilot, app)
        s = _screen(app)
        clip = s.clip_state.clip
        assert "[@click=app.quit]" in clip.asr
        asr = s.query_one("#asr").render()
        plain = str(asr)
        assert "[bold]x[/]" in plain and "[@click=app.quit]q[/]" in plain
        for bad in ("\x1b", "\x00", "\u202e"):
            assert bad not in plain and bad not in _editor(app).value
        # clicking the text does not run the embedded action
        await pilot.click("#asr", offset=(8, 0))
        await pilot.click("#asr", offset=(25, 0))
        await pilot.pause()
        assert app.is_running
        # the whole frame as drawn holds no control characters
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x00" not in svg and "\u202e" not in svg
        assert "[@click=app.quit]" in svg.replace("&#160;", " ")
        await pilot.press("enter")
        await settle(pilot, app)
        assert store.clip(clip.id).text == "[bold]x[/] [@click=app.quit]q[/] red nul evil done"


async def test_pasted_escapes_are_cleaned_before_saving(ws):
    from textual import events

    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        clip = _screen(app).clip_state.clip
        _editor(app).value = ""
        _editor(app).post_message(events.Paste("hi \x1b[2Jthere\x07 [b]x[/b]"))
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert ws.clip(clip.id).text == "hi there [b]x[/b]"


async def test_quit_key_exits_and_saves(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        clip = _screen(app).clip_state.clip
        await pilot.press("end", "z", "ctrl+q")
        await pilot.pause()
    assert not app.is_running
    assert ws.draft(clip.id).text.endswith("z")


def test_hostile_constant_has_every_kind_of_trouble():
    assert all(x in HOSTILE for x in ("[/]", "[bold]", "[@click=", "\x1b[", "\x00", "\u202e"))


async def test_a_burst_of_keys_is_applied_in_order(ws):
    """Over SSH keys can arrive in one read: edits and commands must keep their order."""
    from textual import events

    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        clip = _screen(app).clip_state.clip
        burst = ["ctrl+u", *"helo", "backspace", *"lo wor", "ctrl+w", *"world", "enter"]
        for key in burst:
            char = key if len(key) == 1 else None
            app.post_message(events.Key(key if char != " " else "space", char))
        await settle(pilot, app, clip_id=ws.clip_by_name("clip-01").id)
        assert ws.clip(clip.id).text == "hello world"


async def test_marks_read_without_colour(ws):
    """NO_COLOR / 16 colours: unsure words and flags are marked by characters and text style."""
    from earmark.app.widgets.asr import asr_content
    from earmark.app.widgets.waveform import WaveformView

    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await _audio_loaded(pilot, app)
        s = _screen(app)
        clip = s.clip_state.clip
        content = asr_content(clip)
        unsure = clip.words[2].word
        start = content.plain.index(f" {unsure} ") + 1
        styles = [str(sp.style) for sp in content.spans if sp.start <= start < sp.end]
        assert any("bold" in st and "underline" in st for st in styles)
        ruler = str(s.query_one(WaveformView).render()).splitlines()[-1]
        assert "?" in ruler and "│" in ruler and "▲" in ruler and "!" not in ruler
        s.playback.player.seek(2.0)
        await pilot.press("alt+d")
        s.playback.player.seek(0.5)  # the playhead moves on; the flag stays marked
        await pilot.pause(0.2)
        ruler = str(s.query_one(WaveformView).render()).splitlines()[-1]
        assert "!" in ruler


async def test_failed_save_keeps_the_text_and_says_why(ws, monkeypatch):
    import sqlite3

    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        clip = _screen(app).clip_state.clip
        _editor(app).value = "precious words"

        def locked(*a, **k):
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(ws, "submit", locked)
        await pilot.press("enter")
        await settle(pilot, app)
        assert _screen(app).clip_state.clip.id == clip.id
        assert _editor(app).value == "precious words"
        assert any("not saved: database is locked" in n for n in _notes(app))
        monkeypatch.undo()
        await pilot.press("enter")
        await settle(pilot, app)
        assert ws.clip(clip.id).text == "precious words"


async def test_alternatives_for_the_word_under_the_cursor_come_first(ws):
    from earmark.app.widgets.suggestions import SuggestionsBar
    from tests.app.pilot import fixed_suggester

    app = make_app(ws, suggester_factory=fixed_suggester)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        s = _screen(app)
        await _wait(pilot, lambda: s.suggest.suggester is not None)
        clip = s.clip_state.clip
        editor = _editor(app)
        editor.cursor_position = editor.value.index(clip.words[0].word)  # pointed at, not typed
        await pilot.pause()
        bar = s.query_one(SuggestionsBar)
        await _wait(pilot, lambda: bar.words[:1] == ["um"])
        await pilot.press("tab")
        assert editor.value.startswith("um ")


async def test_quit_when_the_draft_cannot_be_saved_says_so_and_stays(ws, monkeypatch):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await pilot.press("end", *" unsaved words")

        def full(*a, **k):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(ws, "save_draft", full)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running  # not a silent exit
        said = [n for n in _notes(app) if "could not be saved" in n]
        assert len(said) == 1 and "No space left" in said[0] and "ctrl+q again" in said[0]
        assert "\n" not in said[0]
        await pilot.press("ctrl+q")  # the second press quits without the draft
        await pilot.pause()
        assert not app.is_running


async def test_quit_saves_the_draft_when_it_can(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        clip = _screen(app).clip_state.clip
        await pilot.press("end", *" kept words")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
    assert ws.draft(clip.id).text.endswith(" kept words")


async def test_counters_today_counts_submits_and_status_keeps_position_and_audio(ws):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        s = _screen(app)
        await _audio_loaded(pilot, app)
        await pilot.press("f8")  # submitted
        await settle(pilot, app)
        await pilot.press("f9", "1")  # skipped: not work done today
        await settle(pilot, app)
        await _wait(pilot, lambda: s.done_today == 1)
        assert s.per_hour == pytest.approx(12)  # one submit over the five-minute floor
        # the exposure meter must not push the position or the audio state out at 80 columns
        s.sensitive._meter = "exposure 30/45 min - time for a break"
        s.sensitive._meter_at = ws.clock.monotonic()
        s._refresh_status()
        await pilot.pause()
        status = str(s.query_one("#status").render())
        assert status.startswith(f"clip {s.clip_state.position} of ")
        assert s.playback.state_text() in status.split("│")[1]
        assert "today 1" in str(s.query_one("#status").content.plain)
