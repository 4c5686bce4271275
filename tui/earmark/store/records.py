"""The values the store hands out and takes in, free of any database engine.

Every backend (SQLite here, PostgreSQL beside it) returns these same types, so the session,
the screens and the commands never see a driver's row objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from earmark.errors import UserError

STATUSES = ("pending", "in_progress", "done", "skipped", "unplayable")
SKIP_REASONS = ("no speech", "unintelligible", "wrong language", "accidental activation")
FLAG_KINDS = ("critical", "distressing", "escalation")
CRITICAL_CATEGORIES = (
    "bank/card",
    "password/PIN",
    "address",
    "phone/email",
    "health",
    "government id",
    "other",
)


@dataclass(frozen=True)
class Word:
    word: str
    start: float | None = None
    end: float | None = None
    conf: float | None = None


@dataclass(frozen=True)
class Clip:
    id: int
    name: str
    batch: str
    audio: str
    duration: float | None
    samplerate: int | None
    channels: int | None
    asr: str
    words: tuple[Word, ...]
    alternatives: tuple[str, ...]
    status: str
    skip_reason: str | None
    text: str | None
    annotator: str | None
    seconds_on_clip: float
    submitted_at: float | None
    guess_source: str | None = None  # 'offline' when earmark made the guess (`earmark asr`)

    @property
    def playable(self) -> bool:
        return self.status != "unplayable"


@dataclass
class NewClip:
    """What an importer hands to the store: already cleaned and pseudonymised."""

    name: str
    audio: str
    asr: str = ""
    words: list[dict[str, Any]] | None = None
    words_json: str | None = None  # `words` already encoded (an import's reader does it)
    alternatives: list[str] | None = None
    duration: float | None = None
    samplerate: int | None = None
    channels: int | None = None
    unplayable_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Draft:
    clip_id: int
    annotator: str
    text: str
    cursor: int
    seconds: float
    updated_at: float


class Revision(TypedDict):
    """One submitted version of a clip's transcript (or a skip)."""

    status: str
    text: str | None
    skip_reason: str | None
    annotator: str
    seconds: float
    at: float


class Play(TypedDict):
    """One stretch of playback heard by a user."""

    user: str
    clip_id: int
    start: float
    end: float
    speed: float
    at: float


@dataclass(frozen=True)
class User:
    name: str
    role: str
    joined_at: float
    granted_by: str | None
    granted_at: float | None


class WellbeingSettings(TypedDict):
    soft_minutes: float | None
    hard_minutes: float | None
    break_text: str | None


@dataclass(frozen=True)
class Totals:
    """Project figures the store keeps up to date as clips change, so reading them costs the
    same at ten clips as at a million: clips per status, time spent on finished clips, and
    the word error rate's numerator and denominator over done clips."""

    counts: dict[str, int]
    finished_seconds: float
    wer_edits: int
    wer_words: int

    @property
    def asr_wer(self) -> float | None:
        return self.wer_edits / self.wer_words if self.wer_words else None

    @property
    def mean_seconds_on_clip(self) -> float | None:
        finished = self.counts.get("done", 0) + self.counts.get("skipped", 0)
        return self.finished_seconds / finished if finished else None


@dataclass(frozen=True)
class BatchSettings:
    """A batch's quality settings, set at import and changed later by a lead: how many
    independent transcripts each clip needs (`overlap`), the share of gold clips served
    (`gold_rate`), the share of each annotator's clips sampled for second-pass review
    (`review_share`) and the share of a clip that must have been heard before a submit
    (`min_listen`, 0 = off)."""

    name: str
    overlap: int = 1
    gold_rate: float = 0.0
    review_share: float = 0.0
    min_listen: float = 0.0


BATCH_FIELDS = ("overlap", "gold_rate", "review_share", "min_listen")


def check_batch_changes(changes: dict[str, Any]) -> dict[str, int | float]:
    """The changes as numbers in range, or a UserError naming the flag and its range (the
    flags are the command line's, the one place people type these)."""
    out: dict[str, int | float] = {}
    for key, value in changes.items():
        if value is None:
            continue
        flag = "--" + key.replace("_", "-")
        if key not in BATCH_FIELDS:
            raise UserError(f"unknown batch setting {key!r} (one of: {', '.join(BATCH_FIELDS)})")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise UserError(f"{flag} must be a number, not {str(value)[:40]!r}") from None
        if key == "overlap":
            if number != int(number) or not 1 <= number <= 20:
                raise UserError(f"{flag} must be a whole number from 1 to 20, not {value}")
            out[key] = int(number)
        elif not 0.0 <= number <= 1.0:  # NaN fails here too
            raise UserError(f"{flag} must be between 0 and 1 (a share, 0.1 = 10%), not {value}")
        else:
            out[key] = number
    return out


@dataclass(frozen=True)
class Annotation:
    """One finished slot of a clip: one annotator's transcript (or skip) of it. With overlap
    N a clip has up to N of these, written blind to each other."""

    clip_id: int
    clip: str
    batch: str
    annotator: str
    text: str | None
    skipped: bool
    seconds: float
    submitted_at: float


@dataclass(frozen=True)
class Flag:
    id: int
    clip_id: int
    kind: str
    start: float | None
    end: float | None
    category: str | None
    note: str
    redact: tuple[int, ...]
    state: str
    raised_by: str
    raised_at: float
    downgrade_requested_by: str | None = None
    downgrade_requested_at: float | None = None
    downgraded_by: str | None = None

    def export(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "note": self.note,
        }


def warning_for(kinds: Iterable[str]) -> str | None:
    """The content warning for a clip carrying active flags of these kinds. Says nothing about
    who flagged it or why: escalations stay private."""
    found = set(kinds)
    if "distressing" in found:
        return (
            "Content warning: this clip was flagged as distressing. It will not play until you ask."
        )
    if "escalation" in found:
        return (
            "Content warning: this clip was escalated for review. It will not play until you ask."
        )
    return None
