"""Escalations: tiers with deadlines, states, outcomes and the two-person rule.

An annotator who hears something that may be a crime or a danger to someone must not be left
alone with it ("not your job"), and a reviewer must not act on it alone either: this module
holds the rules both the reviewer TUI and `earmark escalations` obey, with time injected so
that deadlines (including weekends for the `standard` tier) are testable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from earmark.errors import UserError

TIERS = ("imminent", "urgent", "standard")
TIER_RANK = {t: i for i, t in enumerate(TIERS)}
TIER_HELP = {
    "imminent": "someone may be in danger now: minutes",
    "urgent": "serious, not this minute: hours",
    "standard": "needs a look: next business day",
}
CATEGORIES = ("threat to life", "violence/assault", "child safety", "self-harm", "crime", "other")
OUTCOMES = ("no_action", "false_alarm", "referred_safety_team", "referred_law_enforcement")
# Outcomes that only take effect once a second, different reviewer confirms them.
NEEDS_CONFIRMATION = frozenset({"referred_law_enforcement"})


class EscalationError(UserError):
    """A workflow step that is not allowed now (wrong state, same reviewer twice, ...)."""


@dataclass(frozen=True)
class DeadlinePolicy:
    """How long each tier may wait. Standard means: the next business day, at `business_hour`."""

    imminent_minutes: float = 15
    urgent_hours: float = 4
    business_hour: int = 17
    business_minute: int = 0
    business_days: frozenset[int] = frozenset(range(5))  # Monday=0 .. Friday=4
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def deadline(self, tier: str, raised_at: float, tz: dt.tzinfo | None = None) -> float:
        """Unix time by which an escalation of `tier` raised at `raised_at` must be resolved.

        `tz` None means the machine's local time zone (where the reviewers work)."""
        if tier == "imminent":
            return raised_at + self.imminent_minutes * 60
        if tier == "urgent":
            return raised_at + self.urgent_hours * 3600
        if tier != "standard":
            raise EscalationError(f"unknown tier {tier!r} (choose {', '.join(TIERS)})")
        local = (
            dt.datetime.fromtimestamp(raised_at, tz) if tz else dt.datetime.fromtimestamp(raised_at)
        )
        day = local.date() + dt.timedelta(days=1)
        for _ in range(366):
            if day.weekday() in self.business_days and day not in self.holidays:
                break
            day += dt.timedelta(days=1)
        at = dt.time(self.business_hour, self.business_minute)
        if tz:
            return dt.datetime.combine(day, at, tzinfo=tz).timestamp()
        return dt.datetime.combine(day, at).timestamp()  # naive: local time, DST-correct

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> DeadlinePolicy:
        """From the `[escalation]` table of the settings file; bad values are a UserError."""
        table = settings.get("escalation", {}) if isinstance(settings, Mapping) else {}
        if not isinstance(table, Mapping):
            raise UserError("settings: [escalation] must be a table")
        kw: dict[str, Any] = {}
        try:
            if "imminent_minutes" in table:
                kw["imminent_minutes"] = _positive(table["imminent_minutes"], "imminent_minutes")
            if "urgent_hours" in table:
                kw["urgent_hours"] = _positive(table["urgent_hours"], "urgent_hours")
            if "business_hour" in table:
                hour, _, minute = str(table["business_hour"]).partition(":")
                kw["business_hour"] = int(hour)
                kw["business_minute"] = int(minute or 0)
                dt.time(kw["business_hour"], kw["business_minute"])
            if "holidays" in table:
                kw["holidays"] = frozenset(dt.date.fromisoformat(str(d)) for d in table["holidays"])
        except (TypeError, ValueError) as exc:
            raise UserError(f"settings: [escalation] has a bad value: {exc}") from None
        return cls(**kw)


