"""What the acoustic check hands back: one score per typed word, kept free of pocketsphinx so
callers (the annotator, `earmark check`, the word-timing store) can use the types whether or
not the engine is installed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WordScore:
    """How well the audio supports one typed word.

    `index` is the word's position among the whitespace-separated words of the text,
    `start`/`end` are seconds into the clip (monotonic over a result), `score` runs from 0 (the
    audio does not support the word at all) to 1 (fully), and `marked` says it fell below the
    engine's fixed threshold.
    """

    word: str
    index: int
    start: float
    end: float
    score: float
    marked: bool


@dataclass(frozen=True)
class CheckResult:
    """Every typed word in order, or no words and `reason` saying in one line why not."""

    words: list[WordScore] = field(default_factory=list)
    reason: str | None = None

    @property
    def marked(self) -> list[WordScore]:
        """The words the audio does not support."""
        return [w for w in self.words if w.marked]
