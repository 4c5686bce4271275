"""The second listen in the annotator, with a listener whose hypotheses are fixed (the real
decoder is driven in tests/app/test_heard_tmux.py): what it heard ranks the slots of the
clip it was for, never those of another clip, and a listen that fails changes nothing."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import soundfile as sf

from earmark.app.screens.annotate import listening
from earmark.app.widgets.suggestions import SuggestionsBar
from earmark.store import NewClip
from tests.app.pilot import editor_of, make_app, screen_of, settle, wait_for

GUESS = "reminds me that was a sad sad to see em"
OTHER = "that was a sad song"
HEARD = {
    GUESS: [
        "reminds me lot of that plan sad sixty m.",
        "reminds me to water a sad sad to see em",
        "reminds me that water the plan sad sixty m.",
    ],
    OTHER: [],
}


class FakeListener:
    """Hears `HEARD[guess]`, found by the clip's samples; `gate` holds a listen until set."""

    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail
        self.gate = threading.Event()
        self.gate.set()
        self.by_length: dict[int, str] = {}
        self.heard: list[str] = []  # the guesses of the clips listened to, in order
        self.asked: list = []  # the choices asked of the audio, in order
        self.answer = lambda choice: None  # what the audio chooses
        self.choose_gate = threading.Event()
        self.choose_gate.set()

    def hypotheses(self, samples, rate):
        self.calls += 1
        assert self.gate.wait(20)
        if self.fail:
            raise RuntimeError("the check's process stopped")
        guess = self.by_length[len(samples)]
        self.heard.append(guess)
        return HEARD[guess]

    def choose(self, samples, rate, choice):
        self.asked.append(choice)
        assert self.choose_gate.wait(20)
        return self.answer(choice)


@pytest.fixture
def listener(monkeypatch):
    fake = FakeListener()
    monkeypatch.setattr(listening, "LISTENER", fake)
    # answers held by a test's gate still count as in time, unless a test says otherwise
    monkeypatch.setattr(listening, "CHOICE_SETTLE", 60.0)
    return fake


@pytest.fixture
def ws(store, tmp_path, listener):
    """Two clips of a tone (of different lengths, which tells the listener which is which)."""
    sr = 16000
    clips = []
    for i, (seconds, guess) in enumerate(((3, GUESS), (2, OTHER))):
        tone = (0.1 * np.sin(np.arange(seconds * sr) * 2 * np.pi * 220 / sr)).astype("float32")
        path = tmp_path / f"t{i}.wav"
        sf.write(path, tone, sr)
        listener.by_length[seconds * sr] = guess
        clips.append(
            NewClip(name=f"t{i}", audio=str(path), asr=guess, duration=seconds, samplerate=sr)
        )
    store.add_clips(store.batch_id("tones"), clips)
    return store


async def _open_with_w(pilot, app) -> SuggestionsBar:
    """Type `w` in place of "was", the word the listen heard "water" in place of."""
    s = screen_of(app)
    await wait_for(pilot, lambda: s.suggest.suggester is not None)
    editor = editor_of(app)
    at = GUESS.index("was")
    editor.value = GUESS[:at] + GUESS[at + 3 :]
    editor.cursor_position = at
    await pilot.press("w")
    assert editor.value == "reminds me that w a sad sad to see em"
    return s.query_one(SuggestionsBar)


async def test_the_word_heard_there_comes_into_the_slots(ws, listener):
    listener.gate.clear()  # the listen holds until the slots without it are seen
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        bar = await _open_with_w(pilot, app)
        await wait_for(pilot, lambda: len(bar.words) == 5)
        assert "water" not in bar.words
        listener.gate.set()
        await wait_for(pilot, lambda: "water" in bar.words)  # no key pressed: it came in
        n = bar.words.index("water") + 1
        await pilot.press("tab" if n == 1 else f"alt+{n}")
        assert editor_of(app).value == "reminds me that water a sad sad to see em"


async def test_one_listen_at_a_time_and_a_clip_left_meanwhile_is_never_decoded(ws, listener):
    listener.gate.clear()  # clip 1's listen hangs until released
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        s = screen_of(app)
        await wait_for(pilot, lambda: listener.calls == 1)
        await pilot.press("pagedown")  # clip 2 opens while clip 1 is decoded...
        await settle(pilot, app)
        assert s.clip_state.clip.asr == OTHER
        await pilot.press("pageup")  # ...and is left before its turn
        await settle(pilot, app)
        assert s.clip_state.clip.asr == GUESS
        await pilot.pause(0.2)
        assert listener.calls == 1  # nothing queued behind the one running
        listener.gate.set()
        await wait_for(pilot, lambda: s.suggest.suggester is not None)
        await wait_for(pilot, lambda: s.suggest.suggester.heard_at(3).get("water") is not None)
        await pilot.pause(0.3)
        assert listener.heard == [GUESS]  # clip 2 was never decoded
        await pilot.press("pagedown")
        await settle(pilot, app)
        await wait_for(pilot, lambda: listener.heard == [GUESS, OTHER])


