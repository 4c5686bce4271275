"""`earmark check [--json]`: the acoustic check over every submitted clip, for leads and scripts.

Reviewers and leads only: it reads every annotator's submitted text back against the audio,
which is second-pass review work. Each clip is decoded through earmark.audio (nothing is
copied out), its submitted transcript scored by earmark.align, and the words the audio does
not support are printed with their scores and times; `--json` prints one array of
`{"clip", "words": [{"word", "start", "end", "score"}]}` (a clip that could not be checked
carries `"reason"` instead of marks). Without the `align` extra it says why in one line and
exits 2. Typed words are untrusted text: cleaned for the terminal, escaped in JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from earmark.errors import UserError
from earmark.textsafe import clean

if TYPE_CHECKING:  # the parser imports this module; the store is loaded only to run
    from earmark.store import Clip, Store


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--json", action="store_true", help='one array of {"clip", "words"} (the marked words)'
    )
    p.add_argument("--user", metavar="NAME")


def run(args: argparse.Namespace) -> int:
    from earmark.align import available
    from earmark.config import current_user, db_path
    from earmark.roles import REVIEW_ROLES, require
    from earmark.store import open_store

    ok, why = available()
    if not ok:
        raise UserError(why)
    store = open_store(db_path(args.db), create=False)
    try:
        user = current_user(getattr(args, "user", None))
        require(user, store.role_of(user), REVIEW_ROLES, "run the acoustic check")
        checked = marked = unchecked = 0
        items = []
        for entry in _check_all(store):
            if "reason" in entry:
                unchecked += 1
            else:
                checked += 1
                marked += len(entry["words"])
            if args.json:
                items.append(entry)
            else:
                _print_text(entry)
        if args.json:
            print(json.dumps(items))
        else:
            also = f" ({unchecked} could not be checked)" if unchecked else ""
            print(
                f"{checked} clip{'s' if checked != 1 else ''} checked, "
                f"{marked} word{'s' if marked != 1 else ''} marked{also}"
            )
        store.audit_append(
            user, "check", detail={"clips": checked, "marked": marked, "not_checked": unchecked}
        )
    finally:
        store.close()
    return 0


def _check_all(store: Store) -> Iterator[dict[str, Any]]:
    from earmark.align import check_transcript
    from earmark.audio import AudioError, load

    for clip in store.iter_clips(statuses=["done"]):
        if not clip.text or not clip.text.strip():
            continue
        try:
            samples, rate = load(clip.audio)
        except AudioError as exc:
            yield _entry(clip, [], f"cannot read the audio: {exc}")
            continue
        result = check_transcript(samples, rate, clip.text)
        words = [
            {"word": w.word, "start": w.start, "end": w.end, "score": w.score}
            for w in result.words
            if w.marked
        ]
        yield _entry(clip, words, result.reason)


def _entry(clip: Clip, words: list[dict[str, Any]], reason: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"clip": clip.name, "words": words}
    if reason is not None:
        entry["reason"] = reason
    return entry


def _print_text(entry: dict[str, Any]) -> None:
    name = clean(entry["clip"])
    if "reason" in entry:
        print(f"{name}: not checked: {clean(entry['reason'])}", file=sys.stderr)
        return
    words = entry["words"]
    if not words:
        return
    print(f"{name}: {len(words)} marked")
    for w in words:
        print(
            f"  {clean(w['word'], max_len=60):<24} score {w['score']:.2f}  "
            f"{w['start']:6.2f}-{w['end']:.2f} s"
        )
