"""The clip's waveform: block characters, the playhead, ASR word starts and flagged spans.

Three rows: two of bars (eight levels each, so sixteen in all), then a ruler that marks
where each ASR word begins (│, or ? for a word the recogniser was unsure of), flagged
spans (!) and the playhead (▲). The marks are characters, not only colours, so the view
reads the same with NO_COLOR or in a 16-colour terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

BARS = " ▁▂▃▄▅▆▇█"


class WaveformView(Widget):
    playhead: reactive[float | None] = reactive(None)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._summary: Callable[[int], object] | None = None  # width -> object with .peak
        self._duration = 0.0
        self._words: list[tuple[float, bool]] = []     # (start seconds, low confidence)
        self._flags: list[tuple[float, float]] = []
        self._message = "loading audio…"
        self._cache: tuple[int, np.ndarray] | None = None

    def show_audio(self, summary: Callable[[int], object], duration: float) -> None:
        self._summary, self._duration, self._cache, self._message = summary, duration, None, ""
        self.refresh()

    def show_message(self, text: str) -> None:
        self._summary, self._cache, self._message = None, None, text
        self.refresh()

    def set_marks(self, words: Sequence[tuple[float, bool]], flags: Sequence[tuple[float, float]],
                  duration: float | None = None) -> None:
        self._words, self._flags = list(words), list(flags)
        if duration:
            self._duration = duration
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 3

    def _levels(self, width: int) -> np.ndarray:
        if self._cache is None or self._cache[0] != width:
            peak = np.asarray(self._summary(width).peak, dtype=np.float32)
            # a gentle curve so quiet speech is still visible next to loud speech
            self._cache = (width, np.clip(np.sqrt(np.clip(peak, 0.0, 1.0)) * 16.0, 0.0, 16.0))
        return self._cache[1]

    def _col(self, seconds: float, width: int) -> int:
        if self._duration <= 0:
            return 0
        return int(min(width - 1, max(0, seconds / self._duration * width)))

    def render(self) -> Content:
        width = max(1, self.size.width)
        if self._summary is None:
            msg = self._message[:width]
            return Content.assemble((msg, "italic"), "\n", "", "\n", "·" * width)
        levels = self._levels(width)
        top = "".join(BARS[int(max(0, min(8, lv - 8)))] for lv in levels)
        bottom = "".join(BARS[int(max(0, min(8, lv)))] if lv >= 0.5 else "▁" for lv in levels)
        ruler = ["·"] * width
        styles: list[tuple[int, str]] = []
        for start, low in self._words:
            c = self._col(start, width)
            ruler[c] = "?" if low else "│"
            if low:
                styles.append((c, "bold $warning"))
        for a, b in self._flags:
            for c in range(self._col(a, width), self._col(max(a, b), width) + 1):
                ruler[c] = "!"
                styles.append((c, "bold reverse $error"))
        head = None if self.playhead is None else self._col(self.playhead, width)
        if head is not None:
            ruler[head] = "▲"
        top_c, bottom_c = Content(top), Content(bottom)
        ruler_c = Content("".join(ruler))
        for c, style in styles:
            ruler_c = ruler_c.stylize(style, c, c + 1)
        if head is not None:
            top_c = top_c.stylize("reverse", head, head + 1)
            bottom_c = bottom_c.stylize("reverse", head, head + 1)
            ruler_c = ruler_c.stylize("bold", head, head + 1)
        return Content("\n").join([top_c, bottom_c, ruler_c])
