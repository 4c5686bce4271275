"""Suggestions for the word being typed, each shown with the key that takes it."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from earmark.app.widgets.textbox import TextBox
from earmark.textsafe import clean


def suggestions_content(
    words: Sequence[str],
    keys: Sequence[str],
    *,
    utterance: str | None = None,
    utterance_key: str = "",
    status: str = "",
) -> Content:
    parts: list[str | tuple[str, str]] = []
    if words:
        for i, (w, k) in enumerate(zip(words, keys, strict=False)):
            if i:
                parts.append("  ")
            parts += [(f"{k} ", "bold reverse"), " ", (clean(w), "bold" if i == 0 else "")]
    else:
        parts.append((status or "no suggestions", "dim"))
    if utterance:
        parts += [
            "\n",
            (f"{utterance_key} ", "bold reverse"),
            " ",
            ("seen before: ", "dim"),
            clean(utterance),
        ]
    return Content.assemble(*parts)


class SuggestionsBar(TextBox):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.words: list[str] = []
        self.utterance: str | None = None

    def show(
        self,
        words: Sequence[str],
        keys: Sequence[str],
        *,
        utterance: str | None = None,
        utterance_key: str = "",
        status: str = "",
    ) -> None:
        self.words = list(words)
        self.utterance = utterance
        self.set(
            suggestions_content(
                words, keys, utterance=utterance, utterance_key=utterance_key, status=status
            )
        )
