"""`earmark escalations`: list escalations, and the reviewer's steps for scripts and cron.

`--overdue` is meant for cron: it exits 1 when any escalation is past its deadline, whoever
runs it, but only a reviewer or lead sees the details; anyone else gets the count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from earmark.config import current_user, db_path
from earmark.errors import UserError
from earmark.escalation import deadline_text
from earmark.roles import can_review
from earmark.store import Store, open_store
from earmark.textsafe import clean


def _id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UserError(
            f"{text!r} is not an escalation id (a number, as `earmark escalations` lists)"
        ) from None
    if value <= 0:
        raise UserError(f"{text!r} is not an escalation id")
    return value


def _local(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%a %Y-%m-%d %H:%M") if ts else "-"


def run(args: argparse.Namespace) -> int:
    store = open_store(db_path(args.db), create=False)
    try:
        user = current_user(getattr(args, "user", None))
        action = getattr(args, "action", None)
        if action == "ack":
            esc_id = _id(args.id)
            store.acknowledge_escalation(esc_id, user)
            print(f"escalation {esc_id} acknowledged by {user}")
            return 0
        if action == "resolve":
            esc_id = _id(args.id)
            state = store.resolve_escalation(esc_id, user, args.outcome, args.note or "")
            if state == "pending_confirmation":
                print(
                    f"escalation {esc_id}: {args.outcome} proposed by {user}; "
                    "a second reviewer must confirm it (`earmark escalations confirm "
                    f"{esc_id}`)"
                )
            else:
                print(f"escalation {esc_id} resolved by {user}: {args.outcome}")
            return 0
        if action == "confirm":
            target = args.id.strip()
            if target.lower().startswith("flag:"):
                flag_id = _id(target[5:])
                store.confirm_downgrade(flag_id, user)
                print(f"critical flag {flag_id} downgraded (confirmed by {user})")
                return 0
            esc_id = _id(target)
            store.confirm_escalation(esc_id, user)
            e = store.escalation(esc_id)
            if e is None:
                raise UserError(f"no escalation {esc_id}")
            print(
                f"escalation {esc_id} resolved: {e.outcome} (proposed by {e.proposed_by}, "
                f"confirmed by {user})"
            )
            return 0
        return _list(store, user, json_out=args.json, overdue_only=args.overdue)
    finally:
        store.close()


def _list(store: Store, user: str, *, json_out: bool, overdue_only: bool) -> int:
    now = store.clock.now()
    overdue_all = store.overdue_escalations()
    role = store.ensure_user(user)
    items = store.visible_escalations(user)
    if overdue_only:
        items = [e for e in items if e.overdue(now)]
    if json_out:
        print(json.dumps([e.to_json(now) for e in items], indent=None))
    elif not items:
        print("no overdue escalations" if overdue_only else "no escalations")
    else:
        for e in items:
            flag = " OVERDUE" if e.overdue(now) else ""
            outcome = (
                f" -> {e.outcome}"
                if e.outcome
                else (
                    f" (proposed {e.proposed_outcome} by {e.proposed_by})"
                    if e.proposed_outcome
                    else ""
                )
            )
            print(
                f"#{e.id:<4} {e.tier:<9} {e.state.replace('_', ' '):<20} "
                f"due {_local(e.deadline)} ({deadline_text(e, now)}){flag}  "
                f"{e.category}  clip {e.clip}  by {clean(e.raised_by)}{outcome}"
            )
    hidden = len(overdue_all) - sum(1 for e in items if e.overdue(now))
    if overdue_only and hidden > 0 and not can_review(role):
        print(f"{hidden} overdue escalation(s) you may not see: tell a reviewer", file=sys.stderr)
    return 1 if overdue_only and overdue_all else 0