async def test_a_failed_listen_changes_nothing(ws, listener):
    listener.fail = True
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        bar = await _open_with_w(pilot, app)
        await wait_for(pilot, lambda: listener.calls >= 1)
        await pilot.pause(0.3)
        assert bar.words and bar.words[0] != "water"
        assert screen_of(app).suggest.suggester.heard_at(3) == {}
        await pilot.press("tab")  # the annotator goes on as before
        assert editor_of(app).value != "reminds me that w a sad sad to see em"


async def test_the_settings_file_can_turn_the_second_listen_off(ws, listener):
    app = make_app(ws, settings={"suggestions": {"second_listen": False}})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        bar = await _open_with_w(pilot, app)
        await wait_for(pilot, lambda: len(bar.words) == 5)
        await pilot.pause(0.3)
        assert listener.calls == 0 and "water" not in bar.words
        assert listener.asked == []  # nor the audio's choice, which is part of it


# -- the audio's choice among the candidates once a letter is typed --------------------------
async def test_the_audios_choice_leads_the_slots_when_it_comes_back(ws, listener):
    listener.choose_gate.clear()
    listener.answer = lambda choice: choice.candidates[7]  # below the five shown
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        bar = await _open_with_w(pilot, app)
        await wait_for(pilot, lambda: listener.asked)
        q = listener.asked[-1]
        assert q.before == ("reminds", "me", "that") and q.after[:2] == ("a", "sad")
        won = q.candidates[7]
        assert won not in bar.words
        listener.choose_gate.set()
        await wait_for(pilot, lambda: bar.words[:1] == [won])  # no key pressed: it came in
        await pilot.press("tab")
        assert editor_of(app).value == f"reminds me that {won} a sad sad to see em"


async def test_an_answer_for_text_typed_past_is_kept_not_shown(ws, listener):
    listener.choose_gate.clear()
    listener.answer = lambda choice: choice.candidates[-1]
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        bar = await _open_with_w(pilot, app)
        await wait_for(pilot, lambda: len(listener.asked) == 1)
        await pilot.press("a", "t")  # "wat": one choice running, only the latest waits
        await wait_for(pilot, lambda: bar.words and bar.words[0].startswith("wat"))
        shown = bar.words
        listener.choose_gate.set()
        await wait_for(pilot, lambda: len(listener.asked) == 2)  # "wa" was never asked
        first, last = listener.asked
        assert last.candidates[0].startswith("wat") and first != last
        await wait_for(pilot, lambda: bar.words[0] == last.candidates[-1])
        assert first.candidates[-1] not in bar.words or first.candidates[-1] in shown
        await pilot.press("backspace", "backspace")  # back to "w": answered before
        await wait_for(pilot, lambda: bar.words[:1] == [first.candidates[-1]])
        await pilot.pause(0.2)
        assert listener.asked.count(first) == 1  # from what was kept, not asked again


async def test_a_late_answer_never_moves_the_slots_being_read(ws, listener, monkeypatch):
    monkeypatch.setattr(listening, "CHOICE_SETTLE", 0.2)
    listener.choose_gate.clear()
    listener.answer = lambda choice: choice.candidates[7]
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        bar = await _open_with_w(pilot, app)
        await wait_for(pilot, lambda: listener.asked)
        await wait_for(pilot, lambda: len(bar.words) == 5)
        await pilot.pause(0.4)  # the annotator is reading the bar
        shown = list(bar.words)
        listener.choose_gate.set()
        await wait_for(pilot, lambda: not screen_of(app).listen_state.choosing)
        await pilot.pause(0.2)
        assert list(bar.words) == shown  # the answer came too late to move them
        won = listener.asked[0].candidates[7]
        await pilot.press("backspace", "w")  # the same text offered again: now it leads
        await wait_for(pilot, lambda: bar.words[:1] == [won])
        assert len(listener.asked) == 1
        await pilot.press("tab")
        assert editor_of(app).value == f"reminds me that {won} a sad sad to see em"


async def test_a_choice_whose_child_dies_changes_nothing(ws, listener):
    def killed(choice):
        raise RuntimeError("the check's process stopped; the next check starts it again")

    listener.answer = killed
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        bar = await _open_with_w(pilot, app)
        await wait_for(pilot, lambda: listener.asked)
        await wait_for(pilot, lambda: not screen_of(app).listen_state.choosing)
        shown = list(bar.words)
        await pilot.press("a")  # the annotator types on; the next question is asked as usual
        await wait_for(pilot, lambda: len(listener.asked) == 2)
        assert shown and bar.words and bar.words[0].startswith("wa")
