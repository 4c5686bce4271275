"""`earmark review`: the reviewer's TUI. Only reviewers and leads get in."""

from __future__ import annotations

import argparse

from earmark.config import audio_url, current_user, db_path
from earmark.roles import REVIEW_ROLES, require
from earmark.store import open_store


def _keymap(name_or_file: str | None) -> dict[str, str]:
    """The reviewer shares play_pause and quit keys with the annotator's keymap."""
    if not name_or_file:
        return {}
    from earmark.keymap import load_keymap

    km = load_keymap(name_or_file)
    out = {}
    if km.bindings.get("play_pause"):
        out["play_span"] = "space,p," + km.bindings["play_pause"]
    if km.bindings.get("quit"):
        out["quit"] = "q," + km.bindings["quit"]
    return out


def run(args: argparse.Namespace) -> int:
    store = open_store(db_path(args.db), create=False)
    try:
        user = current_user(args.user)
        require(user, store.ensure_user(user), REVIEW_ROLES, "open the review queue")
        keymap = _keymap(getattr(args, "keymap", None))
        from earmark.audio.player import open_player

        player = open_player(audio_url(getattr(args, "audio", None)))
        try:
            from earmark.app.review import ReviewApp

            result = ReviewApp(store, user, player=player, keymap=keymap).run()
        finally:
            player.close()
        return int(result or 0)
    finally:
        store.close()
