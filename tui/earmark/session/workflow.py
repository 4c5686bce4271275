"""The annotator's session: which clip is open, its draft, its timing, and moving on.

The screen asks the session, the session asks the store; nothing here knows Textual exists,
so the whole workflow (resume, submit, skip, reopen, drafts) is testable without a terminal.
Timing uses the injected clock's monotonic time, so tests move it by hand.

The session is the screen's only way to the queue: which clip next (routed by the annotator's
wellbeing limits and opt-outs, given at construction), which clip to decode ahead, the last
clip to go back to from the end, what is left when nothing is, and the pace figures.

Threading: the app calls the session from one worker thread at a time for writes and from
the UI thread for reads of plain attributes; the store serialises its own connection.
"""

from __future__ import annotations

import datetime as _dt
import threading

from earmark.clock import SYSTEM, Clock
from earmark.redaction import Mark
from earmark.session.gold import GoldServing
from earmark.session.heard import HeardMixin
from earmark.session.queue_end import QueueEndMixin
from earmark.session.records import Detail, Records
from earmark.session.state import PACE_MIN_SPAN, PACE_WINDOW, ClipState, SessionError
from earmark.store import SKIP_REASONS, Clip, Flag, Store
from earmark.store.queue import LeaseLost
from earmark.textsafe import clean
from earmark.wellbeing import Wellbeing


