"""The acoustic check in the annotator, with an engine whose verdicts are fixed (the real
engine is driven in tests/app/test_check_tmux.py): marks follow the text, stale results are
dropped, keys never wait, replay_word plays the aligned word, a submit keeps the timings,
and without the engine the annotator works and says why once."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import soundfile as sf

from earmark.app.screens.annotate import check
from earmark.app.screens.annotate.check_marks import Verdict
from earmark.store import NewClip
from tests.app.pilot import audio_loaded, editor_of, make_app, notes, screen_of, settle, wait_for

NO_SUGGEST = {"suggester_factory": lambda store: None}
WRONG = {"chicken"}


class FakeEngine:
    """Marks the words in `wrong`; each word takes 0.3 s; `gate` holds a check until set."""

    def __init__(self, ok: bool = True, reason: str = "") -> None:
        self.ok, self.reason = ok, reason
        self.calls: list[str] = []
        self.gate = threading.Event()
        self.gate.set()

    def available(self) -> tuple[bool, str]:
        return self.ok, self.reason

    def check(self, samples, rate, text):
        self.calls.append(text)
        assert self.gate.wait(20)
        return [
            Verdict(
                w,
                round(i * 0.3, 2),
                round(i * 0.3 + 0.25, 2),
                0.1 if w in WRONG else 0.9,
                w in WRONG,
            )
            for i, w in enumerate(text.split())
        ], ""


@pytest.fixture
def engine(monkeypatch):
    fake = FakeEngine()
    monkeypatch.setattr(check, "ENGINE", fake)
    return fake


def _tones(store, folder, n: int, seconds: int, name: str):
    """n clips of a tone, `seconds` long, that came without a guess (so without word
    timings), named `name`.format(i)."""
    sr = 16000
    tone = (0.1 * np.sin(np.arange(seconds * sr) * 2 * np.pi * 220 / sr)).astype("float32")
    clips = []
    for i in range(n):
        path = folder / f"{name.format(i)}.wav"
        sf.write(path, tone, sr)
        clips.append(
            NewClip(name=name.format(i), audio=str(path), duration=float(seconds), samplerate=sr)
        )
    store.add_clips(store.batch_id("tones"), clips)
    return store


@pytest.fixture
def ws(store, tmp_path):
    """Three 3-second clips of a tone."""
    return _tones(store, tmp_path, 3, 3, "t{}")


def _status(app) -> str:
    s = screen_of(app)
    s._refresh_status()
    return str(s.query_one("#status").render())


async def test_marked_word_is_underlined_counted_jumped_to_and_replayed(ws, engine):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await audio_loaded(pilot, app)
        editor = editor_of(app)
        await pilot.press(*"turn off the chicken lights")
        await wait_for(pilot, lambda: editor._marks == [(13, 20)])
        assert "✗ 1 to hear again" in _status(app)
        await pilot.press("home", "alt+i")
        assert editor.cursor_position == 13
        played = []
        screen_of(app).playback.play_span = lambda a, b: played.append((a, b))
        await pilot.press("f4")
        assert played == [(0.9, 1.15)]  # the aligned time of word 3: the clip has no timings
        # typing elsewhere keeps the mark on the word it was for; retyping the word drops it
        await pilot.press("end", *" now")
        assert editor._marks == [(13, 20)]
        await pilot.press("home", *"oh ")
        assert editor._marks == [(16, 23)]
        await wait_for(pilot, lambda: engine.calls[-1] == "oh turn off the chicken lights now")


async def test_stale_results_are_dropped_and_keys_never_wait(ws, engine):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        editor = editor_of(app)
        engine.gate.clear()  # the first check hangs until released
        await pilot.press(*"the chicken")
        await wait_for(pilot, lambda: engine.calls == ["the chicken"])
        typed = " crossed the road to get to the other side"
        await pilot.press(*typed)  # every key lands while the check runs
        assert editor.value == "the chicken" + typed
        engine.gate.set()
        await wait_for(pilot, lambda: len(engine.calls) == 2)
        assert engine.calls[1] == editor.value  # one check at a time, of the latest text
        await wait_for(pilot, lambda: screen_of(app).check_state.checked is not None)
        assert screen_of(app).check_state.checked.text == editor.value
        assert editor._marks == [(4, 11)]


async def test_a_result_for_text_changed_since_never_shows(ws, engine):
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        editor = editor_of(app)
        engine.gate.clear()
        await pilot.press(*"a chicken")
        await wait_for(pilot, lambda: engine.calls == ["a chicken"])
        await pilot.press(*"s")  # "a chickens": the result for "a chicken" is stale
        engine.gate.set()
        await wait_for(pilot, lambda: len(engine.calls) == 2)
        await wait_for(pilot, lambda: not screen_of(app).check_state.running)
        assert editor._marks == []  # "chickens" is not a wrong word here
        assert screen_of(app).check_state.checked.text == "a chickens"


async def test_submit_with_marks_is_recorded_and_counted(ws, engine):
    from earmark.stats import compute

    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await pilot.press(*"the chicken")
        await wait_for(pilot, lambda: editor_of(app)._marks)
        await pilot.press("enter")
        await settle(pilot, app, clip_id=2)
        engine.gate.clear()  # the next submit comes before any check of its text
        await pilot.press(*"a fine day", "enter")
        await settle(pilot, app, clip_id=3)  # the next clip did not wait for the check
        engine.gate.set()
        await wait_for(pilot, lambda: ws.check_counts()["checked"] == 2)
    assert ws.check_counts() == {"checked": 2, "marked": 1}
    assert compute(ws)["check"] == {"checked": 2, "marked": 1}
    timed = {
        c: (t, [(w.word, w.start, w.end) for w in ws_]) for c, t, ws_ in ws.iter_word_timings()
    }
    assert timed[1] == ("the chicken", [("the", 0.0, 0.25), ("chicken", 0.3, 0.55)])
    assert timed[2][0] == "a fine day"


async def test_without_the_engine_the_annotator_says_why_once_and_works(ws, monkeypatch):
    off = FakeEngine(ok=False, reason="acoustic check off: pocketsphinx not installed")
    monkeypatch.setattr(check, "ENGINE", off)
    app = make_app(ws, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: screen_of(app).check_state.ok is False)
        await pilot.press(*"the chicken", "enter")
        await settle(pilot, app, clip_id=2)
        await pilot.press("pagedown")
        await settle(pilot, app, clip_id=3)
        said = [n for n in notes(app) if "pocketsphinx" in n]
        assert said == ["acoustic check off: pocketsphinx not installed"]
        assert "✗" not in _status(app) and off.calls == []
        await pilot.press("alt+i")
        assert any("check is off" in n for n in notes(app))
    assert ws.clip(1).text == "the chicken"


@pytest.fixture
def many(store, tmp_path):
    """Twelve 1-second clips of a tone."""
    return _tones(store, tmp_path, 12, 1, "m{:02d}")


async def test_timings_wait_in_a_bounded_backlog_one_check_at_a_time(many, engine):
    app = make_app(many, **NO_SUGGEST)
    async with app.run_test() as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: screen_of(app).check_state.ok)
        engine.gate.clear()  # every check waits: the annotator submits faster than they run
        peak = 0
        for n in range(1, 13):
            await pilot.press(*f"clip {n}", "enter")
            if n < 12:
                await settle(pilot, app, clip_id=n + 1)  # the next clip never waits
            running = [w for w in app.workers if w.group == "timings" and w.is_running]
            peak = max(peak, len(running))
        await wait_for(pilot, lambda: len(screen_of(app).check_state.to_record) == 8)
        assert peak == 1  # one thread, not one per submit
        engine.gate.set()
        await wait_for(pilot, lambda: many.check_counts()["checked"] == 9)
        await wait_for(pilot, lambda: not screen_of(app).check_state.recording)
    timed = {c: t for c, t, _ in many.iter_word_timings()}
    # the first was being checked; of the eleven after it the oldest three fell off the
    # backlog (the backfill, `earmark asr --timings`, makes theirs), the newest eight waited
    assert timed == {1: "clip 1", **{n: f"clip {n}" for n in range(5, 13)}}
    assert all(many.clip(n).text == f"clip {n}" for n in range(1, 13))  # every submit kept
