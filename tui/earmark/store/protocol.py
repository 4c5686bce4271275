"""`Store`: what the rest of earmark may ask of a project's storage, whatever engine holds it.

Callers (the session, screens, commands, import and export) annotate with this Protocol and
never with a backend class, so a second backend (PostgreSQL beside the embedded SQLite one)
implements these methods and nothing else changes. Values in and out are the plain records
of earmark/store/records.py, never a driver's rows or connections.

Cost promises a backend keeps (the annotator works deep inside million-clip projects):
`clip_count`, `position`, `totals` and every queue lookup answer from indexes or maintained
counters, never by counting or scanning clips.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from earmark import audit
from earmark import escalation as esc
from earmark.clock import Clock
from earmark.quality.review import Review
from earmark.redaction import Mark
from earmark.store.figure_rows import BatchWer, HourWork, TaskTime, UserHour
from earmark.store.protocol_quality import CheckStore, GoldStore
from earmark.store.records import (
    Annotation,
    BatchSettings,
    Clip,
    Draft,
    Flag,
    NewClip,
    Play,
    Revision,
    Totals,
    User,
    WellbeingSettings,
)


class Store(GoldStore, CheckStore, Protocol):
    # -- the project ------------------------------------------------------------------
    @property
    def clock(self) -> Clock: ...

    @property
    def secret(self) -> bytes:
        """The per-project key behind clip pseudonyms."""
        ...

    @property
    def location(self) -> str:
        """Where the project lives, for messages (a file path, or a URL without password)."""
        ...

    def close(self) -> None: ...

    def stay_open(self) -> None:
        """This store serves a session that stays open for hours (the annotator): on SQLite,
        WAL checkpoints move off the commit path (earmark/store/checkpoints.py)."""
        ...

    # -- import ------------------------------------------------------------------------
    def bulk(self) -> contextlib.AbstractContextManager[None]:
        """Many add_clips calls follow: the backend may write them in fewer, larger steps
        (a backend with nothing to gain returns contextlib.nullcontext())."""
        ...

    def batch_id(self, name: str) -> int: ...

    def existing_names(self, names: Iterable[str]) -> set[str]: ...

    def add_clips(self, batch_id: int, clips: Iterable[NewClip]) -> int:
        """Insert in order, ignoring names already present; returns how many were new."""
        ...

    def add_lexicon(self, batch_id: int | None, terms: Iterable[str]) -> int: ...

    # -- batch settings (store/batches.py) ---------------------------------------------
    def batch_settings(self, batch: str) -> BatchSettings:
        """A batch's overlap, gold rate, review share and listening required; UserError
        when there is no such batch."""
        ...

    def batches(self) -> list[BatchSettings]:
        """Every batch with its settings, oldest first."""
        ...

    def set_batch_settings(self, batch: str, *, actor: str | None = None, **changes: Any) -> None:
        """Change the settings given (overlap, gold_rate, review_share, min_listen), checked
        (UserError naming the flag); only a lead may. A changed overlap adds or removes the
        clips' free slots."""
        ...

    def lexicon(self) -> list[str]: ...

    # -- reading clips -----------------------------------------------------------------
    def clip(self, clip_id: int, annotator: str | None = None) -> Clip | None:
        """The clip; given an annotator, as they see it: through their own slot (overlap
        is blind: never another annotator's transcript of it)."""
        ...

    def clip_by_name(self, name: str) -> Clip | None: ...

    def iter_clips(
        self, statuses: Iterable[str] | None = None, chunk: int = 2000
    ) -> Iterator[Clip]: ...

    def revisions(self, clip_id: int) -> list[Revision]: ...

    def annotations(self, batch: str | None = None) -> Iterator[Annotation]:
        """Every finished slot (a transcript or a skip), one per annotator per clip, in clip
        order, streamed: with overlap N a clip yields up to N. Only the rows the viewer may
        see (on PostgreSQL an annotator sees their own)."""
        ...

    # -- the queue: which clip next (earmark/store/queue.py) --------------------------
    def clip_count(self) -> int: ...

    def position(self, clip_id: int) -> int:
        """1-based position of a clip in import order."""
        ...

    def resume_clip(self, annotator: str) -> int | None: ...

    def next_open(self, annotator: str, after: int, *, avoid: Iterable[int] = ()) -> int | None:
        """Claim (or keep) the clip `annotator` works on next after `after` (a lease, renewed
        while this process runs); clips in `avoid` are passed over. Two annotators never get
        the same slot."""
        ...

    def peek_next(self, annotator: str, after: int, *, avoid: Iterable[int] = ()) -> int | None:
        """The clip `next_open` would give now, without claiming it (to decode it ahead)."""
        ...

    def neighbour_playable(
        self, clip_id: int, step: int, annotator: str | None = None
    ) -> int | None:
        """The previous/next playable clip; given an annotator, never one someone else
        holds (another's clip in progress, or their draft, is not theirs to open)."""
        ...

    def last_playable(self, annotator: str | None = None) -> int | None:
        """The last clip in import order that can be played (the "last clip" key); given an
        annotator, as neighbour_playable."""
        ...

    def unplayable_between(self, low: int, high: int) -> list[tuple[int, str]]: ...

    # -- annotating --------------------------------------------------------------------
    def start_clip(self, clip_id: int, annotator: str) -> None: ...

    def submit(self, clip_id: int, text: str, annotator: str, seconds: float) -> None: ...

    def skip(self, clip_id: int, reason: str, annotator: str, seconds: float) -> None: ...

    def mark_unplayable(self, clip_id: int, reason: str) -> None: ...

    def save_draft(
        self, clip_id: int, annotator: str, text: str, cursor: int, seconds: float
    ) -> None: ...

    def draft(self, clip_id: int, annotator: str | None = None) -> Draft | None:
        """The annotator's own draft of the clip (drafts are per annotator)."""
        ...

    def delete_draft(self, clip_id: int, annotator: str | None = None) -> None: ...

    def holds(self, clip_id: int, annotator: str) -> bool:
        """Whether `annotator` holds a live claim on the clip now."""
        ...

    def forget(self, clip_id: int) -> None:
        """Stop renewing this process's lease on the clip (it runs out like a dead one's)."""
        ...

    # -- figures -----------------------------------------------------------------------
    def totals(self) -> Totals:
        """Maintained project figures: counts per status, time on finished clips, WER sums."""
        ...

    def status_counts(self) -> dict[str, int]: ...

    def submitted_texts(self) -> list[str]: ...

    def submit_times(self, annotator: str, since: float) -> list[float]:
        """When `annotator` last submitted each clip they submitted since `since` (done only)."""
        ...

    def throughput_since(self, since: float) -> list[tuple[str, int, float]]: ...

    def mean_seconds_on_clip(self) -> float | None: ...

    # -- the lead's report (earmark/store/figures.py; leads only on PostgreSQL) ---------
    def hourly_work(self, since: float) -> list[HourWork]: ...

    def task_times(self) -> list[TaskTime]: ...

    def wer_by_batch(self) -> list[BatchWer]: ...

    def exposure_by_hour(self, since: float) -> list[UserHour]: ...

    # -- flags -------------------------------------------------------------------------
    def add_flag(
        self,
        clip_id: int,
        kind: str,
        raised_by: str,
        *,
        start: float | None = None,
        end: float | None = None,
        category: str | None = None,
        note: str = "",
        redact: list[int] | None = None,
    ) -> int: ...

    def flag(self, flag_id: int) -> Flag | None: ...

    def update_flag(self, flag_id: int, *, actor: str | None = None, **fields: Any) -> Flag: ...

    def request_downgrade(self, flag_id: int, user: str) -> None: ...

    def confirm_downgrade(self, flag_id: int, user: str) -> None: ...

    def cancel_downgrade(self, flag_id: int, user: str) -> None: ...

    def critical_flags(self, *, include_downgraded: bool = False) -> list[Flag]: ...

    def content_warning(self, clip_id: int) -> str | None: ...

    def flags_for_clip(self, clip_id: int, *, include_downgraded: bool = False) -> list[Flag]: ...

    def flag_counts(self) -> dict[str, int]: ...

    def critical_clip_ids(self) -> set[int]: ...

    def flags_by_clip(self) -> dict[int, list[Flag]]: ...

    # -- redaction marks: words, not positions (earmark/redaction.py) --------------------
    def set_redaction(self, flag_id: int, marks: Iterable[Mark], *, actor: str) -> None: ...

    def redaction_marks(self, flag_id: int) -> list[Mark] | None: ...

    def redaction_marks_for_clip(self, clip_id: int) -> list[Mark]: ...

    def redaction_marks_by_flag(self) -> dict[int, list[Mark]]: ...

    # -- consent withdrawn ----------------------------------------------------------------
    def purge_clips(self, names: Iterable[str], *, actor: str, reason: str) -> dict[str, int]: ...

    def name_lead_if_none(self, name: str) -> bool: ...

    # -- escalations -------------------------------------------------------------------
    def raise_escalation(
        self,
        clip_id: int,
        raised_by: str,
        *,
        tier: str | None,
        category: str | None,
        start: float | None = None,
        end: float | None = None,
        note: str = "",
        policy: esc.DeadlinePolicy | None = None,
        tz: dt.tzinfo | None = None,
    ) -> int: ...

    def escalation(self, esc_id: int) -> esc.Escalation | None: ...

    def escalations(
        self, *, raised_by: str | None = None, open_only: bool = False
    ) -> list[esc.Escalation]: ...

    def visible_escalations(
        self, viewer: str, *, open_only: bool = False
    ) -> list[esc.Escalation]: ...

    def acknowledge_escalation(self, esc_id: int, user: str) -> None: ...

    def resolve_escalation(self, esc_id: int, user: str, outcome: str, note: str = "") -> str: ...

    def confirm_escalation(self, esc_id: int, user: str) -> None: ...

    def decline_escalation(self, esc_id: int, user: str) -> None: ...

    def overdue_escalations(self) -> list[esc.Escalation]: ...

    # -- users, roles, wellbeing -------------------------------------------------------
    def ensure_user(self, name: str) -> str: ...

    def role_of(self, name: str) -> str | None: ...

    def users(self) -> list[User]: ...

    def grant_role(self, actor: str, name: str, role: str) -> None: ...

    def wellbeing_settings(self) -> WellbeingSettings: ...

    def set_wellbeing(
        self,
        actor: str,
        *,
        soft_minutes: float | None = None,
        hard_minutes: float | None = None,
        break_text: str | None = None,
    ) -> None: ...

    def opt_outs(self, user: str) -> set[str]: ...

    def set_opt_out(self, user: str, category: str, opted_out: bool = True) -> None: ...

    def exposure_seconds(self, user: str, since: float) -> float: ...

    def routed_away_clip_ids(self, user: str, *, at_hard_limit: bool) -> set[int]: ...

    # -- audit and plays ---------------------------------------------------------------
    def audit_append(
        self,
        actor: str,
        action: str,
        clip: int | str | None = None,
        detail: Mapping[str, Any] | str | None = None,
    ) -> int: ...

    def audit_entries(self, *, after: int = 0, limit: int | None = None) -> list[audit.Entry]: ...

    def iter_audit(self, chunk: int = 5000) -> Iterator[audit.Entry]: ...

    def audit_verify(self, expect: tuple[int, str] | None = None) -> audit.Verdict: ...

    def audit_head(self) -> tuple[int, str]: ...

    def log_play(
        self, user: str, clip_id: int, start: float, end: float, speed: float = 1.0
    ) -> None: ...

    def plays(self, clip_id: int | None = None, user: str | None = None) -> list[Play]: ...

    # -- second-pass review (earmark/quality/review.py) ---------------------------------
    def record_review(
        self, clip_id: int, reviewer: str, outcome: str, *, text: str | None = None, note: str = ""
    ) -> list[Review]:
        """Accept, fix (text) or reject (note) every transcript of the clip not yet reviewed
        (a gold clip: the answers that missed), durably and audited; a fix is the clip's
        final text. Refused to anyone who transcribed the clip and to non-reviewers."""
        ...

    def reviews(
        self, *, clip_id: int | None = None, annotator: str | None = None
    ) -> list[Review]: ...

    def reviewed_pairs(self) -> set[tuple[int, str]]:
        """(clip id, annotator) of every transcript a reviewer has checked."""
        ...

    def feedback_seen(self, annotator: str) -> int:
        """The newest review id `annotator` has been shown (0: none)."""
        ...

    def mark_feedback_seen(self, annotator: str, last_id: int) -> None: ...
