"""Snapshot (80x24) of the annotator on a clip whose guess earmark made offline, with a word
the acoustic check marked: "guess: offline" in the ASR panel, the word underlined in the
editor, the count in the status line. The engine's verdicts are fixed, so the picture is."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from earmark.app.screens.annotate import check
from earmark.app.screens.annotate.check_marks import Verdict
from earmark.store import NewClip, Word
from tests.app.pilot import audio_loaded, editor_of, make_app, screen_of, settle, wait_for

GUESS = "turn off the chicken lights"


class _MarksChicken:
    def available(self):
        return True, ""

    def check(self, samples, rate, text):
        words = text.split()
        return [
            Verdict(w, i / 4, i / 4 + 0.2, 0.5, w == "chicken") for i, w in enumerate(words)
        ], ""


def test_offline_guess_with_a_marked_word(snap_compare, store, tmp_path, monkeypatch):
    monkeypatch.setattr(check, "ENGINE", _MarksChicken())
    sr = 16000
    t = np.arange(2 * sr) / sr
    tone = (0.2 * np.sin(2 * np.pi * 180 * t) * np.sin(np.pi * t / 2)).astype("float32")
    sf.write(tmp_path / "g.wav", tone, sr)
    store.add_clips(
        store.batch_id("offline"),
        [NewClip(name="g", audio=str(tmp_path / "g.wav"), duration=2.0, samplerate=sr)],
    )
    words = [
        Word(w, i / 4, i / 4 + 0.2, 0.9 if i != 3 else 0.2) for i, w in enumerate(GUESS.split())
    ]
    assert store.set_machine_guess(1, GUESS, words, ["turn of the kitchen lights"], "offline")
    app = make_app(store, suggester_factory=lambda s: None)

    async def prepared(pilot):
        await settle(pilot, pilot.app)
        await audio_loaded(pilot, pilot.app)
        await wait_for(pilot, lambda: editor_of(pilot.app)._marks == [(13, 20)])
        screen_of(pilot.app)._refresh_status()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=prepared)
