"""`earmark wellbeing`: the lead sets exposure limits and the break text; anyone sees their
own exposure today and opts out of content categories (no reason asked)."""

from __future__ import annotations

import argparse
import json

from earmark.config import current_user, db_path, load_settings
from earmark.store import open_store
from earmark.wellbeing import OPT_OUT_CATEGORIES, Wellbeing


def run(args: argparse.Namespace) -> int:
    store = open_store(db_path(args.db), create=False)
    try:
        user = current_user(args.user)
        store.ensure_user(user)
        if args.soft is not None or args.hard is not None or args.break_text is not None:
            store.set_wellbeing(
                user, soft_minutes=args.soft, hard_minutes=args.hard, break_text=args.break_text
            )
        for category in args.opt_out:
            store.set_opt_out(user, category, True)
        for category in args.opt_in:
            store.set_opt_out(user, category, False)
        wb = Wellbeing(store, user, settings=load_settings())
        policy = wb.policy
        minutes = wb.minutes_today()
        outs = sorted(store.opt_outs(user))
        if args.json:
            print(
                json.dumps(
                    {
                        "user": user,
                        "exposure_minutes_today": round(minutes, 2),
                        "soft_minutes": policy.soft_minutes,
                        "hard_minutes": policy.hard_minutes,
                        "level": policy.level(minutes),
                        "break_text": policy.break_text,
                        "opt_outs": outs,
                    }
                )
            )
            return 0
        print(
            f"{user}: {minutes:.1f} min of flagged audio heard today "
            f"(soft limit {policy.soft_minutes:g}, hard limit {policy.hard_minutes:g})"
        )
        print(f"break text: {policy.break_text}")
        print(
            f"opted out of: {', '.join(outs) if outs else 'nothing'} "
            f"(categories: {', '.join(OPT_OUT_CATEGORIES)})"
        )
        return 0
    finally:
        store.close()
