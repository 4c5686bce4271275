"""Scoring one answer to a gold clip, and what a manifest's gold reference may hold.

A gold clip carries a hidden reference (text and the flags it should get). An annotator's
answer is scored on two things a lead can act on: the word error rate of their transcript
against the reference (case and punctuation aside, as everywhere in earmark: earmark/wer.py)
and whether they raised the same kinds of flag (critical, distressing, escalation). A skip
scores no words: it is counted, and its flags are compared like any answer's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from earmark.wer import edits

GOLD_FLAGS = ("critical", "distressing", "escalation")
ONBOARDING = 3  # a new annotator's first clips are gold, as far as the project has them


@dataclass(frozen=True)
class GoldRef:
    """A hidden reference: the true transcript and the flag kinds the clip should get."""

    text: str
    flags: tuple[str, ...] = ()

    def flags_json(self) -> str:
        return json.dumps(sorted(set(self.flags)))


@dataclass(frozen=True)
class GoldScore:
    """One answer's score: word edits against the reference, the reference's word count,
    and whether the flag kinds given equal those expected."""

    edits: int
    words: int
    flags_agree: bool


def flag_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """The distinct known flag kinds, sorted (what is compared)."""
    return tuple(sorted({k for k in kinds if k in GOLD_FLAGS}))


def score(ref: GoldRef, text: str | None, given: Iterable[str]) -> GoldScore:
    """Score an answer: `text` None is a skip (no words scored)."""
    agree = flag_kinds(ref.flags) == flag_kinds(given)
    if text is None:
        return GoldScore(0, 0, agree)
    e, n = edits(ref.text, text)
    return GoldScore(e, n, agree)


def parse_flags(raw: str | None) -> tuple[str, ...]:
    """Flag kinds stored as a JSON array; anything unreadable is no flags."""
    if not raw:
        return ()
    try:
        value = json.loads(raw)
    except ValueError:
        return ()
    return flag_kinds(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


@dataclass
class GoldTally:
    """Scores added up: clips answered, skips, edits, reference words, flags agreed."""

    clips: int = 0
    skipped: int = 0
    edits: int = 0
    words: int = 0
    flags_agree: int = 0

    def add(self, s: GoldScore, *, skipped: bool) -> None:
        self.clips += 1
        self.skipped += int(skipped)
        self.edits += s.edits
        self.words += s.words
        self.flags_agree += int(s.flags_agree)

    @property
    def wer(self) -> float | None:
        """Total edits over total reference words of the transcribed answers."""
        if self.words:
            return self.edits / self.words
        return None if self.clips == self.skipped else (0.0 if self.edits == 0 else 1.0)

    @property
    def flag_agreement(self) -> float | None:
        return self.flags_agree / self.clips if self.clips else None


@dataclass(frozen=True)
class GoldAnswer:
    """A scored answer to a gold clip, as reviewers and leads read it (never annotators)."""

    clip_id: int
    clip: str
    batch: str
    annotator: str
    skipped: bool
    edits: int
    words: int
    flags_agree: bool
    seconds: float
    submitted_at: float
    text: str | None = None  # the annotator's transcript (None: skipped)

    @property
    def score(self) -> GoldScore:
        return GoldScore(self.edits, self.words, self.flags_agree)


@dataclass(frozen=True)
class GoldOpen:
    """A gold clip as the annotator it was given to sees it: their own draft and answer.
    `state` is served (not answered yet), done or skipped; `draft` None means nothing typed
    since (the clip opens with their answer, else with the guess, like any clip)."""

    state: str
    answer: str | None
    skip_reason: str | None
    draft: str | None
    cursor: int
    seconds: float
