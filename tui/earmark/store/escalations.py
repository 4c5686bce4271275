"""Escalations in the database: raise, acknowledge, resolve, confirm (two-person rule).

Each step checks the actor's role and the escalation's state inside one write transaction
and appends its audit line in the same transaction, so the log and the state never disagree.
Notes are kept here for reviewers but never copied into the audit log or the exports.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from earmark import escalation as esc
from earmark.roles import REVIEW_ROLES, can_review, require
from earmark.store.base import StoreBase
from earmark.textsafe import clean

MAX_NOTE = 500

_SELECT = """
SELECT e.id, e.flag_id, e.clip_id, c.name AS clip, e.tier, e.category, e.start, e.end, e.note,
       e.state, e.raised_by, e.raised_at, e.deadline, e.acked_by, e.acked_at,
       e.proposed_outcome, e.proposed_note, e.proposed_by, e.proposed_at, e.outcome,
       e.outcome_note, e.resolved_by, e.resolved_at, e.confirmed_by
FROM escalations e JOIN clips c ON c.id = e.clip_id
"""


def _escalation(row: sqlite3.Row) -> esc.Escalation:
    keys: list[str] = row.keys()
    return esc.Escalation(**{k: row[k] for k in keys})


class EscalationsMixin(StoreBase):
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
    ) -> int:
        """Record an escalation (and its flag); returns the escalation id."""
        tier = esc.check_tier(tier)
        category = esc.check_category(category)
        note = clean(note, max_len=MAX_NOTE).strip()
        if start is not None and end is not None and end < start:
            start, end = end, start
        now = self.db.clock.now()
        deadline = (policy or esc.DeadlinePolicy()).deadline(tier, now, tz)
        with self._tx() as c:
            if c.execute("SELECT 1 FROM clips WHERE id = ?", (clip_id,)).fetchone() is None:
                raise esc.EscalationError(f"no clip {clip_id}")
            self._ensure_user(c, raised_by)
            flag_id = c.execute(
                "INSERT INTO flags(clip_id, kind, start, end, category, note, raised_by, raised_at)"
                " VALUES (?, 'escalation', ?, ?, ?, '', ?, ?)",
                (clip_id, start, end, category, raised_by, now),
            ).lastrowid
            esc_id = c.execute(
                "INSERT INTO escalations(flag_id, clip_id, tier, category, start, end, note,"
                " raised_by, raised_at, deadline) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (flag_id, clip_id, tier, category, start, end, note, raised_by, now, deadline),
            ).lastrowid
            self.audit_append(
                raised_by,
                "escalate",
                clip_id,
                {
                    "escalation": esc_id,
                    "flag": flag_id,
                    "tier": tier,
                    "category": category,
                    "start": start,
                    "end": end,
                    "deadline": esc.iso(deadline),
                },
            )
            return int(esc_id or 0)

    # -- reading ---------------------------------------------------------------------------
    def escalation(self, esc_id: int) -> esc.Escalation | None:
        row = self.db.query_one(_SELECT + " WHERE e.id = ?", (esc_id,))
        return _escalation(row) if row else None

    def escalations(
        self, *, raised_by: str | None = None, open_only: bool = False
    ) -> list[esc.Escalation]:
        """In queue order: open first, then tier, then the earliest deadline."""
        q, params = _SELECT + " WHERE 1=1", []
        if raised_by is not None:
            q += " AND e.raised_by = ?"
            params.append(raised_by)
        if open_only:
            q += " AND e.state != 'resolved'"
        return esc.queue_order(_escalation(r) for r in self.db.query(q, tuple(params)))

    def visible_escalations(self, viewer: str, *, open_only: bool = False) -> list[esc.Escalation]:
        """Reviewers and leads see every escalation; an annotator sees only their own."""
        role = self.ensure_user(viewer)
        if can_review(role):
            return self.escalations(open_only=open_only)
        return self.escalations(raised_by=viewer, open_only=open_only)

    # -- the reviewer's steps -----------------------------------------------------------------
    def _load_for_review(
        self, c: sqlite3.Connection, esc_id: int, user: str, doing: str
    ) -> esc.Escalation:
        require(user, self._ensure_user(c, user), REVIEW_ROLES, doing)
        row = c.execute(_SELECT + " WHERE e.id = ?", (esc_id,)).fetchone()
        if row is None:
            raise esc.EscalationError(f"no escalation {esc_id}")
        return _escalation(row)

    def acknowledge_escalation(self, esc_id: int, user: str) -> None:
        with self._tx() as c:
            e = self._load_for_review(c, esc_id, user, "acknowledge escalations")
            esc.check_ack(e)
            now = self.db.clock.now()
            c.execute(
                "UPDATE escalations SET state = 'acknowledged', acked_by = ?, acked_at = ?"
                " WHERE id = ?",
                (user, now, esc_id),
            )
            self.audit_append(
                user, "escalation_ack", e.clip_id, {"escalation": esc_id, "overdue": e.overdue(now)}
            )

    def resolve_escalation(self, esc_id: int, user: str, outcome: str, note: str = "") -> str:
        """Resolve, or, for outcomes under the two-person rule, propose; returns the new state."""
        note = clean(note, max_len=MAX_NOTE).strip()
        with self._tx() as c:
            e = self._load_for_review(c, esc_id, user, "resolve escalations")
            state = esc.check_resolve(e, outcome)
            now = self.db.clock.now()
            if e.state == "raised":
                c.execute(
                    "UPDATE escalations SET acked_by = ?, acked_at = ? WHERE id = ?",
                    (user, now, esc_id),
                )
            if state == "pending_confirmation":
                c.execute(
                    "UPDATE escalations SET state = ?, proposed_outcome = ?, proposed_note = ?,"
                    " proposed_by = ?, proposed_at = ? WHERE id = ?",
                    (state, outcome, note, user, now, esc_id),
                )
                action = "escalation_propose"
            else:
                c.execute(
                    "UPDATE escalations SET state = ?, outcome = ?, outcome_note = ?,"
                    " resolved_by = ?, resolved_at = ? WHERE id = ?",
                    (state, outcome, note, user, now, esc_id),
                )
                action = "escalation_resolve"
            self.audit_append(
                user,
                action,
                e.clip_id,
                {
                    "escalation": esc_id,
                    "outcome": outcome,
                    "state": state,
                    "overdue": e.overdue(now),
                    "with_note": bool(note),
                },
            )
            return state

    def confirm_escalation(self, esc_id: int, user: str) -> None:
        """The second reviewer's confirmation of a proposed outcome (never the proposer)."""
        with self._tx() as c:
            e = self._load_for_review(c, esc_id, user, "confirm escalations")
            esc.check_confirm(e, user)
            now = self.db.clock.now()
            c.execute(
                "UPDATE escalations SET state = 'resolved', outcome = proposed_outcome,"
                " outcome_note = proposed_note, resolved_by = proposed_by, resolved_at = ?,"
                " confirmed_by = ? WHERE id = ?",
                (now, user, esc_id),
            )
            self.audit_append(
                user,
                "escalation_confirm",
                e.clip_id,
                {
                    "escalation": esc_id,
                    "outcome": e.proposed_outcome,
                    "proposed_by": e.proposed_by,
                },
            )

    def decline_escalation(self, esc_id: int, user: str) -> None:
        """A proposal the second reviewer does not confirm (or its proposer withdraws) goes
        back to acknowledged, so someone decides again."""
        with self._tx() as c:
            e = self._load_for_review(c, esc_id, user, "decline proposals")
            if e.state != "pending_confirmation":
                raise esc.EscalationError(f"escalation {esc_id} has nothing awaiting confirmation")
            c.execute(
                "UPDATE escalations SET state = 'acknowledged', proposed_outcome = NULL,"
                " proposed_note = NULL, proposed_by = NULL, proposed_at = NULL WHERE id = ?",
                (esc_id,),
            )
            self.audit_append(
                user,
                "escalation_decline",
                e.clip_id,
                {
                    "escalation": esc_id,
                    "outcome": e.proposed_outcome,
                    "proposed_by": e.proposed_by,
                },
            )

    def overdue_escalations(self) -> list[esc.Escalation]:
        now = self.db.clock.now()
        return [e for e in self.escalations(open_only=True) if e.overdue(now)]
