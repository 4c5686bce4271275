"""A long clip's waveform fills in on screen as its file is read, not only at the next clip.

The streaming pass is run by hand here (its thread not started), so the test sees the
waveform before and after the pass without racing it.
"""

from __future__ import annotations

import asyncio

import numpy as np
import soundfile as sf
from textual.app import App, ComposeResult

from earmark.app.widgets.playback import Playback
from earmark.app.widgets.waveform import WaveformView
from earmark.audio.clip import DecodedClip, StreamSummary


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Playback(prefetcher=None, open_player=lambda: None)  # type: ignore[arg-type]


def _drawn(view: WaveformView) -> str:
    return "".join(view._bars(view.size.width, max(1, view.size.height - 1)))


def test_the_waveform_is_drawn_again_when_the_streaming_pass_ends(tmp_path):
    rate, frames = 8000, 8000 * 60
    path = tmp_path / "tone.wav"
    t = np.arange(frames) / rate
    sf.write(path, (0.8 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate)
    summary = StreamSummary(path, frames)  # not started: nothing read yet
    decoded = DecodedClip(path, np.zeros((frames, 1), np.float32), rate, 1.0, None, summary)

    async def scenario() -> tuple[str, str]:
        app = _Host()
        async with app.run_test(size=(80, 24)) as pilot:
            playback = app.query_one(Playback)
            playback._arrived(decoded)
            await pilot.pause()
            before = _drawn(playback.wave)
            summary.run()  # the whole file read: every column now has sound
            for _ in range(100):
                await asyncio.sleep(0.05)
                after = _drawn(playback.wave)
                if after != before:
                    break
            return before, after

    before, after = asyncio.run(scenario())
    assert set(before) <= {" ", "▁"}, "nothing was read yet, so the waveform is flat"
    assert "█" in after, "the tone shows once the pass has read it"