class Session(HeardMixin, QueueEndMixin):
    def __init__(
        self,
        store: Store,
        user: str,
        *,
        clock: Clock = SYSTEM,
        wellbeing: Wellbeing | None = None,
        gold: GoldServing | None = None,
    ) -> None:
        self.store = store
        self.user = user
        self.clock = clock
        self.wellbeing = wellbeing or Wellbeing(store, user)
        self.gold = gold or GoldServing(store, user)  # gold clips, served blind (gold.py)
        self.started = clock.monotonic()
        self.started_at = clock.now()
        self.total = store.clip_count()
        self.current: Clip | None = None
        self.position = 0
        self.text = ""
        self.cursor = 0
        self._original: str | None = ""  # the text the clip opened with, to tell edits apart
        self._start_timing(None, 0.0)
        self._dirty = False
        self._announced: set[int] = set()
        self._unclaimed: int | None = None
        self._lock = threading.RLock()
        # Exposure and audit records are durable writes; the player reports from whatever
        # thread stopped it (often the UI's), so they are written by one thread of their own.
        self._records = Records(store, user)
        self._audit("session_start")

    # -- figures for the status line ---------------------------------------------------
    def seconds_on_clip(self) -> float:
        """Time on task: with the clip open, idle gaps capped (session/listening.py)."""
        return self._task.seconds(self.clock.monotonic())

    def clips_per_hour(self) -> float:
        """This annotator's submits in the last hour, from the store (so a restart keeps the
        figure), per hour of the time they span: from the earlier of this session's start
        and the first of those submits, and at least five minutes."""
        now = self.clock.now()
        times = self.store.submit_times(self.user, now - PACE_WINDOW)
        if not times:
            return 0.0
        began = min(self.started_at, min(times))
        span = min(PACE_WINDOW, max(PACE_MIN_SPAN, now - began))
        return len(times) * 3600.0 / span

    def done_today(self) -> int:
        """Clips this annotator submitted since local midnight (skips are not work done)."""
        now = self.clock.now()
        midnight = _dt.datetime.fromtimestamp(now).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return len(self.store.submit_times(self.user, midnight.timestamp()))

    def upcoming(self) -> Clip | None:
        """The clip the queue would give after the open one: worth decoding ahead. Not
        claimed: held now, it would stay another's to skip for a lease after a quit."""
        current = self.current
        if current is None:
            return None
        nxt = self._next_open(current.id, claim=False)
        if nxt is None or nxt == current.id:
            return None
        clip = self.store.clip(nxt)
        return clip if clip is not None and clip.playable else None

    # -- opening clips -----------------------------------------------------------------
    def resume(self) -> ClipState | None:
        """Open the clip in progress (with its draft), else the first pending clip. The
        project may have grown since the session began (a maintained count: cheap)."""
        self.total = self.store.clip_count()
        clip_id = self.gold.next_for(0) or self.store.resume_clip(self.user)
        return self.open(clip_id) if clip_id is not None else self._empty()

    def open(self, clip_id: int, notices: tuple[str, ...] = ()) -> ClipState | None:
        """Open a clip. A pending clip is claimed (in_progress, ours), and one of ours left
        untouched earlier (see `_leave`) held again, by `claim()`, which the caller runs after
        showing it: the claim is a durable write the screen need not wait for."""
        with self._lock:
            self._leave()
            clip = self.store.clip(clip_id, self.user)
            if clip is None:
                return self._empty()
            held = self.gold.open(clip)
            clip, draft = held if held is not None else (clip, self.store.draft(clip.id, self.user))
            ours = held is None and clip.status == "in_progress" and clip.annotator == self.user
            self._unclaimed = clip.id if clip.status == "pending" or ours else None
            reopened = clip.status in ("done", "skipped")
            if draft is not None:
                text, cursor, prior = draft.text, draft.cursor, draft.seconds
            elif clip.status == "done" and clip.text is not None:
                text, cursor, prior = clip.text, len(clip.text), 0.0
            else:
                text, cursor, prior = clip.asr, len(clip.asr), 0.0
            self.current = clip
            self.position = self.store.position(clip.id)
            self.text = clean(text)
            self.cursor = max(0, min(cursor, len(self.text)))
            self._original = self.text if draft is None else None  # a draft is an edit already
            self._start_timing(clip, prior)
            self._dirty = False
            if reopened:
                self._audit("reopen", clip.id)
            return self.state(notices)

    def claim(self) -> None:
        """Hold the open clip: claim it if it was pending, renew its lease if it was ours."""
        with self._lock:
            clip = self.current
            if clip is None or self._unclaimed != clip.id:
                return
            self._unclaimed = None
            self.store.start_clip(clip.id, self.user)
            fresh = self.store.clip(clip.id, self.user)
            if fresh is not None:
                self.current = fresh

    def state(self, notices: tuple[str, ...] = ()) -> ClipState | None:
        if self.current is None:
            return None
        return ClipState(
            clip=self.current,
            position=self.position,
            total=self.total,
            text=self.text,
            cursor=self.cursor,
            reopened=self.current.status in ("done", "skipped"),
            notices=notices,
        )

    def _empty(self) -> ClipState | None:
        """The end of the queue: no clip open."""
        self.current = None
        self.position = 0
        self.text = ""
        return self.state()

    # -- editing and drafts ------------------------------------------------------------
    def edit(self, text: str, cursor: int, *, clip_id: int | None = None) -> None:
        """Record what the editor holds; saved by save_draft (the app calls it on a timer).

        `clip_id` guards against a late edit event for a clip the session has already left.
        """
        with self._lock:
            if self.current is None or (clip_id is not None and clip_id != self.current.id):
                return
            if text != self.text:
                self._dirty = True
                self.touch()
            self.text = text
            self.cursor = cursor

    @property
    def dirty(self) -> bool:
        return self._dirty

    def save_draft(self, *, force: bool = False) -> bool:
        """Write the draft if it changed (or `force`, to keep the time spent); True if written."""
        with self._lock:
            clip = self.current
            if clip is None or clip.status == "unplayable":
                return False
            if not (self._dirty or force):
                return False
            self.claim()
            clip = self.current
            if clip is None:
                return False
            if (
                self._original is not None
                and self.text == self._original
                and clip.status != "in_progress"
            ):
                # a submitted clip looked at but not changed: no draft, nothing to resume
                self._dirty = False
                return False
            save = self.gold.save_draft if self.gold.holds(clip.id) else self._save_draft
            save(clip.id, clean(self.text), self.cursor, self.seconds_on_clip())
            self._dirty = False
            return True

    def _save_draft(self, clip_id: int, text: str, cursor: int, seconds: float) -> None:
        self.store.save_draft(clip_id, self.user, text, cursor, seconds)

    def _leave(self) -> None:
        """Keep what was typed and the time spent on the clip we are leaving. A clip left as
        it opened (paged past, looked at) is no longer held: its lease runs out within
        minutes and a teammate may take it, instead of it staying this annotator's for as
        long as earmark runs; coming back to it in time holds it again (`open`)."""
        if self.current is not None:
            self.claim()
            self.save_draft(force=True)
            if self.text == clean(self.current.asr):  # a draft of the time alone is no edit
                self.store.forget(self.current.id)

    def close(self) -> None:
        """Keep the draft, log the end, stop the background writer (also when the draft fails,
        whose error is raised after)."""
        try:
            with self._lock:
                self._leave()
        finally:
            self._audit("session_end")
            self._records.shutdown()

    # -- finishing clips ---------------------------------------------------------------
    def submit(self, text: str | None = None) -> ClipState | None:
        """Save the transcript durably, then open the next clip still to do."""
        with self._lock:
            clip = self._require_playable()
            self._require_heard(clip, "submit" if text is None or text != clip.asr else "asr")
            final = " ".join(clean(self.text if text is None else text).split())
            # store.submit appends the audit line itself, in the same transaction
            if self.gold.holds(clip.id):
                self.gold.finish(clip.id, final, None, self.seconds_on_clip())
                return self._finished(clip)
            try:
                self.store.submit(clip.id, final, self.user, self.seconds_on_clip())
            except LeaseLost as lost:
                return self._lost(clip, lost)
            return self._finished(clip)

    def accept_asr(self) -> ClipState | None:
        """The guess was right: submit it unchanged."""
        with self._lock:
            clip = self._require_playable()
            return self.submit(clip.asr)

    def skip(self, reason: str) -> ClipState | None:
        with self._lock:
            if reason not in SKIP_REASONS:
                raise ValueError(
                    f"unknown skip reason {reason!r}; one of: {', '.join(SKIP_REASONS)}"
                )
            clip = self._require_playable()
            if self.gold.holds(clip.id):
                self.gold.finish(clip.id, None, reason, self.seconds_on_clip())
                return self._finished(clip)
            try:
                self.store.skip(clip.id, reason, self.user, self.seconds_on_clip())  # audited
            except LeaseLost as lost:
                return self._lost(clip, lost)
            return self._finished(clip)

    def mark_unplayable(self, reason: str) -> ClipState | None:
        """The audio would not decode after all: record why and move on (told once)."""
        with self._lock:
            clip = self.current
            if clip is None:
                return None
            reason = clean(reason)[:300]
            self.store.mark_unplayable(clip.id, reason)
            self.store.delete_draft(clip.id, self.user)
            self._announced.add(clip.id)
            self.current = None
            notice = f"clip {self.position} is unplayable and was skipped: {reason}"
            return self._go_next(clip.id, (notice,))

    def _require_playable(self) -> Clip:
        clip = self.current
        if clip is None:
            raise SessionError("no clip is open")
        if clip.status == "unplayable":
            raise SessionError(f"clip {self.position} is unplayable: {clip.skip_reason}")
        return clip

    def _finished(self, clip: Clip) -> ClipState | None:
        self.current = None  # its draft is gone with the submit; nothing to keep on leaving
        return self._go_next(clip.id)

    def _lost(self, clip: Clip, lost: LeaseLost) -> ClipState | None:
        """Someone else holds the clip now: the store kept the text as this annotator's
        draft; move on, saying so."""
        self.current = None  # nothing more to save for it: the draft is written
        return self._go_next(clip.id, (str(lost),))

    def _go_next(self, after: int, notices: tuple[str, ...] = ()) -> ClipState | None:
        nxt = self._next_open(after)
        if nxt is None:
            return self._empty()
        if nxt > after and not self.gold.holds(nxt):
            notices = notices + self._unplayable_notice(after, nxt)
        return self.open(nxt, notices)

    def _next_open(self, after: int, *, claim: bool = True) -> int | None:
        """The next open clip not routed away from this annotator (their opt-outs, and at the
        hard exposure limit clips others flagged distressing): see earmark/wellbeing.py.
        A gold clip due now comes first (session/gold.py). `claim`: False to only look."""
        away = self.wellbeing.routed_away()  # read once: each read is five queries
        gold = self.gold.next_for(after, away)
        if gold is not None:
            return gold
        if claim:
            return self.wellbeing.next_allowed(after, away)
        return self.wellbeing.peek_allowed(after, away)

    def _unplayable_notice(self, low: int, high: int) -> tuple[str, ...]:
        passed = [
            (i, r) for i, r in self.store.unplayable_between(low, high) if i not in self._announced
        ]
        if not passed:
            return ()
        self._announced.update(i for i, _ in passed)
        first = passed[0]
        pos = self.store.position(first[0])
        if len(passed) == 1:
            return (f"skipped clip {pos}, unplayable: {clean(first[1])}",)
        return (f"skipped {len(passed)} unplayable clips (clip {pos}: {clean(first[1])}, ...)",)

    # -- moving without submitting -----------------------------------------------------
    def next_clip(self) -> ClipState | None:
        """The next clip in import order; past the last one, the end of the queue (None)."""
        return self._step(+1)

    def prev_clip(self) -> ClipState | None:
        """The previous clip; from the end of the queue, the last playable clip."""
        with self._lock:
            if self.current is None:
                return self.last_clip()
        return self._step(-1)

    def last_clip(self) -> ClipState | None:
        last = self.store.last_playable(self.user)
        return self.open(last) if last is not None else None

    def _step(self, step: int) -> ClipState | None:
        with self._lock:
            if self.current is None:
                return None
            target = self.store.neighbour_playable(self.current.id, step, self.user)
            if target is None:
                if step < 0:
                    return self.state()  # already at the first clip: stay
                self._leave()
                return self._empty()
            notices: tuple[str, ...] = ()
            if step > 0:
                notices = self._unplayable_notice(self.current.id, target)
            return self.open(target, notices)

    # -- audit and exposure (when the store offers them) -------------------------------
    def log_play(self, clip_name: str | None, start: float, end: float, speed: float) -> None:
        """Player.on_played: a stretch of audio this annotator heard (any thread, never blocks)."""
        self._heard(clip_name, start, end, speed)  # no lock: the player's thread never waits
        self._records.log_play(self.current, clip_name, start, end, speed)

    def flags(self, clip_id: int) -> list[Flag]:
        """The flags on a clip, for its marks and content warning."""
        return self.store.flags_for_clip(clip_id)

    def redaction_marks(self, clip_id: int) -> list[Mark]:
        """The words the clip's critical flags redact: kept out of learning, and asked about
        at submit when one has left the transcript."""
        return self.store.redaction_marks_for_clip(clip_id)

    def flush(self) -> None:
        """Wait for the audit/exposure records queued so far (tests, shutdown)."""
        self._records.flush()

    def _audit(self, action: str, clip_id: int | None = None, detail: Detail = None) -> None:
        """Session events (start, end, reopening a clip) for the audit log, written in order
        by the background thread: submits and skips are audited by the store itself."""
        self._records.audit(action, clip_id, detail)
