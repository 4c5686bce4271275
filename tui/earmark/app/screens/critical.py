"""Refining a critical flag that the key already recorded: category, span, words to redact.

The flag exists before this panel opens (one key, at the playhead), so the panel can never
lose it: enter keeps what is shown (the defaults, or what was changed), escape keeps the
flag exactly as it was recorded. Marked words become `[redacted:<category>]` in every export.
They are kept as words, not positions (earmark/redaction.py): the annotator goes on editing
after flagging, and a position would then point at the wrong word and publish the marked one.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, SelectionList
from textual.widgets.option_list import Option

from earmark import redaction
from earmark.errors import UserError
from earmark.store import CRITICAL_CATEGORIES
from earmark.textsafe import clean

DEFAULT_CATEGORY = "other"


def _word_text(w) -> str:
    return clean(getattr(w, "word", w))


class CriticalFlagScreen(ModalScreen[bool]):
    """Dismisses with True when the flag was updated, False when left as recorded."""

    CSS_PATH = "critical.tcss"
    BINDINGS = [
        Binding(
            "enter",
            "save",
            "Keep",
            priority=True,
            id="critical_save",
            tooltip="Keep the flag with what is shown",
        ),
        Binding(
            "escape",
            "cancel",
            "As recorded",
            id="critical_cancel",
            tooltip="Keep the flag exactly as the key recorded it",
        ),
        *[
            Binding(f"alt+{n}", f"category({n - 1})", show=False, id=f"critical_category_{n}")
            for n in range(1, len(CRITICAL_CATEGORIES) + 1)
        ],
    ]

    def __init__(
        self, store, flag_id: int, clip, words: Sequence, *, user: str | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.flag_id = flag_id
        self.clip = clip
        self.words = [_word_text(w) for w in words]
        self.user = user
        self.flag = store.flag(flag_id)
        marks_of = getattr(store, "redaction_marks", None)  # a backend without word marks
        self._words_kept = marks_of is not None
        stored = marks_of(flag_id) if marks_of is not None else None
        # The key records the words selected in the editor as positions in today's text;
        # they become words here, against the same text, before anything else can change it.
        self._convert = stored is None and bool(self.flag and self.flag.redact)
        self.marks = (
            redaction.marks_from_indexes(self.words, self.flag.redact)
            if self._convert and self.flag is not None
            else stored or []
        )

    def compose(self) -> ComposeResult:
        f = self.flag
        current = f.category if f and f.category in CRITICAL_CATEGORIES else DEFAULT_CATEGORY
        where = f"at {f.start:.1f} s" if f and f.start is not None else ""
        with Vertical(id="critical-box"):
            yield Label(
                Content(
                    f"Critical: personal data {where} in clip {clean(self.clip.name)}. "
                    "Recorded; refine or press enter."
                ),
                id="critical-title",
            )
            with Horizontal(id="critical-columns"):
                with Vertical(id="critical-left"):
                    yield Label("category (↑↓ or alt+1-7)", classes="critical-heading")
                    options = OptionList(
                        *[
                            Option(Content(f"{n} {c}"), id=c)
                            for n, c in enumerate(CRITICAL_CATEGORIES, 1)
                        ],
                        id="critical-category",
                    )
                    options.highlighted = CRITICAL_CATEGORIES.index(current)
                    yield options
                    yield Label("audio to mute (s)", classes="critical-heading")
                    with Horizontal(id="critical-span"):
                        yield Input(
                            self._fmt(f.start if f else None),
                            type="number",
                            id="critical-start",
                            placeholder="start",
                            compact=True,
                        )
                        yield Input(
                            self._fmt(f.end if f else None),
                            type="number",
                            id="critical-end",
                            placeholder="end",
                            compact=True,
                        )
                with Vertical(id="critical-right"):
                    yield Label("words to redact (space marks)", classes="critical-heading")
                    marked = set(redaction.indexes(self.marks, " ".join(self.words)))
                    yield SelectionList[int](
                        *[(Content(w), i, i in marked) for i, w in enumerate(self.words)],
                        id="critical-words",
                    )
            yield Label("", id="critical-error")
            yield Label("enter: keep · esc: as recorded · tab: next part", id="critical-hint")

    @staticmethod
    def _fmt(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}"

    def on_mount(self) -> None:
        if self._convert and self._words_kept:
            self.store.set_redaction(
                self.flag_id, self.marks, actor=self.user or self.flag.raised_by
            )
        self.query_one("#critical-category", OptionList).focus()

    def action_category(self, index: int) -> None:
        self.query_one("#critical-category", OptionList).highlighted = index

    @on(OptionList.OptionSelected, "#critical-category")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.action_save()

    def _values(self) -> dict | None:
        options = self.query_one("#critical-category", OptionList)
        index = options.highlighted
        fields: dict = {
            "category": CRITICAL_CATEGORIES[index] if index is not None else DEFAULT_CATEGORY
        }
        try:
            raw_start = self.query_one("#critical-start", Input).value.strip()
            raw_end = self.query_one("#critical-end", Input).value.strip()
            start = float(raw_start) if raw_start else None
            end = float(raw_end) if raw_end else None
        except ValueError:
            self.query_one("#critical-error", Label).update("the span needs numbers of seconds")
            return None
        if (
            start is not None
            and start < 0
            or (start is not None and end is not None and end < start)
        ):
            self.query_one("#critical-error", Label).update("the span must start before it ends")
            return None
        fields["start"], fields["end"] = start, end
        fields["redact"] = sorted(self.query_one("#critical-words", SelectionList).selected)
        return fields

    def action_save(self) -> None:
        fields = self._values()
        if fields is None:
            return
        marks = redaction.marks_from_indexes(self.words, fields["redact"])
        try:
            if self._words_kept:
                self.store.set_redaction(
                    self.flag_id, marks, actor=self.user or self.flag.raised_by
                )
            self.store.update_flag(self.flag_id, actor=self.user, **fields)
        except UserError as exc:
            self.query_one("#critical-error", Label).update(Content(str(exc)))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
