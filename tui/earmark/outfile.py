"""Where `--out` may write: never over the database, and never over a file that is not ours.

`earmark export --out earmark.db` once replaced the whole project with its own export and
exited 0. An output path is therefore refused, with or without `--force`, when it is the
database, one of its SQLite side files (-wal, -shm, -journal), the pseudonym key, or any
SQLite database at all; and refused without `--force` when it exists and does not look like
an earlier earmark export (the first line of a jsonl/nemo/csv export), because replacing a
file the user did not mean is data loss however atomic the write.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from earmark.errors import UserError

SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_FILES = ("", "-wal", "-shm", "-journal")
EXPORT_KEYS = frozenset(
    {
        *("clip", "audio", "duration", "asr", "text", "words", "status", "skip_reason"),
        *("annotator", "seconds_on_clip", "flags", "audio_filepath"),
    }
)


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _protected(db: Path, key: Path | None) -> list[Path]:
    paths = [Path(f"{db}{suffix}") for suffix in SIDE_FILES]
    return paths + ([key] if key is not None else [])


def _first_line(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.readline(1 << 16)


def looks_like_export(first: bytes, csv_header: str) -> bool:
    """An earlier earmark export: a CSV header of ours, or a JSON object of export fields."""
    line = first.strip()
    if not line:
        return True  # an empty file holds nothing to lose
    if line.decode("utf-8", "replace") == csv_header:
        return True
    try:
        obj = json.loads(line)
    except ValueError:
        return False
    return isinstance(obj, dict) and bool(obj) and set(obj) <= EXPORT_KEYS


def check_out(
    path: Path, *, db: Path, key: Path | None, csv_header: str, force: bool = False
) -> None:
    """Raise UserError when writing an export to `path` would destroy something."""
    if path.is_dir():
        raise UserError(f"--out {path} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"--out {path}: folder {parent} does not exist")
    for guarded in _protected(db, key):
        if _same(path, guarded):
            raise UserError(f"--out {path} is the project's own {_what(guarded, db)}; not written")
    if not path.exists():
        if not os.access(parent, os.W_OK):
            raise UserError(f"--out {path}: folder {parent} is not writable")
        return
    try:
        first = _first_line(path)
    except OSError as exc:
        raise UserError(f"--out {path}: cannot read it ({exc.strerror or exc})") from None
    if first.startswith(SQLITE_MAGIC):
        raise UserError(f"--out {path} is a database; not written")
    if not force and not looks_like_export(first, csv_header):
        raise UserError(
            f"--out {path} exists and is not an earmark export; "
            "choose another name, or pass --force to replace it"
        )
    if not os.access(parent, os.W_OK):
        raise UserError(f"--out {path}: folder {parent} is not writable")


def _what(guarded: Path, db: Path) -> str:
    name = str(guarded)
    if name == str(db):
        return "database"
    if name.startswith(str(db)) and name[len(str(db)) :] in SIDE_FILES:
        return f"database file ({name[len(str(db)) :]})"
    return "pseudonym key"
