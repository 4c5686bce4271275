"""Escalations on PostgreSQL: raise (annotators), acknowledge, resolve, confirm (reviewers).

Row-level security shows an annotator only the escalations they raised, note included;
reviewers see all. Every acting column (acked_by, proposed_by, confirmed_by) must name the
session user, and confirmed_by must differ from proposed_by: the two-person rule holds
because PostgreSQL authenticated two different people, whatever a client claims.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from earmark import escalation as esc
from earmark.roles import REVIEW_ROLES
from earmark.store.escalations import MAX_NOTE
from earmark.store.postgres.flags import PgFlagsMixin
from earmark.textsafe import clean

_SELECT = """
SELECT e.id, e.flag_id, e.clip_id, c.name AS clip, e.tier, e.category, e.start, e."end",
       e.note, e.state, e.raised_by, e.raised_at, e.deadline, e.acked_by, e.acked_at,
       e.proposed_outcome, e.proposed_note, e.proposed_by, e.proposed_at, e.outcome,
       e.outcome_note, e.resolved_by, e.resolved_at, e.confirmed_by
FROM escalations e JOIN clips c ON c.id = e.clip_id
"""


def _escalation(row: dict[str, Any]) -> esc.Escalation:
    return esc.Escalation(**row)


class PgEscalationsMixin(PgFlagsMixin):
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
        tier = esc.check_tier(tier)
        category = esc.check_category(category)
        note = clean(note, max_len=MAX_NOTE).strip()
        if start is not None and end is not None and end < start:
            start, end = end, start
        self.ensure_user(raised_by)
        now = self.db.clock.now()
        deadline = (policy or esc.DeadlinePolicy()).deadline(tier, now, tz)
        with self.db.tx() as c:
            if c.execute("SELECT 1 FROM clips WHERE id = %s", (clip_id,)).fetchone() is None:
                raise esc.EscalationError(f"no clip {clip_id}")
            flag = c.execute(
                'INSERT INTO flags(clip_id, kind, start, "end", category, raised_at)'
                " VALUES (%s, 'escalation', %s, %s, %s, %s) RETURNING id",
                (clip_id, start, end, category, now),
            ).fetchone()
            assert flag is not None
            row = c.execute(
                'INSERT INTO escalations(flag_id, clip_id, tier, category, start, "end", note,'
                " raised_at, deadline) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) RETURNING id",
                (flag["id"], clip_id, tier, category, start, end, note, now, deadline),
            ).fetchone()
            assert row is not None
            esc_id = int(row["id"])
            self.audit_append(
                raised_by,
                "escalate",
                clip_id,
                {
                    "escalation": esc_id,
                    "flag": int(flag["id"]),
                    "tier": tier,
                    "category": category,
                    "start": start,
                    "end": end,
                    "deadline": esc.iso(deadline),
                },
            )
            return esc_id

    # -- reading (row-level security decides what each viewer gets) -----------------------
    def escalation(self, esc_id: int) -> esc.Escalation | None:
        row = self.db.query_one(_SELECT + " WHERE e.id = %s", (esc_id,))
        return _escalation(row) if row else None

    def escalations(
        self, *, raised_by: str | None = None, open_only: bool = False
    ) -> list[esc.Escalation]:
        q, params = _SELECT + " WHERE true", []
        if raised_by is not None:
            q += " AND e.raised_by = %s"
            params.append(raised_by)
        if open_only:
            q += " AND e.state <> 'resolved'"
        return esc.queue_order(_escalation(r) for r in self.db.query(q, params))

    def visible_escalations(self, viewer: str, *, open_only: bool = False) -> list[esc.Escalation]:
        self.ensure_user(viewer)
        return self.escalations(open_only=open_only)

    def overdue_escalations(self) -> list[esc.Escalation]:
        now = self.db.clock.now()
        return [e for e in self.escalations(open_only=True) if e.overdue(now)]

    # -- the reviewer's steps -----------------------------------------------------------------
    def _for_review(self, esc_id: int, user: str, doing: str) -> esc.Escalation:
        self.require_role(user, REVIEW_ROLES, doing)
        e = self.escalation(esc_id)
        if e is None:
            raise esc.EscalationError(f"no escalation {esc_id}")
        return e

    def acknowledge_escalation(self, esc_id: int, user: str) -> None:
        e = self._for_review(esc_id, user, "acknowledge escalations")
        esc.check_ack(e)
        now = self.db.clock.now()
        with self.db.tx() as c:
            c.execute(
                "UPDATE escalations SET state = 'acknowledged', acked_by = session_user,"
                " acked_at = %s WHERE id = %s",
                (now, esc_id),
            )
            self.audit_append(
                user, "escalation_ack", e.clip_id, {"escalation": esc_id, "overdue": e.overdue(now)}
            )

    def resolve_escalation(self, esc_id: int, user: str, outcome: str, note: str = "") -> str:
        note = clean(note, max_len=MAX_NOTE).strip()
        e = self._for_review(esc_id, user, "resolve escalations")
        state = esc.check_resolve(e, outcome)
        now = self.db.clock.now()
        with self.db.tx() as c:
            if e.state == "raised":
                c.execute(
                    "UPDATE escalations SET acked_by = session_user, acked_at = %s WHERE id = %s",
                    (now, esc_id),
                )
            if state == "pending_confirmation":
                c.execute(
                    "UPDATE escalations SET state = %s, proposed_outcome = %s,"
                    " proposed_note = %s, proposed_by = session_user, proposed_at = %s"
                    " WHERE id = %s",
                    (state, outcome, note, now, esc_id),
                )
                action = "escalation_propose"
            else:
                c.execute(
                    "UPDATE escalations SET state = %s, outcome = %s, outcome_note = %s,"
                    " resolved_by = session_user, resolved_at = %s WHERE id = %s",
                    (state, outcome, note, now, esc_id),
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
        e = self._for_review(esc_id, user, "confirm escalations")
        esc.check_confirm(e, self.me)
        with self.db.tx() as c:
            c.execute(
                "UPDATE escalations SET state = 'resolved', outcome = proposed_outcome,"
                " outcome_note = proposed_note, resolved_by = proposed_by, resolved_at = %s,"
                " confirmed_by = session_user WHERE id = %s AND state = 'pending_confirmation'",
                (self.db.clock.now(), esc_id),
            )
            self.audit_append(
                user,
                "escalation_confirm",
                e.clip_id,
                {"escalation": esc_id, "outcome": e.proposed_outcome, "proposed_by": e.proposed_by},
            )

    def decline_escalation(self, esc_id: int, user: str) -> None:
        e = self._for_review(esc_id, user, "decline proposals")
        if e.state != "pending_confirmation":
            raise esc.EscalationError(f"escalation {esc_id} has nothing awaiting confirmation")
        with self.db.tx() as c:
            c.execute(
                "UPDATE escalations SET state = 'acknowledged', proposed_outcome = NULL,"
                " proposed_note = NULL, proposed_by = NULL, proposed_at = NULL WHERE id = %s",
                (esc_id,),
            )
            self.audit_append(
                user,
                "escalation_decline",
                e.clip_id,
                {"escalation": esc_id, "outcome": e.proposed_outcome, "proposed_by": e.proposed_by},
            )
