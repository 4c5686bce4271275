"""Annotator wellbeing: the exposure meter, soft and hard limits, routing, the break text.

Exposure is the listening time today (local day) on clips flagged distressing or escalated,
by anyone and at any time: hearing a clip before someone flagged it still counts. Past the
soft limit the meter warns and a break is suggested; at the hard limit clips that others
have already flagged are routed away from this annotator. Opt-outs route away the flagged
categories the annotator chose not to hear; no reason is asked for or recorded.

Limits come from the lead (database, `earmark wellbeing --soft/--hard`); an annotator's own
settings file (`[wellbeing] soft_minutes/hard_minutes`) may only make them stricter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from earmark.clock import Clock
from earmark.escalation import CATEGORIES as ESCALATION_CATEGORIES

DEFAULT_SOFT_MINUTES = 20.0
DEFAULT_HARD_MINUTES = 45.0
DEFAULT_BREAK_TEXT = (
    "Step away from the screen for a few minutes. What you heard is not yours to carry alone: "
    "your lead can put you in touch with support."
)
# "distressing" opts out of every clip someone flagged distressing; the others match the
# category of an escalation (or of a distressing flag that names one).
OPT_OUT_CATEGORIES = ("distressing", *ESCALATION_CATEGORIES)


@dataclass(frozen=True)
class Policy:
    soft_minutes: float = DEFAULT_SOFT_MINUTES
    hard_minutes: float = DEFAULT_HARD_MINUTES
    break_text: str = DEFAULT_BREAK_TEXT

    def level(self, minutes: float) -> str:
        """'ok', 'soft' (suggest a break) or 'hard' (route flagged clips away)."""
        if minutes >= self.hard_minutes:
            return "hard"
        if minutes >= self.soft_minutes:
            return "soft"
        return "ok"


def policy_for(lead: Mapping[str, Any], personal: Mapping[str, Any] | None = None) -> Policy:
    """The lead's settings (store.wellbeing_settings()), made stricter by the user's own."""
    soft = lead.get("soft_minutes") or DEFAULT_SOFT_MINUTES
    hard = lead.get("hard_minutes") or DEFAULT_HARD_MINUTES
    table = (personal or {}).get("wellbeing", {}) if isinstance(personal, Mapping) else {}
    if isinstance(table, Mapping):
        for key in ("soft_minutes", "hard_minutes"):
            value = table.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                if key == "soft_minutes":
                    soft = min(soft, float(value))
                else:
                    hard = min(hard, float(value))
    soft = min(soft, hard)
    return Policy(float(soft), float(hard), str(lead.get("break_text") or DEFAULT_BREAK_TEXT))


def start_of_day(now: float, tz: dt.tzinfo | None = None) -> float:
    """Local midnight of the day containing `now` (the meter resets each day)."""
    local = dt.datetime.fromtimestamp(now, tz) if tz else dt.datetime.fromtimestamp(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.timestamp()


def meter_text(minutes: float, policy: Policy) -> str:
    """Short, for the status line: 'exposure 12/45 min'."""
    text = f"exposure {minutes:.0f}/{policy.hard_minutes:.0f} min"
    level = policy.level(minutes)
    if level == "soft":
        text += " - time for a break"
    elif level == "hard":
        text += " - limit reached: flagged clips routed away"
    return text


class ExposureStore(Protocol):
    """The part of the store the meter and the routing read (a fake in tests is enough)."""

    @property
    def clock(self) -> Clock: ...

    def wellbeing_settings(self) -> Mapping[str, Any]: ...

    def exposure_seconds(self, user: str, since: float) -> float: ...

    def routed_away_clip_ids(self, user: str, *, at_hard_limit: bool) -> set[int]: ...

    def next_open(self, annotator: str, after: int, *, avoid: Iterable[int] = ()) -> int | None: ...

    def peek_next(self, annotator: str, after: int, *, avoid: Iterable[int] = ()) -> int | None: ...


class Wellbeing:
    """What the annotator session asks: exposure, level, routing. Reads the store each time
    (cheap indexed queries), so a lead's change or another annotator's flag counts at once."""

    def __init__(
        self,
        store: ExposureStore,
        user: str,
        *,
        settings: Mapping[str, Any] | None = None,
        tz: dt.tzinfo | None = None,
    ) -> None:
        self.store = store
        self.user = user
        self.settings = settings
        self.tz = tz

    @property
    def policy(self) -> Policy:
        return policy_for(self.store.wellbeing_settings(), self.settings)

    def minutes_today(self) -> float:
        since = start_of_day(self.store.clock.now(), self.tz)
        return self.store.exposure_seconds(self.user, since) / 60.0

    def level(self) -> str:
        return self.policy.level(self.minutes_today())

    def meter(self) -> str:
        return meter_text(self.minutes_today(), self.policy)

    def routed_away(self) -> set[int]:
        return self.store.routed_away_clip_ids(self.user, at_hard_limit=self.level() == "hard")

    def next_allowed(self, after: int, away: set[int] | None = None) -> int | None:
        """Claim the next clip (store.next_open) passing over those routed away from this
        user (`away`, when the caller has just read them), at claim time: a clip routed
        away is never claimed."""
        return self.store.next_open(
            self.user, after, avoid=self.routed_away() if away is None else away
        )

    def peek_allowed(self, after: int, away: set[int]) -> int | None:
        """The clip `next_allowed` would claim now, left unclaimed."""
        return self.store.peek_next(self.user, after, avoid=away)


class BreakOffers:
    """A break is offered once per limit (soft, hard) per day, however often the meter is read."""

    def __init__(self) -> None:
        self._offered: set[tuple[float, str]] = set()

    def due(self, level: str, day: float) -> bool:
        """True the first time `level` (not 'ok') is seen on `day`; records it as offered."""
        if level == "ok" or (day, level) in self._offered:
            return False
        self._offered.add((day, level))
        return True


def break_reason(level: str, minutes: float) -> str:
    """Why a break is offered when the meter passes a limit."""
    if level == "hard":
        return (
            f"You have heard {minutes:.0f} min of flagged audio today, the limit. Clips others "
            "flagged distressing will not be given to you today."
        )
    return f"You have heard {minutes:.0f} min of flagged audio today. Time for a break."
