"""The reviewer's detail box: the selected escalation or critical flag in full.

Every untrusted part (notes, user names, categories, clip names) goes through
textsafe.clean into Content, never markup.
"""

from __future__ import annotations

import datetime as dt

from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from earmark.escalation import Escalation, deadline_text
from earmark.store.flags import Flag
from earmark.textsafe import clean


def local_time(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%a %d %b %H:%M") if ts else "-"


def span_text(start: float | None, end: float | None) -> str:
    if start is None and end is None:
        return "whole clip"
    return f"{start or 0:.1f}-{end:.1f} s" if end is not None else f"from {start:.1f} s"


class EscalationDetail(Static):
    """The selected escalation or flag in full; posts Selected so the app can retitle."""

    class Selected(Message):
        def __init__(self, overdue: bool) -> None:
            super().__init__()
            self.overdue = overdue

    def show_escalation(self, e: Escalation | None, now: float, viewer: str) -> None:
        if e is None:
            self.update(Content("No escalation selected."))
            self.set_class(False, "overdue")
            return
        lines = [
            f"#{e.id}  {e.tier.upper()}  {clean(e.category)}  clip {clean(e.clip)}",
            f"state: {e.state.replace('_', ' ')}   deadline: {local_time(e.deadline)} "
            f"({deadline_text(e, now)})",
            f"raised by {clean(e.raised_by)} at {local_time(e.raised_at)}; "
            f"span {span_text(e.start, e.end)}",
            f"note: {clean(e.note) or '(none)'}",
        ]
        if e.acked_by:
            lines.append(f"acknowledged by {clean(e.acked_by)} at {local_time(e.acked_at)}")
        if e.state == "pending_confirmation":
            who = "you" if e.proposed_by == viewer else clean(e.proposed_by)
            lines.append(
                f"proposed: {e.proposed_outcome} by {who}: {clean(e.proposed_note) or '(no note)'}"
            )
            lines.append(
                "awaiting a second reviewer: c confirms, x declines"
                if e.proposed_by != viewer
                else "awaiting a second reviewer"
            )
        if e.outcome:
            lines.append(
                f"outcome: {e.outcome} by {clean(e.resolved_by)}"
                + (f", confirmed by {clean(e.confirmed_by)}" if e.confirmed_by else "")
                + f": {clean(e.outcome_note) or '(no note)'}"
            )
        self.update(Content("\n".join(lines)))
        overdue = e.overdue(now)
        self.set_class(overdue, "overdue")
        self.post_message(self.Selected(overdue))

    def show_flag(self, f: Flag | None, clip_name: str, viewer: str) -> None:
        self.set_class(False, "overdue")
        if f is None:
            self.update(Content("No critical flag selected."))
            return
        lines = [
            f"critical flag {f.id}  {clean(f.category or 'no category')}  clip {clean(clip_name)}",
            f"raised by {clean(f.raised_by)} at {local_time(f.raised_at)}; "
            f"span {span_text(f.start, f.end)}; {len(f.redact)} word(s) to redact",
            "while active, this clip stays out of the training export",
        ]
        if f.downgrade_requested_by:
            who = "you" if f.downgrade_requested_by == viewer else clean(f.downgrade_requested_by)
            lines.append(
                f"downgrade requested by {who}: "
                + (
                    "a second reviewer confirms (c) or declines (x)"
                    if f.downgrade_requested_by != viewer
                    else "awaiting a second reviewer"
                )
            )
        self.update(Content("\n".join(lines)))
