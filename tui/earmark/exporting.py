"""`earmark export`: results out as JSON Lines, a NeMo manifest or CSV (CONTRACT.md).

Clips are streamed from the store, so exporting a million clips needs no more memory than
exporting ten. Words an annotator marked in a critical flag (bank details, a PIN ...) are
replaced in every format by `[redacted:<slug>]`, e.g. `[redacted:bank]`; the indexes in a
flag's `redact` count the words of the submitted transcript split on whitespace
(`text.split()`). The ASR guess of a critical clip is redacted too: by time, when its words
have timings that line up with the guess and every critical flag has a span; otherwise it
is withheld whole, because a guess that heard the card number is as sensitive as the
transcript that corrects it.
A file written with --out appears complete or not at all (temp file, fsync, rename), and is
owner-only: exports hold what people said.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from earmark.errors import UserError

FORMATS = ("jsonl", "nemo", "csv")
CSV_FIELDS = (
    "clip",
    "audio",
    "duration",
    "asr",
    "text",
    "status",
    "skip_reason",
    "annotator",
    "seconds_on_clip",
)


def slug(category: str | None) -> str:
    """'bank/card' -> 'bank', 'government id' -> 'government'; no category -> 'critical'."""
    m = re.match(r"[^\W_]+", (category or "").lower())
    return m.group(0) if m else "critical"


def _critical(flags: Sequence) -> list:
    return [f for f in flags if f.kind == "critical"]


def redact(text: str | None, flags: Sequence) -> str | None:
    """The submitted text with the words named by critical flags replaced."""
    if not text:
        return text
    marks: dict[int, str] = {}
    for f in _critical(flags):
        for i in f.redact:
            marks.setdefault(i, slug(f.category))
    if not marks:
        return text
    words = text.split()
    return " ".join(f"[redacted:{marks[i]}]" if i in marks else w for i, w in enumerate(words))


def redact_asr(asr: str, words: Sequence, flags: Sequence) -> str:
    """The ASR guess of a clip with critical flags: timed words in a flagged span replaced."""
    crit = _critical(flags)
    if not crit or not asr:
        return asr
    guess = asr.split()
    spans = [(f.start, f.end, slug(f.category)) for f in crit]
    timed = len(words) == len(guess) and all(
        w.start is not None and w.end is not None for w in words
    )
    # A span of no length (a flag left at the playhead) says nothing about which words.
    if not timed or any(s is None or e is None or e <= s for s, e, _ in spans):
        return f"[redacted:{spans[0][2]}]"
    out = []
    for g, w in zip(guess, words, strict=True):
        hit = next((sl for s, e, sl in spans if w.start < e and w.end > s), None)
        out.append(f"[redacted:{hit}]" if hit else g)
    return " ".join(out)


def _round(x: float | None, nd: int = 3) -> float | None:
    return round(x, nd) if x is not None else None


def records(store, fmt: str, *, include_critical: bool = False) -> Iterator[dict]:
    """The export objects in import order."""
    flags_by_clip = store.flags_by_clip()
    statuses = ("done",) if fmt == "nemo" else None
    for clip in store.iter_clips(statuses):
        flags = flags_by_clip.get(clip.id, ())
        if fmt == "nemo":
            if not include_critical and _critical(flags):
                continue
            yield {
                "audio_filepath": clip.audio,
                "duration": _round(clip.duration),
                "text": redact(clip.text, flags) or "",
            }
            continue
        rec = {
            "clip": clip.name,
            "audio": clip.audio,
            "duration": _round(clip.duration),
            "asr": redact_asr(clip.asr, clip.words, flags),
            "text": redact(clip.text, flags),
            "status": clip.status,
            "skip_reason": clip.skip_reason,
            "annotator": clip.annotator,
            "seconds_on_clip": _round(clip.seconds_on_clip, 1),
        }
        if fmt == "jsonl":
            rec["flags"] = [f.export() for f in flags]
        yield rec


def write(store, fmt: str, out: TextIO, *, include_critical: bool = False) -> int:
    """Write the export to an open text stream; returns how many clips were written."""
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    n = 0
    if fmt == "csv":
        w = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
        w.writeheader()
        for rec in records(store, fmt):
            w.writerow(rec)
            n += 1
        return n
    for rec in records(store, fmt, include_critical=include_critical):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def _check_out(path: Path) -> None:
    if path.is_dir():
        raise UserError(f"--out {path} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"--out {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UserError(f"--out {path}: folder {parent} is not writable")


def export_to_file(store, fmt: str, path: Path, *, include_critical: bool = False) -> int:
    """Atomic, owner-only export to `path`; nothing is left behind on failure."""
    path = Path(path)
    _check_out(path)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    except OSError as exc:
        raise UserError(f"--out {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            n = write(store, fmt, fh, include_critical=include_critical)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise UserError(f"--out {path}: {exc.strerror or exc}") from None
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return n
