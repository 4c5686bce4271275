"""The clip's waveform: block characters, the playhead, ASR word starts and flagged spans.

Rows of bars (eight levels per row; two rows at 80x24, more when the terminal is tall), then a ruler that marks
where each ASR word begins (│, or ? for a word the recogniser was unsure of), flagged
spans (!) and the playhead (▲). The marks are characters, not only colours, so the view
reads the same with NO_COLOR or in a 16-colour terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from textual.content import Content
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
        self._cache: tuple[tuple[int, int], np.ndarray] | None = None

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

    def _levels(self, width: int, rows: int) -> np.ndarray:
        if self._cache is None or self._cache[0] != (width, rows):
            peak = np.asarray(self._summary(width).peak, dtype=np.float32)
            # a gentle curve so quiet speech is still visible next to loud speech
            top = rows * 8.0
            self._cache = ((width, rows), np.clip(np.sqrt(np.clip(peak, 0.0, 1.0)) * top, 0.0, top))
        return self._cache[1]

    def _col(self, seconds: float, width: int) -> int:
        if self._duration <= 0:
            return 0
        return int(min(width - 1, max(0, seconds / self._duration * width)))

    def render(self) -> Content:
        width = max(1, self.size.width)
        if self._summary is None:
            msg = self._message[:width]
            blank = "\n" * max(0, self.size.height - 2)
            return Content.assemble((msg, "italic"), "\n", blank, "·" * width)
        rows = max(1, self.size.height - 1)
        levels = self._levels(width, rows)
        bars = []
        for r in range(rows - 1, -1, -1):  # top row first; row r holds levels 8r..8r+8
            base = r * 8
            bars.append("".join(BARS[int(max(0, min(8, lv - base)))] if (lv >= 0.5 or r) else "▁"
                                for lv in levels))
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
        bar_lines = [Content(line) for line in bars]
        ruler_c = Content("".join(ruler))
        for c, style in styles:
            ruler_c = ruler_c.stylize(style, c, c + 1)
        if head is not None:
            bar_lines = [line.stylize("reverse", head, head + 1) for line in bar_lines]
            ruler_c = ruler_c.stylize("bold", head, head + 1)
        return Content("\n").join([*bar_lines, ruler_c])
