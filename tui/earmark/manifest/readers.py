"""Reading manifest lines: JSON Lines (incl. NeMo) and CSV/TSV with a header (Common Voice).

Each line is read on its own so a broken line costs only itself, and no line longer than
MAX_LINE_BYTES is ever held in memory.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from earmark.errors import UserError
from earmark.manifest.fields import AUDIO_KEYS, MAX_LINE_BYTES, BadLine, json_type
from earmark.textsafe import clean


def manifest_format(path: Path) -> str:
    """'jsonl', 'csv' or 'tsv', by extension, else by a look at the first line."""
    ext = path.suffix.lower()
    if ext in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    if ext == ".tsv":
        return "tsv"
    if ext == ".csv":
        return "csv"
    first = _first_line(path)
    if first.lstrip().startswith((b"{", b"[")) or not first.strip():
        return "jsonl"
    return "tsv" if b"\t" in first else "csv"


def _first_line(path: Path) -> bytes:
    with open(path, "rb") as fh:
        while True:
            line = fh.readline(MAX_LINE_BYTES)
            if not line:
                return b""
            line = line.removeprefix(b"\xef\xbb\xbf")
            if line.strip():
                return line


def _raw_lines(fh: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) with the newline stripped; None for a line too long to read."""
    lineno = 0
    while True:
        raw = fh.readline(MAX_LINE_BYTES)
        if not raw:
            return
        lineno += 1
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while True:  # skip the rest of the monster line without keeping it
                more = fh.readline(MAX_LINE_BYTES)
                if not more or more.endswith(b"\n"):
                    break
            yield lineno, None
            continue
        if lineno == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        yield lineno, raw.rstrip(b"\r\n")


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadLine(
            f"invalid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
        ) from None


_REFUSED = object()
_LONG_NUMBER = re.compile(rb"\d{19}")


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """Each non-blank line as a dict, or the reason it is not one; streams the file."""
    with open(path, "rb") as fh:
        for lineno, raw in _raw_lines(fh):
            if raw is None:
                yield lineno, BadLine(f"line longer than {MAX_LINE_BYTES // 1024} KiB")
                continue
            if not raw.strip():
                continue
            # orjson: most of a big import's reading time. The rare line it refuses (NaN, lone
            # surrogates, nesting) or would read differently (an integer beyond 64 bits, which
            # it makes a float) goes to Python's parser: its leniency, its messages.
            obj: Any = _REFUSED
            if _LONG_NUMBER.search(raw) is None:
                with contextlib.suppress(orjson.JSONDecodeError):
                    obj = orjson.loads(raw)
            if obj is not _REFUSED and isinstance(obj, dict):
                yield lineno, obj
                continue
            try:
                text = _utf8(raw)
                try:
                    obj = json.loads(text)
                except RecursionError:
                    raise BadLine("invalid JSON (nested too deeply)") from None
                except ValueError as exc:
                    msg = getattr(exc, "msg", str(exc))
                    col = getattr(exc, "colno", None)
                    raise BadLine(
                        f"invalid JSON ({msg}{f' at column {col}' if col else ''})"
                    ) from None
                if not isinstance(obj, dict):
                    raise BadLine(f"not a JSON object (found {json_type(obj)})")
            except BadLine as bad:
                yield lineno, bad
                continue
            yield lineno, obj


def _header(path: Path, cells: list[str]) -> list[str]:
    names = [clean(c).strip().lower() for c in cells]
    if not any(n in AUDIO_KEYS for n in names):
        raise UserError(
            f"{path}: the header row names no audio column "
            f"(expected one of: {', '.join(AUDIO_KEYS)})"
        )
    return names


def read_delimited(path: Path, delimiter: str) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """CSV (RFC 4180 quoting) or TSV (no quoting, as Common Voice writes it) with a header."""
    with open(path, "rb") as fh:
        if delimiter == "\t":
            yield from _read_tsv(path, fh)
        else:
            yield from _read_csv(path, fh)


def _read_tsv(path: Path, fh: BinaryIO) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    header: list[str] | None = None
    for lineno, raw in _raw_lines(fh):
        if raw is None:
            if header is None:
                raise UserError(f"{path}: the header row is too long")
            yield lineno, BadLine(f"line longer than {MAX_LINE_BYTES // 1024} KiB")
            continue
        if not raw.strip():
            continue
        try:
            cells = _utf8(raw).split("\t")
        except BadLine as bad:
            if header is None:
                raise UserError(f"{path}: the header row is not valid UTF-8") from None
            yield lineno, bad
            continue
        if header is None:
            header = _header(path, cells)
            continue
        yield lineno, _row(header, cells)


def _read_csv(path: Path, fh: BinaryIO) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    # Decode leniently so one bad byte costs one record, then refuse that record.
    too_long: list[int] = []

    def lines() -> Iterator[str]:
        for lineno, raw in _raw_lines(fh):
            if raw is None:
                too_long.append(lineno)  # skipped unread; reported below
                yield "\n"
            else:
                yield raw.decode("utf-8", "surrogateescape") + "\n"

    reader = csv.reader(lines())
    header: list[str] | None = None
    prev = 0
    while True:
        start = prev + 1
        try:
            cells = next(reader)
        except StopIteration:
            for lineno in too_long:
                yield lineno, BadLine(f"line longer than {MAX_LINE_BYTES // 1024} KiB")
            return
        except csv.Error as exc:
            prev = reader.line_num
            if header is None:
                raise UserError(f"{path}: the header row cannot be read ({exc})") from None
            yield start, BadLine(f"invalid CSV ({exc})")
            continue
        prev = reader.line_num
        while too_long:
            if header is None:
                raise UserError(f"{path}: the header row is too long")
            yield too_long.pop(0), BadLine(f"line longer than {MAX_LINE_BYTES // 1024} KiB")
        if not cells or not any(c.strip() for c in cells):
            continue
        if any(_has_surrogate(c) for c in cells):
            if header is None:
                raise UserError(f"{path}: the header row is not valid UTF-8")
            yield start, BadLine("invalid UTF-8")
            continue
        if header is None:
            header = _header(path, cells)
            continue
        yield start, _row(header, cells)


def _has_surrogate(s: str) -> bool:
    if s.isascii():
        return False
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _row(header: list[str], cells: list[str]) -> dict[str, Any] | BadLine:
    if len(cells) > len(header):
        return BadLine(f"{len(cells)} fields but the header has {len(header)}")
    # An empty cell is an absent field (CSV cannot say null), except consent: an empty
    # review_allowed cell is a present answer that is not a clear yes, and excludes the clip.
    return {h: c for h, c in zip(header, cells, strict=False) if c != "" or h == "review_allowed"}


def read_manifest(path: Path) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    fmt = manifest_format(path)
    if fmt == "jsonl":
        if path.suffix.lower() == ".json" and _first_line(path).lstrip().startswith(b"["):
            raise UserError(
                f"{path} is a JSON array; earmark reads JSON Lines (one object per line)"
            )
        return read_jsonl(path)
    return read_delimited(path, "\t" if fmt == "tsv" else ",")
