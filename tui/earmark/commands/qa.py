"""`earmark qa`: second-pass review of submitted transcripts (reviewers and leads).

Without an action it opens the review TUI; `list`, `accept`, `fix` and `reject` do the same
from scripts, and `feedback` shows an annotator the reviews of their own work. Clips are
named as everywhere else in earmark, by their pseudonym. Every string printed passes
through textsafe (transcripts, notes and names are untrusted).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from earmark.errors import UserError

if TYPE_CHECKING:
    from earmark.audio.player import Player
    from earmark.store import Store

HELP = "second-pass review of submitted transcripts (reviewers and leads)"


def add_arguments(
    p: argparse.ArgumentParser,
    parser_class: type[argparse.ArgumentParser],
    add_db: Callable[..., None],
) -> None:
    """The qa command's arguments (kept here so cli.py stays a list of commands)."""
    user_help = "act as NAME (default: your login name; refused on PostgreSQL)"
    p.add_argument("--user", metavar="NAME", help=user_help)
    p.add_argument("--keymap", metavar="NAME_OR_FILE", help="keys for the review screen")
    p.add_argument(
        "--audio",
        metavar="URL",
        help="send audio to an `earmark listen` at tcp://127.0.0.1:PORT, no secret here",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=parser_class)

    def action(name: str, text: str) -> argparse.ArgumentParser:
        a = sub.add_parser(name, help=text, description=text)
        add_db(a, nested=True)
        a.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS, help=user_help)
        return a

    a = action("list", "the clips waiting for review, and why each is there")
    a.add_argument("--json", action="store_true", help="a JSON array, one object per clip")
    a = action("accept", "accept every transcript of CLIP as it is")
    a.add_argument("clip", metavar="CLIP")
    a = action("fix", "replace the transcript of CLIP by TEXT and accept it")
    a.add_argument("clip", metavar="CLIP")
    a.add_argument("--text", required=True, metavar="TEXT")
    a = action("reject", "reject the transcripts of CLIP, with a short reason")
    a.add_argument("clip", metavar="CLIP")
    a.add_argument("--reason", required=True, metavar="TEXT")
    a = action("feedback", "the reviews of your own transcripts")
    a.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "action", None)
    if action is None:
        return _launch(args)
    from earmark.textsafe import InertWriter

    stdout = sys.stdout
    sys.stdout = stdout if isinstance(stdout, InertWriter) else InertWriter(stdout)
    try:
        return _script(args, action)
    finally:
        sys.stdout = stdout


def _script(args: argparse.Namespace, action: str) -> int:
    from earmark.config import current_user, db_path
    from earmark.quality.review import ReviewError
    from earmark.roles import REVIEW_ROLES, require
    from earmark.store import open_store

    store = open_store(db_path(args.db), create=False)
    try:
        user = current_user(getattr(args, "user", None))
        role = store.ensure_user(user)
        if action == "feedback":
            return _feedback(store, user, json_out=args.json)
        require(user, role, REVIEW_ROLES, "review transcripts")
        if action == "list":
            return _list(store, user, json_out=args.json)
        clip = store.clip_by_name(args.clip.strip())
        if clip is None:
            raise UserError(f"no clip {args.clip!r} (names as `earmark qa list` shows them)")
        outcome = {"accept": "accepted", "fix": "fixed", "reject": "rejected"}[action]
        try:
            rows = store.record_review(
                clip.id,
                user,
                outcome,
                text=getattr(args, "text", None),
                note=getattr(args, "reason", "") or "",
            )
        except ReviewError as exc:
            raise UserError(f"clip {clip.name}: {exc}") from None
        who = ", ".join(r.annotator for r in rows)
        print(f"clip {clip.name} {outcome} by {user} (transcripts of {who}); saved")
        return 0
    finally:
        store.close()


def _list(store: Store, user: str, *, json_out: bool) -> int:
    from earmark.quality.review import marked_line, three_way
    from earmark.session.review_queue import review_queue

    items = review_queue(store, user)
    if json_out:
        out = []
        for item in items:
            clip = store.clip(item.clip_id)
            out.append(
                {
                    "clip": item.clip,
                    "batch": item.batch,
                    "reasons": item.reasons,
                    "annotators": item.annotators,
                    "asr": clip.asr if clip else "",
                    "transcripts": [{"annotator": a, "text": t} for a, t in item.transcripts],
                }
            )
        print(json.dumps(out))
        return 0
    if not items:
        print("nothing to review")
        return 0
    for item in items:
        clip = store.clip(item.clip_id)
        print(f"{item.clip}  {item.batch}  {', '.join(item.reasons)}")
        for line in three_way(clip.asr if clip else "", item.transcripts):
            print(f"  {line.label:>10}: {marked_line(line.pieces)}")
    print(f"{len(items)} clip(s) to review")
    return 0


def _feedback(store: Store, user: str, *, json_out: bool) -> int:
    from earmark.session.feedback import feedback_for

    items = feedback_for(store, user)
    if json_out:
        print(json.dumps([f.to_json() for f in items]))
        return 0
    if not items:
        print("none of your transcripts has been reviewed yet")
    for f in items:
        note = f"  ({f.note})" if f.note else ""
        print(f"{f.clip}  {f.outcome}{note}")
        if f.outcome == "fixed":
            print(f"  {f.diff_text}")
    return 0


def _launch(args: argparse.Namespace) -> int:
    """The review TUI; everything that can fail is checked before the screen takes over."""
    from earmark.config import audio_url, current_user, db_path
    from earmark.roles import REVIEW_ROLES, require
    from earmark.store import open_store

    store = open_store(db_path(args.db), create=False)
    try:
        user = current_user(getattr(args, "user", None))
        require(user, store.ensure_user(user), REVIEW_ROLES, "review transcripts")
        from earmark.app.qa.keys import qa_keys

        keys = qa_keys(getattr(args, "keymap", None))
        url = audio_url(getattr(args, "audio", None))
        from earmark.commands.annotate import _audio_output

        output = _audio_output()  # EARMARK_OUTPUT=null, as for the annotator

        def opener() -> Player | None:
            from earmark.audio.player import open_player

            return open_player(url, output=output, clock=store.clock)

        from earmark.app.qa.app import QaApp

        app = QaApp(store, user, open_player=opener, keys=keys)
        try:
            result = app.run()
        finally:
            app.shutdown()
        return int(result or 0)
    finally:
        store.close()
