"""The plain records the report's store queries return (earmark/store/figures.py and its
PostgreSQL twin), kept apart from the clip records so the two areas change independently."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class HourWork:
    """One annotator's work in one UTC hour (`hour` is its start, Unix seconds)."""

    annotator: str
    hour: int
    done: int
    done_seconds: float
    skipped: int
    skipped_seconds: float


@dataclass(frozen=True)
class UserHour:
    """Seconds of something (flagged audio heard) for one user in one UTC hour."""

    user: str
    hour: int
    seconds: float


@dataclass(frozen=True)
class BatchWer:
    batch: str
    done: int
    edits: int
    words: int


@dataclass(frozen=True)
class TaskTime:
    """Time on task for one annotator. Productivity counts `done` clips only: time on
    skipped clips and clips handed back for wellbeing reasons is kept apart."""

    annotator: str
    done: int = 0
    open_seconds: float = 0.0  # with the clip open (idle time not counted), done clips
    listen_seconds: float = 0.0  # audio heard of those clips, in listening time
    skipped: int = 0
    skipped_seconds: float = 0.0
    handed_back: int = 0  # flagged distressing or escalated by them and left unfinished

    @classmethod
    def of(cls, name: str, v: Mapping[str, float]) -> TaskTime:
        return cls(
            annotator=name,
            done=int(v.get("done_clips", 0)),
            open_seconds=float(v.get("done_seconds", 0.0)),
            listen_seconds=float(v.get("listen_seconds", 0.0)),
            skipped=int(v.get("skipped_clips", 0)),
            skipped_seconds=float(v.get("skipped_seconds", 0.0)),
            handed_back=int(v.get("handed_back", 0)),
        )
