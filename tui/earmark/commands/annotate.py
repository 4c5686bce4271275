"""`earmark annotate` and `earmark demo`: open the annotator on a database.

Everything that can go wrong before the screen appears (no database, a broken keymap, no
clips) is checked first and reported in one line, so the terminal is never left in the
middle of a full-screen app with an error behind it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from earmark import config
from earmark.errors import UserError

if TYPE_CHECKING:
    from earmark.store import Store


def _log_path() -> Path | None:
    try:
        folder = config.state_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return folder / "audio.log"
    except OSError:
        return None


def _audio_output() -> str | None:
    """EARMARK_OUTPUT=null plays into a silent output that keeps real time: the annotator
    without a sound card (a demo on a server, the terminal tests)."""
    value = os.environ.get("EARMARK_OUTPUT", "").strip().lower()
    if value in ("", "device"):
        return None
    if value != "null":
        raise UserError(f"EARMARK_OUTPUT={value!r}: use 'null' or 'device'")
    return value


def _open(db: Path, *, create: bool) -> Store:
    from earmark.store import open_store

    return open_store(db, create=create)


def _launch(store: Store, args: argparse.Namespace) -> int:
    from earmark.keymap import load_keymap

    keymap = load_keymap(getattr(args, "keymap", None))
    if store.clip_count() == 0:
        raise UserError(f"no clips in {store.location}: add some with `earmark import MANIFEST`")
    from earmark.audio.quiet import divert_native_stderr

    with contextlib.suppress(OSError):  # diversion is a nicety; annotating must not depend on it
        divert_native_stderr(_log_path())
    store.stay_open()  # hours of submits: no WAL checkpoint inside one of them
    from earmark.align.service import prepare_to_spawn

    prepare_to_spawn()  # the acoustic check's process is started later, under Textual
    from earmark.app.app import AnnotatorApp

    app = AnnotatorApp(
        store,
        user=config.current_user(getattr(args, "user", None)),
        keymap=keymap,
        audio_url=config.audio_url(getattr(args, "audio", None)),
        audio_output=_audio_output(),
        autoplay=not getattr(args, "no_autoplay", False),
    )
    try:
        app.run()
    finally:
        app.shutdown()
        store.close()
    return int(app.return_code or 0)


def run(args: argparse.Namespace) -> int:
    store = _open(config.db_path(args.db), create=False)
    return _launch(store, args)


def demo_db_path(flag: str | None) -> Path:
    if flag:
        return Path(flag)
    return config.data_dir() / "demo" / "earmark.db"


def run_demo(args: argparse.Namespace) -> int:
    """The demo workspace: created and filled on first use, then resumed like any other."""
    db = demo_db_path(args.db)
    if getattr(args, "reset", False) and db.exists():
        for suffix in ("", "-wal", "-shm"):
            p = Path(f"{db}{suffix}")
            if p.exists():
                p.unlink()
    try:
        db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UserError(f"cannot create the demo workspace {db.parent}: {exc.strerror}") from None
    store = _open(db, create=True)
    try:
        if store.clip_count() == 0:
            _fill_demo(store)
    except BaseException:
        store.close()
        raise
    return _launch(store, args)


def _fill_demo(store: Store) -> None:
    from earmark.importing import import_manifests

    folder = config.demo_data_dir()
    manifest = folder / "manifest.jsonl"
    if not manifest.is_file():
        raise UserError(f"the demo clips are missing ({manifest}); reinstall earmark")
    lexicon = folder / "lexicon.txt"
    import_manifests(
        store, [manifest], lexicon=lexicon if lexicon.is_file() else None, batch="demo"
    )
    if store.clip_count() == 0:
        raise UserError(f"no demo clips could be imported from {manifest}")


__all__ = ["demo_db_path", "run", "run_demo"]
