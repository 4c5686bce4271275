"""The session's plain values: what the screen draws for a clip, what is left at the end of
the queue, and the limits the pace figures and confidence marks use.

They live apart from the Session class so the app's widgets and messages can name them
without pulling in the workflow, and so the workflow module stays about moving through clips.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from earmark.store import Clip

LOW_CONFIDENCE = 0.6
PACE_WINDOW = 3600.0  # clips per hour counts the submits of the last hour ...
PACE_MIN_SPAN = 300.0  # ... over at least five minutes, so two quick clips are no 1440/h
# What a store write can raise: the disk is full, the file is gone, the database is locked.
STORE_ERRORS: tuple[type[Exception], ...] = (OSError, sqlite3.Error)


@dataclass(frozen=True)
class QueueLeft:
    """At the end of the queue: the clips that are not done, and why none is offered."""

    skipped: int
    yours: int  # opened by this annotator and not finished (paged past, or resumed)
    elsewhere: int  # in progress with another annotator
    held_back: int  # pending, but routed away (opt-outs, exposure limit)
    done: int
    total: int

    def describe(self) -> str:
        parts = []
        if self.yours:
            parts.append(f"{self.yours} opened by you and not submitted")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.elsewhere:
            parts.append(f"{self.elsewhere} in progress with someone else")
        if self.held_back:
            parts.append(f"{self.held_back} held back (flagged content you are not given)")
        left = "; ".join(parts) if parts else "nothing"
        return f"No clip left for you: {self.done} of {self.total} done. Left: {left}."


@dataclass(frozen=True)
class ClipState:
    """What the screen draws for the open clip; a snapshot, safe to hand to the UI thread."""

    clip: Clip
    position: int  # 1-based, in import order
    total: int
    text: str  # the editor's text: draft, else submitted text, else the ASR guess
    cursor: int
    reopened: bool  # a clip already submitted, opened again for a change
    notices: tuple[str, ...] = ()


class SessionError(Exception):
    """An action that makes no sense for the open clip (e.g. submitting an unplayable one)."""
