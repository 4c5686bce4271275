"""Reading manifests: JSON Lines (incl. NeMo), CSV/TSV with a header (incl. Common Voice).

A manifest comes from outside and is trusted for nothing. Each line is read on its own so a
broken line costs only itself; the fields we keep are an allow-list, so whatever else a
supplier put in (account ids, names, device ids, locations) never gets further than this
module, and only its field *name* is reported. Source ids are replaced by keyed pseudonyms
(HMAC-SHA256 with the database's secret) so the database cannot be joined back to the
supplier's records without that secret. Audio paths must stay inside the manifest's folder
(or --audio-root) after symlinks are resolved: a manifest must not be able to make the tool
read, or reveal the existence of, files elsewhere on the machine.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import math
import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from earmark.errors import UserError
from earmark.textsafe import clean, clean_words

# Fields we understand. Everything else is dropped and named in the import summary.
AUDIO_KEYS = ("audio", "audio_filepath", "path", "wav_filename")
GUESS_KEYS = ("asr", "pred_text")  # a recogniser's output
FALLBACK_GUESS_KEYS = ("text", "sentence", "transcript")  # used only when no guess field
OTHER_KEYS = ("id", "review_allowed", "duration", "words", "alternatives")
KNOWN_KEYS = frozenset(AUDIO_KEYS + GUESS_KEYS + FALLBACK_GUESS_KEYS + OTHER_KEYS)

MAX_LINE_BYTES = 1 << 20  # a longer line is refused, not read into memory
MAX_WORDS = 5_000
MAX_ALTERNATIVES = 20
MAX_FIELD_NAME = 60

# PocketSphinx (and other Sphinx-family recognisers) mark silences and noises as words.
_FILLER = re.compile(r"^(?:<[^>]*>|\[[^\]]*\]|\+\+?[^+]*\+\+?|\(\))$")
_VARIANT = re.compile(r"\(\d+\)$")

_TRUE = {"true", "1", "yes", "y", "on"}


@dataclass
class Record:
    """One manifest line after the allow-list: nothing identifying is left in it."""

    audio: str
    source_id: str | None = None
    asr: str = ""
    words: list[dict] | None = None
    alternatives: list[str] | None = None
    review_allowed: bool = True
    duration: float | None = None
    dropped: list[str] = field(default_factory=list)
    words_dropped: int = 0


class BadLine(Exception):
    """A line we refuse; the message is the reason shown beside its line number."""


# -- pseudonyms --------------------------------------------------------------------------


def pseudonym(secret: bytes, value: str, *, kind: str = "id") -> str:
    """A clip's public name: keyed, so it reveals nothing without the database's secret."""
    digest = hmac.new(secret, f"{kind}\0{value}".encode("utf-8", "surrogatepass"), hashlib.sha256)
    return "c-" + digest.hexdigest()[:16]


# -- reading lines -----------------------------------------------------------------------


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


def _raw_lines(fh) -> Iterator[tuple[int, bytes | None]]:
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


def read_jsonl(path: Path) -> Iterator[tuple[int, dict | BadLine]]:
    """Each non-blank line as a dict, or the reason it is not one; streams the file."""
    with open(path, "rb") as fh:
        for lineno, raw in _raw_lines(fh):
            if raw is None:
                yield lineno, BadLine(f"line longer than {MAX_LINE_BYTES // 1024} KiB")
                continue
            if not raw.strip():
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
                    raise BadLine(f"not a JSON object (found {_json_type(obj)})")
            except BadLine as bad:
                yield lineno, bad
                continue
            yield lineno, obj


def _json_type(obj: object) -> str:
    return {
        list: "an array",
        dict: "an object",
        str: "a string",
        bool: "true/false",
        type(None): "null",
    }.get(type(obj), "a number")


def _header(path: Path, cells: list[str]) -> list[str]:
    names = [clean(c).strip().lower() for c in cells]
    if not any(n in AUDIO_KEYS for n in names):
        raise UserError(
            f"{path}: the header row names no audio column (expected one of: {', '.join(AUDIO_KEYS)})"
        )
    return names


def read_delimited(path: Path, delimiter: str) -> Iterator[tuple[int, dict | BadLine]]:
    """CSV (RFC 4180 quoting) or TSV (no quoting, as Common Voice writes it) with a header."""
    with open(path, "rb") as fh:
        if delimiter == "\t":
            yield from _read_tsv(path, fh)
        else:
            yield from _read_csv(path, fh)


def _read_tsv(path: Path, fh) -> Iterator[tuple[int, dict | BadLine]]:
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


def _read_csv(path: Path, fh) -> Iterator[tuple[int, dict | BadLine]]:
    # Decode leniently so one bad byte costs one record, then refuse that record.
    too_long: list[int] = []

    def lines():
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


def _row(header: list[str], cells: list[str]) -> dict | BadLine:
    if len(cells) > len(header):
        return BadLine(f"{len(cells)} fields but the header has {len(header)}")
    # An empty cell is an absent field (CSV cannot say null).
    return {h: c for h, c in zip(header, cells, strict=False) if c != ""}


def read_manifest(path: Path) -> Iterator[tuple[int, dict | BadLine]]:
    fmt = manifest_format(path)
    if fmt == "jsonl":
        if path.suffix.lower() == ".json" and _first_line(path).lstrip().startswith(b"["):
            raise UserError(
                f"{path} is a JSON array; earmark reads JSON Lines (one object per line)"
            )
        return read_jsonl(path)
    return read_delimited(path, "\t" if fmt == "tsv" else ",")


# -- one record --------------------------------------------------------------------------

_NUM_TYPES = (int, float)
_FILLER_START = ("<", "[", "+")


def _number(v: object) -> float | None:
    """A finite float, or None when v is not a usable number (bool is not a number)."""
    if type(v) not in _NUM_TYPES:
        return None
    f = float(v)
    return f if math.isfinite(f) else None


_FILLER_WORD = object()  # a silence or noise marker: skipped, not counted as malformed


def _clean_word_item(item: object) -> dict | object | None:
    """One ASR word in our shape, _FILLER_WORD, or None when the item is malformed.

    Accepts ours ({word, start, end, conf}) and PocketSphinx's ({t, b, d, p}).
    This runs for every word of every line, so it avoids the slow general paths.
    """
    if type(item) is not dict:
        return None
    raw = item.get("word")
    if raw is None:
        raw = item.get("t")
    if type(raw) is not str:
        return None
    if raw.isascii() and raw.isalpha():
        word = raw  # the common case: nothing to clean
    else:
        token = raw.strip()
        if token.startswith(_FILLER_START) and _FILLER.match(token):
            return _FILLER_WORD
        word = clean_words(_VARIANT.sub("", token))
        if not word:
            return None
    start_raw = item.get("start")
    if start_raw is None:
        start_raw = item.get("b")
    start = _number(start_raw)
    if start is None and start_raw is not None:
        return None
    end_raw = item.get("end")
    if end_raw is not None:
        end = _number(end_raw)
        if end is None:
            return None
    elif "d" in item:
        dur = _number(item["d"])
        if dur is None or dur < 0 or start is None:
            return None
        end = round(start + dur, 4)
        if not math.isfinite(end):
            return None
    else:
        end = None
    if start is not None and (start < 0 or (end is not None and end < start)):
        return None
    conf_raw = item.get("conf")
    if conf_raw is None:
        conf_raw = item.get("confidence", item.get("p"))
    conf = _number(conf_raw)
    if conf is None and conf_raw is not None:
        return None
    if conf is not None and not 0.0 <= conf <= 1.0:
        conf = None  # a log-probability or a score on another scale: not a confidence
    return {"word": word, "start": start, "end": end, "conf": conf}


def clean_words_list(items: object) -> tuple[list[dict], int]:
    """Valid words (fillers removed, variants unmarked) and how many items were malformed."""
    if items is None:
        return [], 0
    if type(items) is not list:
        return [], 1
    out: list[dict] = []
    bad = 0
    for item in items[:MAX_WORDS]:
        w = _clean_word_item(item)
        if w is None:
            bad += 1
        elif w is not _FILLER_WORD:
            out.append(w)
    return out, bad + max(0, len(items) - MAX_WORDS)


def words_from_pocketsphinx(obj: Mapping) -> list[dict]:
    """Words from PocketSphinx's JSON ({"t", "w": [{"t","b","d","p"}]}), cleaned.

    `<sil>`, `<s>`, `</s>` and noise fillers go; `was(2)` (a pronunciation variant) becomes
    `was`; b + d becomes the end time; p is the posterior, kept as the confidence.
    Malformed entries are dropped.
    """
    return clean_words_list(obj.get("w") if isinstance(obj, Mapping) else None)[0]


def _alternatives(v: object) -> list[str] | None:
    if not isinstance(v, list):
        return None
    out: list[str] = []
    for a in v:
        if isinstance(a, Mapping):
            a = a.get("text", a.get("transcript"))
        if isinstance(a, str):
            s = clean_words(a)
            if s and s not in out:
                out.append(s)
        if len(out) >= MAX_ALTERNATIVES:
            break
    return out or None


def _allowed(v: object) -> bool:
    """review_allowed: only a clear yes lets a clip in (consent is not assumed from noise)."""
    if v is True:
        return True
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v == 1
    if isinstance(v, str):
        return v.strip().lower() in _TRUE
    return False


def parse_record(obj: dict) -> Record:
    """Apply the allow-list to one manifest object; raise BadLine for an unusable line."""
    audio = None
    for key in AUDIO_KEYS:
        if key in obj:
            audio = obj[key]
            break
    else:
        raise BadLine("missing `audio`")
    if not isinstance(audio, str):
        raise BadLine(f"`audio` must be a string, not {_json_type(audio)}")
    if not audio.strip():
        raise BadLine("`audio` is empty")
    if "\0" in audio:
        raise BadLine("`audio` contains a NUL character")

    rec = Record(audio=audio.strip())

    source_id = obj.get("id")
    if source_id is not None and source_id != "":
        if isinstance(source_id, bool) or not isinstance(source_id, str | int):
            raise BadLine(f"`id` must be a string or a number, not {_json_type(source_id)}")
        rec.source_id = str(source_id)

    guess_key = next((k for k in GUESS_KEYS if k in obj and obj[k] is not None), None)
    if guess_key is None:
        guess_key = next((k for k in FALLBACK_GUESS_KEYS if k in obj and obj[k] is not None), None)
    words_src: object = obj.get("words")
    alts_src: object = obj.get("alternatives")
    if guess_key is not None:
        guess = obj[guess_key]
        if isinstance(guess, str):
            rec.asr = clean_words(guess)
        elif isinstance(guess, Mapping) and guess_key == "asr":
            text = guess.get("text", guess.get("t", guess.get("hypothesis")))
            if text is not None and not isinstance(text, str):
                raise BadLine("`asr.text` must be a string")
            if "words" in guess:
                words_src = guess["words"]
            elif "w" in guess:
                words_src = guess["w"]
            if "alternatives" in guess:
                alts_src = guess["alternatives"]
            rec.asr = clean_words(text) if text is not None else ""
        else:
            raise BadLine(f"`{guess_key}` must be a string, not {_json_type(guess)}")

    words, bad = clean_words_list(words_src)
    rec.words_dropped = bad
    if words:
        rec.words = words
        if not rec.asr:
            rec.asr = " ".join(w["word"] for w in words)
    rec.alternatives = _alternatives(alts_src)

    if "review_allowed" in obj:
        rec.review_allowed = _allowed(obj["review_allowed"])
    d = obj.get("duration")
    if isinstance(d, str):
        try:
            d = float(d)
        except ValueError:
            d = None
    d = _number(d)
    rec.duration = d if d is not None and d > 0 else None

    for key, value in obj.items():
        if key not in KNOWN_KEYS and value is not None and value != "":
            rec.dropped.append(_field_name(key))
    return rec


def _field_name(key: object) -> str:
    name = clean_words(key)[:MAX_FIELD_NAME]
    return name or "(unnamed field)"


# -- audio paths -------------------------------------------------------------------------


@dataclass(frozen=True)
class AudioPath:
    path: str  # absolute, symlinks resolved: what the store keeps
    size: int
    mtime_ns: int


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class PathResolver:
    """Resolves manifest audio paths and refuses any that leave the allowed folders."""

    def __init__(self, manifest: Path, audio_root: Path | None = None) -> None:
        self.base = os.path.abspath(manifest.parent)
        self.roots = [os.path.realpath(self.base)]
        self.lexical_roots = [self.base]
        if audio_root is not None:
            self.audio_root = os.path.abspath(audio_root)
            self.roots.append(os.path.realpath(self.audio_root))
            self.lexical_roots.append(self.audio_root)
        else:
            self.audio_root = None
        self._dirs: dict[str, str] = {}
        where = "the manifest's folder"
        self.where = where + (" and --audio-root" if audio_root is not None else "")

    def _fallbacks(self, audio: str) -> Iterator[str]:
        if os.path.isabs(audio):
            return
        # Common Voice: validated.tsv names files that live in the sibling clips/ folder.
        yield os.path.normpath(os.path.join(self.base, "clips", audio))
        if self.audio_root is not None:
            yield os.path.normpath(os.path.join(self.audio_root, audio))

    def resolve(self, audio: str) -> AudioPath:
        """The checked path of an existing regular file, or BadLine with the reason.

        Fallback locations (Common Voice's clips/, --audio-root) are tried only when the
        plain reading is inside the allowed folders and simply absent: a refused path is
        refused, not reinterpreted.
        """
        primary = os.path.normpath(
            audio if os.path.isabs(audio) else os.path.join(self.base, audio)
        )
        reason = self._try(audio, primary)
        if isinstance(reason, AudioPath):
            return reason
        if reason.startswith("audio file not found"):
            for lexical in self._fallbacks(audio):
                found = self._try(audio, lexical)
                if isinstance(found, AudioPath):
                    return found
        raise BadLine(reason)

    def _real_dir(self, folder: str) -> str:
        """realpath of a folder, memoised: manifests name thousands of files per folder."""
        real = self._dirs.get(folder)
        if real is None:
            if len(self._dirs) > 10_000:
                self._dirs.clear()
            real = self._dirs[folder] = os.path.realpath(folder)
        return real

    def _try(self, audio: str, lexical: str) -> AudioPath | str:
        try:
            if not any(_inside(lexical, r) for r in self.lexical_roots):
                if os.path.isabs(audio):
                    return f"absolute audio path outside {self.where}"
                return f"audio path leads outside {self.where} (`..`)"
            folder, leaf = os.path.split(lexical)
            real = os.path.join(self._real_dir(folder), leaf)
            if not any(_inside(real, r) for r in self.roots):
                return f"audio path is a symlink leading outside {self.where}"
            st = os.lstat(real)
            if stat.S_ISLNK(st.st_mode):
                real = os.path.realpath(real)
                if not any(_inside(real, r) for r in self.roots):
                    return f"audio path is a symlink leading outside {self.where}"
                st = os.stat(real)
        except FileNotFoundError:
            return f"audio file not found: {clean(audio)[:200]}"
        except (OSError, ValueError) as exc:
            return _os_reason(exc)
        if not stat.S_ISREG(st.st_mode):
            return (
                "audio path is a folder"
                if stat.S_ISDIR(st.st_mode)
                else "audio path is not a regular file"
            )
        return AudioPath(real, st.st_size, st.st_mtime_ns)


def _os_reason(exc: Exception) -> str:
    if isinstance(exc, PermissionError):
        return "audio file: permission denied"
    if isinstance(exc, FileNotFoundError):
        return "audio file not found"
    if isinstance(exc, OSError) and exc.strerror:
        return f"audio file: {exc.strerror.lower()}"
    return f"audio path unusable ({exc})"


def validate_manifests(paths: Sequence[Path]) -> None:
    """Whole-command checks before anything is imported: each manifest is a readable file."""
    for p in paths:
        if not p.exists():
            raise UserError(f"manifest {p} not found")
        if p.is_dir():
            raise UserError(f"manifest {p} is a folder, not a file")
        if not p.is_file():
            raise UserError(
                f"manifest {p} is not a regular file (audio paths are relative to its folder)"
            )
        try:
            with open(p, "rb") as fh:
                fh.read(1)
        except OSError as exc:
            raise UserError(f"cannot read manifest {p}: {exc.strerror or exc}") from None


def read_lexicon(path: Path) -> list[str]:
    """Domain terms, one per line; blank lines and `#` comments ignored."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"lexicon {path} not found") from None
    except IsADirectoryError:
        raise UserError(f"lexicon {path} is a folder, not a file") from None
    except OSError as exc:
        raise UserError(f"cannot read lexicon {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"lexicon {path}: invalid UTF-8 on line {line}") from None
    terms: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        term = clean_words(line)[:200]
        if term and not term.startswith("#") and term not in seen:
            seen.add(term)
            terms.append(term)
    return terms
