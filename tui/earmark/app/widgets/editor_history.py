"""Undo and redo for one clip's transcript, in steps the size a person thinks in.

The history keeps whole states (text and cursor), not diffs: a transcript is one line of a
few hundred characters at most, so a state costs little and restoring one cannot go wrong.
Each recorded change either opens a step (the state before it goes on the undo stack) or
extends the open step. Typing extends the open step until a word starts after a space, so
one undo removes one word; runs of backspace or delete behave the same way. Everything
else (a suggestion, an alternative, a whole replacement, ctrl+w, a paste) is a step of its
own. Moving the cursor closes the open step.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

Kind = Literal["type", "back", "forward", "replace"]
LIMIT = 1000


@dataclass(frozen=True)
class State:
    text: str
    cursor: int


@dataclass
class _Open:
    kind: Kind
    cursor: int  # where the cursor is when the step can continue
    last: str  # the last character typed (typing only)


def classify(old: str, new: str, cursor: int) -> tuple[Kind, str]:
    """What kind of change turned `old` into `new`, the cursor having been at `cursor`."""
    if (
        len(new) == len(old) + 1
        and new[:cursor] == old[:cursor]
        and new[cursor + 1 :] == old[cursor:]
    ):
        return "type", new[cursor]
    if (
        len(new) == len(old) - 1
        and cursor > 0
        and new[: cursor - 1] == old[: cursor - 1]
        and new[cursor - 1 :] == old[cursor:]
    ):
        return "back", ""
    if (
        len(new) == len(old) - 1
        and new[:cursor] == old[:cursor]
        and new[cursor:] == old[cursor + 1 :]
    ):
        return "forward", ""
    return "replace", ""


class History:
    def __init__(self, limit: int = LIMIT) -> None:
        self._undo: deque[State] = deque(maxlen=limit)
        self._redo: list[State] = []
        self._open: _Open | None = None

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self._open = None

    def close(self) -> None:
        """The next change starts a step of its own."""
        self._open = None

    def moved(self, cursor: int) -> None:
        """The cursor is at `cursor`: a step continues only where the last change left it."""
        if self._open is not None and self._open.cursor != cursor:
            self._open = None

    def record(self, before: State, after_text: str, kind: Kind | None = None) -> None:
        """`before.text` became `after_text` (the cursor was at `before.cursor`)."""
        if after_text == before.text:
            return
        guessed, char = classify(before.text, after_text, before.cursor)
        kind = kind or guessed
        self._redo.clear()
        step = self._open
        cursor = before.cursor
        joins = step is not None and step.kind == kind and step.cursor == cursor
        if kind == "type":
            joins = joins and not (step is not None and step.last == " " and char != " ")
            nxt: _Open | None = _Open("type", cursor + 1, char)
        elif kind == "back":
            nxt = _Open("back", cursor - 1, "")
        elif kind == "forward":
            nxt = _Open("forward", cursor, "")
        else:
            joins, nxt = False, None
        if not joins:
            self._undo.append(before)
        self._open = nxt

    def undo(self, current: State) -> State | None:
        if not self._undo:
            return None
        self._open = None
        self._redo.append(current)
        return self._undo.pop()

    def redo(self, current: State) -> State | None:
        if not self._redo:
            return None
        self._open = None
        self._undo.append(current)
        return self._redo.pop()
