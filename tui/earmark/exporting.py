"""`earmark export`: results out as JSON Lines, a NeMo manifest or CSV (CONTRACT.md).

Clips are streamed from the store, so exporting a million clips needs no more memory than
exporting ten. Words an annotator marked in a critical flag (bank details, a PIN ...) are
replaced in every format by `[redacted:<slug>]`, e.g. `[redacted:bank]`, wherever they occur
in the final transcript (earmark/redaction.py: marks are words, not positions, so editing
around them cannot shift them onto the wrong word). The ASR guess of a critical clip is
redacted too: by time, when its words have timings that line up with the guess and every
critical flag has a span (and wherever it has a marked word); otherwise it is withheld
whole, because a guess that heard the card number is as sensitive as the transcript that
corrects it.
A file written with --out appears complete or not at all (temp file, fsync, rename), and is
owner-only: exports hold what people said; it never replaces the database or a file that is
not an earlier export (earmark/outfile.py). Every string is cleaned of terminal machinery,
and a CSV cell a spreadsheet would evaluate (=, +, -, @, tab, CR first) starts with `'`.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from earmark import redaction
from earmark.errors import UserError
from earmark.manifest.pseudonyms import key_path
from earmark.outfile import check_out
from earmark.quality.gold import GoldRef
from earmark.redaction import Mark
from earmark.roles import PermissionDenied
from earmark.store import finals
from earmark.store.clips import Word
from earmark.store.flags import Flag
from earmark.textsafe import clean

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


def _critical(flags: Sequence[Flag]) -> list[Flag]:
    return [f for f in flags if f.kind == "critical"]


Marks = Mapping[int, Sequence[Mark]]  # flag id -> the words it redacts


def _marked_words(text: str | None, flags: Sequence[Flag], marks: Marks) -> dict[str, str] | str:
    """{normalised word: slug} to redact in `text`, or the one token that replaces it whole.

    Whole: a critical flag whose marks no longer all point at a word of `text`, or whose
    words were recorded only as positions, cannot say which words to hide, so none is shown.
    """
    words: dict[str, str] = {}
    for f in _critical(flags):
        flag_marks = marks.get(f.id)
        if flag_marks is None:
            if f.redact:
                return f"[redacted:{slug(f.category)}]"
            continue
        if text and redaction.unanchored(flag_marks, text):
            return f"[redacted:{slug(f.category)}]"
        for m in flag_marks:
            words.setdefault(m.word, slug(f.category))
    return words


def redact(text: str | None, flags: Sequence[Flag], marks: Marks | None = None) -> str | None:
    """The submitted text with every occurrence of the words critical flags marked replaced."""
    if not text:
        return text
    words = _marked_words(text, flags, marks or {})
    if isinstance(words, str):
        return words
    return redaction.apply(text, words)


def redact_asr(
    asr: str, words: Sequence[Word], flags: Sequence[Flag], marks: Marks | None = None
) -> str:
    """The ASR guess of a clip with critical flags: timed words in a flagged span replaced,
    and any word an annotator marked in the transcript replaced wherever the guess has it."""
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
    marked: dict[str, str] = {}
    for f in crit:
        for m in (marks or {}).get(f.id, ()):
            marked.setdefault(m.word, slug(f.category))
    out = []
    for g, w in zip(guess, words, strict=True):
        hit = next(
            (sl for s, e, sl in spans if w.start < e and w.end > s),  # type: ignore[operator]
            marked.get(redaction.norm(g)),
        )
        out.append(f"[redacted:{hit}]" if hit else g)
    return " ".join(out)


def _flag_export(f: Flag, words: dict[str, str] | str) -> dict[str, object]:
    out = f.export()
    if out.get("note"):
        out["note"] = words if isinstance(words, str) else redaction.apply(out["note"], words)
    return out


def _round(x: float | None, nd: int = 3) -> float | None:
    return round(x, nd) if x is not None else None


class _Timings:
    """The word timings of each clip's submitted text, read alongside the clips (both in clip
    order), so the export streams them as it streams the clips."""

    def __init__(self, store: Any) -> None:
        reader = getattr(store, "iter_word_timings", None)
        self._rows = reader() if reader is not None else iter(())
        self._next: tuple[int, str, list[Word]] | None = next(self._rows, None)

    def words(
        self, clip_id: int, text: str | None, hide: dict[str, str] | str
    ) -> list[dict[str, Any]] | None:
        found: list[Word] | None = None
        while self._next is not None and self._next[0] <= clip_id:
            if self._next[0] == clip_id and self._next[1] == text:
                found = self._next[2]
            self._next = next(self._rows, None)
        if found is None or isinstance(hide, str):  # none, or the text itself is withheld
            return None
        return [
            {
                "word": redaction.apply(w.word, hide) if hide else w.word,
                "start": _round(w.start),
                "end": _round(w.end),
            }
            for w in found
        ]


def _gold(store: Any, include: bool) -> dict[int, GoldRef | None]:
    """Gold clips: {id: reference} with --include-gold, else {id: None} (written as a clip
    nobody finished: the reference and every answer stay out). An annotator on PostgreSQL
    may not list them; to them a gold clip already looks like a clip that is not theirs."""
    try:
        ids = store.gold_ids()
    except PermissionDenied:
        if include:
            raise
        return {}
    return {i: store.gold_reference(i) if include else None for i in ids}


def _as_gold(clip: Any, ref: GoldRef | None) -> Any:
    if ref is None:
        return dataclasses.replace(
            clip,
            status="pending",
            text=None,
            annotator=None,
            skip_reason=None,
            seconds_on_clip=0.0,
            submitted_at=None,
        )
    return dataclasses.replace(clip, status="done", text=ref.text, annotator=None)


def records(
    store: Any, fmt: str, *, include_critical: bool = False, include_gold: bool = False
) -> Iterator[dict[str, Any]]:
    """The export objects in import order."""
    flags_by_clip = store.flags_by_clip()
    gold = _gold(store, include_gold)
    final, disputed = finals.for_export(store)
    # A backend without word marks yet: every marked flag then withholds its clip's text.
    marks_of = getattr(store, "redaction_marks_by_flag", None)
    marks = marks_of() if marks_of is not None else {}
    statuses = ("done",) if fmt == "nemo" and not include_gold else None
    timings = _Timings(store) if fmt == "jsonl" else None
    for clip in store.iter_clips(statuses):
        if clip.id in gold:
            clip = _as_gold(clip, gold[clip.id])
        elif clip.id in disputed:
            continue  # overlapped transcripts disagree: out until a reviewer decides
        elif clip.id in final:
            clip = dataclasses.replace(clip, status="done", text=final[clip.id])
        flags = flags_by_clip.get(clip.id, ())
        if fmt == "nemo":
            if clip.status != "done":
                continue
            if not include_critical and _critical(flags):
                continue
            yield {
                "audio_filepath": clip.audio,
                "duration": _round(clip.duration),
                "text": redact(clip.text, flags, marks) or "",
            }
            continue
        rec = {
            "clip": clip.name,
            "audio": clip.audio,
            "duration": _round(clip.duration),
            "asr": redact_asr(clip.asr, clip.words, flags, marks),
            "text": redact(clip.text, flags, marks),
            "status": clip.status,
            "skip_reason": clip.skip_reason,
            "annotator": clip.annotator,
            "seconds_on_clip": _round(clip.seconds_on_clip, 1),
        }
        if timings is not None:
            words = _marked_words(clip.text, flags, marks)
            rec["words"] = timings.words(clip.id, clip.text, words)
            rec["flags"] = [_flag_export(f, words) for f in flags]
        yield rec


class Tally:
    """How many clips a write has finished so far, readable when it is cut short."""

    def __init__(self) -> None:
        self.clips = 0


# A spreadsheet evaluates a cell that starts with one of these (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: formula starts get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _inert(rec: dict[str, Any]) -> dict[str, Any]:
    """Every string of an export record without terminal machinery (textsafe.clean): exports
    go to stdout, that is to a terminal, as often as to a file."""
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if isinstance(v, str):
            out[k] = clean(v)
        elif isinstance(v, list):
            out[k] = [_inert(x) if isinstance(x, dict) else x for x in v]
        else:
            out[k] = v
    return out


def write(
    store: Any,
    fmt: str,
    out: TextIO,
    *,
    include_critical: bool = False,
    include_gold: bool = False,
    tally: Tally | None = None,
) -> int:
    """Write the export to an open text stream; returns how many clips were written."""
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    tally = tally if tally is not None else Tally()
    if fmt == "csv":
        w = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
        w.writeheader()
        for rec in records(store, fmt, include_gold=include_gold):
            w.writerow({k: inert_cell(v) for k, v in _inert(rec).items()})
            tally.clips += 1
        return tally.clips
    for rec in records(store, fmt, include_critical=include_critical, include_gold=include_gold):
        out.write(json.dumps(_inert(rec), ensure_ascii=False) + "\n")
        tally.clips += 1
    return tally.clips


def export_to_file(
    store: Any,
    fmt: str,
    path: Path,
    *,
    include_critical: bool = False,
    force: bool = False,
    include_gold: bool = False,
) -> int:
    """Atomic, owner-only export to `path`; nothing is left behind on failure."""
    path = Path(path)
    db = Path(store.db.path)
    check_out(path, db=db, key=key_path(db), csv_header=",".join(CSV_FIELDS), force=force)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    except OSError as exc:
        raise UserError(f"--out {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            n = write(store, fmt, fh, include_critical=include_critical, include_gold=include_gold)
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
