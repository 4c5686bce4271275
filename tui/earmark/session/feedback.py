"""What an annotator is told about their reviewed work: the loop closed.

Only the annotator's own reviews are read (the store filters by annotator; on PostgreSQL
row-level security refuses anyone else's rows whatever is asked), with the words the
reviewer changed and their note. Reviewers' names and other annotators' transcripts of the
same clip are not part of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from earmark.quality.review import Piece, Review, changed_words, diff_words, marked_line
from earmark.store import Store
from earmark.textsafe import clean


@dataclass(frozen=True)
class Feedback:
    id: int
    clip: str
    outcome: str
    submitted: str
    final: str
    note: str
    at: float
    pieces: tuple[Piece, ...]  # the final text against what the annotator submitted

    @property
    def changed(self) -> int:
        return changed_words(self.pieces)

    @property
    def diff_text(self) -> str:
        return marked_line(self.pieces)

    def to_json(self) -> dict[str, Any]:
        return {
            "clip": self.clip,
            "outcome": self.outcome,
            "submitted": self.submitted,
            "final": self.final,
            "diff": self.diff_text,
            "changed_words": self.changed,
            "note": self.note,
            "at": dt.datetime.fromtimestamp(self.at, dt.UTC).isoformat(timespec="seconds"),
        }


def _feedback(r: Review) -> Feedback:
    return Feedback(
        r.id,
        r.clip,
        r.outcome,
        " ".join(clean(r.submitted).split()),
        " ".join(clean(r.final).split()),
        clean(r.note),
        r.at,
        tuple(diff_words(r.submitted, r.final)),
    )


def feedback_for(store: Store, annotator: str) -> list[Feedback]:
    """The annotator's reviewed transcripts, newest first."""
    return [_feedback(r) for r in reversed(store.reviews(annotator=annotator))]


def unseen(store: Store, annotator: str) -> list[Feedback]:
    """Reviews of the annotator's work they have not been shown yet."""
    seen = store.feedback_seen(annotator)
    return [f for f in feedback_for(store, annotator) if f.id > seen]


def mark_seen(store: Store, annotator: str, items: list[Feedback]) -> None:
    if items:
        store.mark_feedback_seen(annotator, max(f.id for f in items))


def gold_summary(store: Store, annotator: str, days: int = 7) -> str | None:
    """The annotator's own gold score over the last `days` (Store.gold_score: their own
    figures only, never which clips were gold); None when they answered none."""
    tally = store.gold_score(annotator, store.clock.now() - days * 86400)
    if not tally.clips:
        return None
    wer = tally.wer
    score = f"{(1 - wer) * 100:.0f}% of words right" if wer is not None else "all skipped"
    flags = tally.flag_agreement
    agreed = f", flags agreed {flags * 100:.0f}%" if flags is not None else ""
    return f"{score}{agreed} on {tally.clips} check clip(s) in {days} days"
