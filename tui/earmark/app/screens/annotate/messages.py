"""What the annotate screen's thread workers report back to the UI thread.

Workers never touch widgets; they post one of these, and the screen draws from it.
(Textual's Message runs its own set-up from the dataclass's __post_init__.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from earmark.app.screens.annotate.suggestions import Learned
from earmark.audio.prefetch import DecodedClip
from earmark.session import ClipState
from earmark.store import Flag
from earmark.suggest import Suggester


@dataclass(eq=False)
class ClipShown(Message):
    """A transition finished: the clip to draw now (None: the end of the queue), or an error.

    `learned` is the text just saved, for the suggester to learn from.
    """

    state: ClipState | None
    error: str | None = None
    flags: list[Flag] = field(default_factory=list)
    decoded: DecodedClip | None = None  # the clip's audio when it was decoded ahead
    learned: Learned | None = None


@dataclass(eq=False)
class PaceCounted(Message):
    """The annotator's pace from the store: clips submitted today and per hour."""

    done_today: int
    per_hour: float


@dataclass(eq=False)
class SuggesterReady(Message):
    suggester: Suggester | None
    reason: str | None


@dataclass(eq=False)
class WorkMayHaveCome(Message):
    """At the end of the queue: new work was announced, or it is time to look again."""
