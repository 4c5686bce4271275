"""The annotator's session: the workflow through the queue, the values it hands the screen,
and the word alignment the editor's marks and seeking use.

Parts: workflow (the Session: open, edit, submit, skip, move, pace figures), state (ClipState,
QueueLeft, SessionError and the limits), words (ASR word confidence, timing and alignment),
records (the audit and exposure writer). Importers use this package's names, not the parts'.
"""

from earmark.session.state import (
    LOW_CONFIDENCE,
    PACE_MIN_SPAN,
    PACE_WINDOW,
    STORE_ERRORS,
    ClipState,
    QueueLeft,
    SessionError,
)
from earmark.session.words import (
    align_words,
    low_confidence,
    low_confidence_offsets,
    word_at,
    word_spans,
    word_timing,
)
from earmark.session.workflow import Session

__all__ = [
    "LOW_CONFIDENCE",
    "PACE_MIN_SPAN",
    "PACE_WINDOW",
    "STORE_ERRORS",
    "ClipState",
    "QueueLeft",
    "Session",
    "SessionError",
    "align_words",
    "low_confidence",
    "low_confidence_offsets",
    "word_at",
    "word_spans",
    "word_timing",
]
