"""The clip's waveform: block characters, the playhead, ASR word starts and flagged spans.

Rows of bars (eight levels per row; two rows at 80x24, more when the terminal is tall), then
a ruler that marks where each ASR word begins (│, or ? for a word the recogniser was unsure
of), flagged spans (!) and the playhead (▲). The marks are characters, not only colours, so the view
reads the same with NO_COLOR or in a 16-colour terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from earmark.audio.waveform import Waveform

BARS = " ▁▂▃▄▅▆▇█"


class WaveformView(Widget):
    playhead: reactive[float | None] = reactive(None)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._summary: Callable[[int], Waveform] | None = None  # width -> peaks per column
        self._duration = 0.0
        self._words: list[tuple[float, bool]] = []  # (start seconds, low confidence)
        self._flags: list[tuple[float, float]] = []
        self._message = "loading audio…"
        self._cache: tuple[tuple[int, int], list[str]] | None = None

    def show_audio(self, summary: Callable[[int], Waveform], duration: float) -> None:
        self._summary, self._duration, self._cache, self._message = summary, duration, None, ""
        self.refresh()

    def redraw_audio(self) -> None:
        """Draw again from the summary: a long clip's grows while its file is read."""
        self._cache = None
        self.refresh()

    def show_message(self, text: str) -> None:
        self._summary, self._cache, self._message = None, None, text
        self.refresh()

    def set_marks(
        self,
        words: Sequence[tuple[float, bool]],
        flags: Sequence[tuple[float, float]],
        duration: float | None = None,
    ) -> None:
        self._words, self._flags = list(words), list(flags)
        if duration:
            self._duration = duration
        self.refresh()

    def _bars(self, width: int, rows: int) -> list[str]:
        """The bar rows (top first) for this width, computed once per clip and size."""
        if self._summary is not None and (self._cache is None or self._cache[0] != (width, rows)):
            peak = np.asarray(self._summary(width).peak, dtype=np.float32)
            # a gentle curve so quiet speech is still visible next to loud speech
            levels = np.sqrt(np.clip(peak, 0.0, 1.0)) * (rows * 8.0)
            lines = []
            for r in range(rows - 1, -1, -1):  # row r holds levels 8r..8r+8
                idx = np.clip(levels - r * 8, 0, 8).astype(np.int64)
                if r == 0:
                    idx = np.where(levels < 0.5, 1, idx)  # a floor line where it is silent
                lines.append("".join(BARS[i] for i in idx.tolist()))
            self._cache = ((width, rows), lines)
        return self._cache[1] if self._cache is not None else []

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
        bars = self._bars(width, max(1, self.size.height - 1))
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
