"""The final transcript of an overlapped clip, by a stated rule.

When every annotator of a clip has finished their slot and all of them transcribed it, and
their transcripts are the same once case and punctuation are set aside (earmark/wer.py's
normalisation), that text is final: the transcript most of them wrote exactly, the earliest
of those on a tie. Otherwise (different words, or some transcribed and some skipped) the
clip is disputed and waits for a reviewer, whose text (set_final) is then final. A clip every
annotator skipped is skipped, not disputed. A clip with a single transcript is final as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from earmark.wer import normalize


@dataclass(frozen=True)
class Transcript:
    annotator: str
    text: str | None  # None: skipped
    submitted_at: float


@dataclass(frozen=True)
class Verdict:
    state: str  # "final" | "disputed" | "skipped"
    text: str | None = None


def decide(transcripts: Sequence[Transcript]) -> Verdict:
    """The rule above, over the finished slots of one clip (none: nothing to decide)."""
    texts = [t for t in transcripts if t.text is not None]
    if not texts:
        return Verdict("skipped")
    if len(texts) != len(transcripts):
        return Verdict("disputed")
    if len({tuple(normalize(t.text)) for t in texts}) != 1:
        return Verdict("disputed")
    counts = Counter(t.text for t in texts)
    best = max(counts.values())
    first = min((t for t in texts if counts[t.text] == best), key=lambda t: t.submitted_at)
    return Verdict("final", first.text)
