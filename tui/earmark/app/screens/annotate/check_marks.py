"""Where the acoustic check's verdicts sit in the text as it is now.

A check answers for the text it was given, and by the time it answers the annotator may have
typed on. A verdict is kept only for a word that is still there, unchanged, in the same order
(the words line up by difflib, as the ASR words do in earmark/session/words.py): a word the
annotator has retyped since is not marked until the next check says so, and a word they did
not touch keeps its mark while they type elsewhere, so the marks do not flicker.
Pure functions of text; no Textual.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from earmark.session import word_at, word_spans


@dataclass(frozen=True)
class Verdict:
    """The check's answer for one word: its time in the clip, its score, marked or not."""

    word: str
    start: float
    end: float
    score: float
    marked: bool


@dataclass(frozen=True)
class Checked:
    """A check of one clip's text: one verdict per whitespace-separated word, in order."""

    clip_id: int
    text: str
    verdicts: tuple[Verdict, ...]

    @property
    def marked(self) -> int:
        return sum(v.marked for v in self.verdicts)


def line_up(checked: Checked, text: str) -> dict[int, int]:
    """Word index in `text` -> index of the same word, unchanged, in the checked text."""
    now = [text[a:b] for a, b in word_spans(text)]
    then = [v.word for v in checked.verdicts]
    out: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(a=now, b=then, autojunk=False)
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                out[i1 + k] = j1 + k
    return out


def marked_spans(checked: Checked | None, text: str) -> list[tuple[int, int]]:
    """(start, end) offsets in `text` of the words the check marked that are still there."""
    if checked is None or not checked.marked:
        return []
    spans = word_spans(text)
    return sorted(spans[i] for i, j in line_up(checked, text).items() if checked.verdicts[j].marked)


def word_time(checked: Checked | None, text: str, cursor: int) -> tuple[float, float] | None:
    """Start and end (seconds) the check aligned the word under the cursor to, if it has."""
    k = word_at(text, cursor)
    if checked is None or k is None:
        return None
    j = line_up(checked, text).get(k)
    if j is None:
        return None
    v = checked.verdicts[j]
    return (v.start, v.end) if v.end > v.start else None


def on_mark(checked: Checked | None, text: str, cursor: int) -> bool:
    """Whether the word under the cursor is one the check marked."""
    k = word_at(text, cursor)
    if k is None:
        return False
    spans = word_spans(text)
    return spans[k] in marked_spans(checked, text)


def next_mark(spans: list[tuple[int, int]], cursor: int) -> int | None:
    """Where the next marked word after the cursor starts, from the top after the last."""
    if not spans:
        return None
    after = [a for a, _b in spans if a > cursor]
    return after[0] if after else spans[0][0]
