"""The recogniser's guess, with the words it was unsure of standing out.

Unsure words are bold and underlined (not only coloured, for NO_COLOR terminals) and
numbered; the sentence-level alternatives follow on their own lines. All of it is
untrusted text: built as Content pieces, never parsed as markup.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from earmark.session import LOW_CONFIDENCE
from earmark.store import Clip
from earmark.textsafe import clean


def asr_content(clip: Clip | None, *, alternatives_key: str = "", note: str = "") -> Content:
    if clip is None:
        return Content("")
    # a guess earmark made itself (`earmark asr`) is named as such: it is weak, not the recogniser's
    label = f"guess: {clean(clip.guess_source)} " if clip.guess_source else "ASR "
    parts: list[str | tuple[str, str]] = [(label, "dim")]
    if clip.words:
        for i, w in enumerate(clip.words):
            if i:
                parts.append(" ")
            word = clean(w.word)
            if w.conf is not None and w.conf < LOW_CONFIDENCE:
                parts.append((word, "bold underline $warning"))
            else:
                parts.append(word)
    else:
        parts.append(clean(clip.asr) or "(no guess)")
    for n, alt in enumerate(clip.alternatives[:3], 1):
        label = f"\nalt {n}" + (f" ({alternatives_key})" if n == 1 and alternatives_key else "")
        parts += [(label + ": ", "dim"), clean(alt)]
    if note:
        parts += ["\n", (clean(note), "italic")]
    return Content.assemble(*parts)


class AsrView(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)

    def show(self, clip: Clip | None, *, alternatives_key: str = "", note: str = "") -> None:
        self.update(asr_content(clip, alternatives_key=alternatives_key, note=note))