def _positive(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{name} must be a positive number, not {value!r}")
    return float(value)


def check_tier(tier: str | None) -> str:
    if tier not in TIERS:
        raise EscalationError(f"choose a tier: {', '.join(TIERS)}")
    return tier


def check_category(category: str | None) -> str:
    if category not in CATEGORIES:
        raise EscalationError(f"unknown category {category!r} (choose {', '.join(CATEGORIES)})")
    return category


def check_outcome(outcome: str | None) -> str:
    if outcome not in OUTCOMES:
        raise EscalationError(f"unknown outcome {outcome!r} (choose {', '.join(OUTCOMES)})")
    return outcome


def iso(ts: float | None) -> str | None:
    """ISO 8601 in UTC with a Z, as scripts and `escalations --json` expect."""
    if ts is None:
        return None
    return (
        dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


@dataclass(frozen=True)
class Escalation:
    id: int
    flag_id: int
    clip_id: int
    clip: str  # the clip's pseudonym
    tier: str
    category: str
    start: float | None
    end: float | None
    note: str
    state: str  # raised -> acknowledged -> (pending_confirmation ->) resolved
    raised_by: str
    raised_at: float
    deadline: float
    acked_by: str | None = None
    acked_at: float | None = None
    proposed_outcome: str | None = None
    proposed_note: str | None = None
    proposed_by: str | None = None
    proposed_at: float | None = None
    outcome: str | None = None
    outcome_note: str | None = None
    resolved_by: str | None = None
    resolved_at: float | None = None
    confirmed_by: str | None = None

    def overdue(self, now: float) -> bool:
        """Past its deadline and not yet resolved (a pending confirmation still counts)."""
        return self.state != "resolved" and now > self.deadline

    def sort_key(self) -> tuple[bool, int, float, int]:
        """Queue order: open before resolved, then tier, then the earliest deadline."""
        return (self.state == "resolved", TIER_RANK[self.tier], self.deadline, self.id)

    def to_json(self, now: float) -> dict[str, object]:
        return {
            "id": self.id,
            "clip": self.clip,
            "tier": self.tier,
            "category": self.category,
            "state": self.state,
            "raised_by": self.raised_by,
            "raised_at": iso(self.raised_at),
            "deadline": iso(self.deadline),
            "overdue": self.overdue(now),
            "start": self.start,
            "end": self.end,
            "note": self.note,
            "acknowledged_by": self.acked_by,
            "acknowledged_at": iso(self.acked_at),
            "proposed_outcome": self.proposed_outcome,
            "proposed_by": self.proposed_by,
            "proposed_at": iso(self.proposed_at),
            "outcome": self.outcome,
            "outcome_note": self.outcome_note,
            "resolved_by": self.resolved_by,
            "resolved_at": iso(self.resolved_at),
            "confirmed_by": self.confirmed_by,
        }


def queue_order(items: Iterable[Escalation]) -> list[Escalation]:
    return sorted(items, key=Escalation.sort_key)


# -- transitions: pure checks, the store applies them inside one transaction ----------------


def check_ack(e: Escalation) -> None:
    if e.state != "raised":
        raise EscalationError(f"escalation {e.id} is {e.state.replace('_', ' ')}, not raised")


def check_resolve(e: Escalation, outcome: str) -> str:
    """The state resolving with `outcome` leads to: resolved, or pending a second reviewer."""
    check_outcome(outcome)
    if e.state not in ("raised", "acknowledged"):
        raise EscalationError(
            f"escalation {e.id} is {e.state.replace('_', ' ')}: cannot resolve it now"
        )
    return "pending_confirmation" if outcome in NEEDS_CONFIRMATION else "resolved"


def check_confirm(e: Escalation, user: str) -> None:
    if e.state != "pending_confirmation":
        raise EscalationError(f"escalation {e.id} has nothing awaiting confirmation")
    if user == e.proposed_by:
        raise EscalationError(
            f"escalation {e.id}: a second reviewer must confirm ({user} proposed it)"
        )


def deadline_text(e: Escalation, now: float) -> str:
    """'in 12 min' / 'overdue 3 h' : what the reviewer's queue shows beside the deadline."""
    if e.state == "resolved":
        return "resolved"
    left = e.deadline - now
    word = "in" if left >= 0 else "overdue"
    secs = abs(left)
    if secs < 3600:
        amount = f"{max(1, round(secs / 60))} min"
    elif secs < 2 * 86400:
        amount = f"{secs / 3600:.1f} h"
    else:
        amount = f"{secs / 86400:.1f} d"
    return f"{word} {amount}"


def words_in_selection(text: str, start: int, end: int) -> list[int]:
    """Indexes (in text.split()) of the words a selection [start, end) touches: the words a
    critical flag marks for redaction."""
    lo, hi = min(start, end), max(start, end)
    if lo == hi:
        return []
    return [i for i, m in enumerate(re.finditer(r"\S+", text)) if m.start() < hi and m.end() > lo]


def state_change_notice(e: Escalation) -> str:
    """What the annotator who raised an escalation is told when it moves to `e.state`."""
    if e.state == "resolved":
        outcome = (e.outcome or "").replace("_", " ")
        return f"Your escalation #{e.id} ({e.category}) was resolved: {outcome}."
    if e.state == "acknowledged":
        return f"Your escalation #{e.id} ({e.category}): a reviewer has it."
    return f"Your escalation #{e.id} ({e.category}): decided, awaiting a second reviewer."
