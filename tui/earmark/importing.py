"""`earmark import`: manifests in, clips out, one chunk at a time.

The manifest is streamed and written in chunks so a million-line manifest needs no more
memory than a thousand-line one. A line we cannot use is reported (file, line, reason) and
costs nothing else. Audio is probed before insertion so a file that will not play is known
now, as an `unplayable` clip with its reason, rather than when an annotator reaches it.
Probes are cached per (real path, size, mtime) for the import. They run in this thread:
on the 2-core machine we measured, a 2-thread pool probed *slower* (~350 vs ~200 us per
file, the decode is CPU-bound and holds the GIL in soundfile's Python layer) and a process
pool barely helped, so parallel probing is not worth its complexity here.
"""

from __future__ import annotations

import sys
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from earmark.audio.decode import AudioError, AudioInfo, probe
from earmark.errors import UserError
from earmark.manifest import (
    AudioPath,
    BadLine,
    PathResolver,
    Record,
    load_key,
    parse_record,
    pseudonym,
    read_lexicon,
    read_manifest,
    validate_manifests,
)
from earmark.store.clips import NewClip

CHUNK = 1000
PROGRESS_MIN_LINES = 2000
MAX_KEPT_PROBLEMS = 1000  # detailed reasons kept; beyond this only counted
SHOWN_PROBLEMS = 20  # printed in the summary
MAX_FIELD_NAMES = 100  # distinct dropped field names counted by name
PROBE_CACHE = 4096


@dataclass
class ImportSummary:
    imported: int = 0
    duplicates: int = 0
    excluded: int = 0
    unplayable: int = 0
    bad_lines: list[tuple[str, int, str]] = field(default_factory=list)
    dropped_fields: dict[str, int] = field(default_factory=dict)
    lexicon_terms: int = 0
    bad_line_count: int = 0  # all bad lines, also those beyond the kept details
    unplayable_clips: list[tuple[str, int, str]] = field(default_factory=list)
    words_dropped: int = 0  # malformed ASR word entries dropped (clip kept)
    batches: list[str] = field(default_factory=list)

    def add_bad(self, manifest: str, lineno: int, reason: str) -> None:
        self.bad_line_count += 1
        if len(self.bad_lines) < MAX_KEPT_PROBLEMS:
            self.bad_lines.append((manifest, lineno, reason))

    def lines(self) -> list[str]:
        out = []
        where = f" into batch {', '.join(self.batches)}" if self.batches else ""
        extra = f" ({self.unplayable:,} unplayable)" if self.unplayable else ""
        out.append(
            f"imported {self.imported:,} clip{'s' if self.imported != 1 else ''}{where}{extra}"
        )
        if self.duplicates:
            out.append(f"already imported (skipped): {self.duplicates:,}")
        if self.excluded:
            out.append(f"excluded (review_allowed false): {self.excluded:,}")
        if self.bad_line_count:
            out.append(f"bad lines (not imported): {self.bad_line_count:,}")
            for name, lineno, reason in self.bad_lines[:SHOWN_PROBLEMS]:
                out.append(f"  {name}:{lineno}: {reason}")
            more = self.bad_line_count - min(len(self.bad_lines), SHOWN_PROBLEMS)
            if more > 0:
                out.append(f"  ... and {more:,} more")
        if self.unplayable_clips:
            out.append("unplayable audio (imported as unplayable):")
            for name, lineno, reason in self.unplayable_clips[:SHOWN_PROBLEMS]:
                out.append(f"  {name}:{lineno}: {reason}")
            more = self.unplayable - min(len(self.unplayable_clips), SHOWN_PROBLEMS)
            if more > 0:
                out.append(f"  ... and {more:,} more")
        if self.dropped_fields:
            parts = sorted(self.dropped_fields.items(), key=lambda kv: (-kv[1], kv[0]))
            out.append("dropped fields: " + ", ".join(f"{k} ({v:,})" for k, v in parts))
        if self.words_dropped:
            out.append(f"malformed ASR words dropped: {self.words_dropped:,}")
        if self.lexicon_terms:
            out.append(
                f"lexicon: {self.lexicon_terms:,} new term{'s' if self.lexicon_terms != 1 else ''}"
            )
        return out


class _ProbeCache:
    """Per-import memo of probe results, bounded so it cannot grow with the manifest."""

    def __init__(self, size: int = PROBE_CACHE) -> None:
        self.size = size
        self.data: OrderedDict[tuple, AudioInfo | str] = OrderedDict()

    def get(self, key: tuple) -> AudioInfo | str | None:
        v = self.data.get(key)
        if v is not None:
            self.data.move_to_end(key)
        return v

    def put(self, key: tuple, value: AudioInfo | str) -> None:
        self.data[key] = value
        if len(self.data) > self.size:
            self.data.popitem(last=False)


def _probe_one(path: str) -> AudioInfo | str:
    try:
        return probe(path)
    except AudioError as exc:
        return str(exc)
    except Exception as exc:  # a decoder bug must cost one clip, not the import
        return f"{path}: cannot be probed ({type(exc).__name__}: {exc})"


@dataclass
class _Pending:
    lineno: int
    record: Record
    audio: AudioPath
    name: str


class _Importer:
    def __init__(self, store, summary: ImportSummary, secret: bytes) -> None:
        self.store = store
        self.summary = summary
        self.cache = _ProbeCache()
        self.dropped: Counter[str] = Counter()
        self.secret = secret

    def run(self, manifest: Path, batch: str, audio_root: Path | None, progress) -> None:
        resolver = PathResolver(manifest, audio_root)
        label = manifest.name
        pending: list[_Pending] = []
        batch_id: int | None = None
        for lineno, item in read_manifest(manifest):
            if progress is not None:
                progress(lineno)
            try:
                if isinstance(item, BadLine):
                    raise item
                rec = parse_record(item)
                for name in rec.dropped:
                    if name not in self.dropped and len(self.dropped) >= MAX_FIELD_NAMES:
                        name = "(other fields)"  # a manifest of random keys must not grow memory
                    self.dropped[name] += 1
                self.summary.words_dropped += rec.words_dropped
                if not rec.review_allowed:
                    self.summary.excluded += 1
                    continue
                audio = resolver.resolve(rec.audio)
            except BadLine as bad:
                self.summary.add_bad(label, lineno, str(bad))
                continue
            name = (
                pseudonym(self.secret, rec.source_id)
                if rec.source_id is not None
                else pseudonym(self.secret, audio.path, kind="audio")
            )
            pending.append(_Pending(lineno, rec, audio, name))
            if len(pending) >= CHUNK:
                batch_id = self._flush(pending, batch, batch_id, label)
                pending = []
        if pending:
            batch_id = self._flush(pending, batch, batch_id, label)
        if batch_id is not None and batch not in self.summary.batches:
            self.summary.batches.append(batch)

    def _flush(self, chunk: list[_Pending], batch: str, batch_id: int | None, label: str) -> int:
        if batch_id is None:
            batch_id = self.store.batch_id(batch)
        # Duplicates: within the chunk, then against the database; neither is probed.
        unique: dict[str, _Pending] = {}
        for p in chunk:
            unique.setdefault(p.name, p)
        existing = self.store.existing_names(unique)
        fresh = [p for n, p in unique.items() if n not in existing]
        infos = self._probe_all(fresh)
        clips = []
        unplayable: list[tuple[str, int, str]] = []
        for p, info in zip(fresh, infos, strict=True):
            rec = p.record
            clip = NewClip(
                name=p.name,
                audio=p.audio.path,
                asr=rec.asr,
                words=rec.words,
                alternatives=rec.alternatives,
            )
            if isinstance(info, AudioInfo):
                clip.duration = round(info.duration, 4)
                clip.samplerate = info.samplerate
                clip.channels = info.channels
            else:
                clip.unplayable_reason = info
                clip.duration = rec.duration
                unplayable.append((label, p.lineno, info))
            clips.append(clip)
        inserted = self.store.add_clips(batch_id, clips) if clips else 0
        self.summary.imported += inserted
        self.summary.duplicates += len(chunk) - inserted
        # A clip that lost an insert race to another import is not ours to count as unplayable.
        if inserted == len(clips):
            self.summary.unplayable += len(unplayable)
            room = MAX_KEPT_PROBLEMS - len(self.summary.unplayable_clips)
            self.summary.unplayable_clips.extend(unplayable[: max(room, 0)])
        return batch_id

    def _probe_all(self, items: list[_Pending]) -> list[AudioInfo | str]:
        out = []
        for p in items:
            key = (p.audio.path, p.audio.size, p.audio.mtime_ns)
            v = self.cache.get(key)
            if v is None:
                v = _probe_one(p.audio.path)
                self.cache.put(key, v)
            out.append(v)
        return out


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            n += block.count(b"\n")
    return n


def check_inputs(
    manifests: Sequence[Path],
    *,
    lexicon: Path | None = None,
    audio_root: Path | None = None,
    batch: str | None = None,
) -> list[str] | None:
    """Whole-command checks (UserError); returns the lexicon's terms if one was given."""
    validate_manifests([Path(m) for m in manifests])
    if audio_root is not None and not Path(audio_root).is_dir():
        raise UserError(f"--audio-root {audio_root} is not a folder")
    if batch is not None and not batch.strip():
        raise UserError("--batch must not be empty")
    return read_lexicon(Path(lexicon)) if lexicon is not None else None


def import_manifests(
    store,
    manifests: Sequence[Path],
    *,
    lexicon: Path | None = None,
    batch: str | None = None,
    audio_root: Path | None = None,
    progress: bool = False,
    new_key: bool = False,
) -> ImportSummary:
    """Import each manifest into `store`; bad lines are reported in the summary, not raised.

    UserError only for problems with the command as a whole: a manifest or lexicon that is
    missing or unreadable, an --audio-root that is not a folder, a CSV without an audio column.
    """
    manifests = [Path(m) for m in manifests]
    audio_root = Path(audio_root) if audio_root is not None else None
    terms = check_inputs(manifests, lexicon=lexicon, audio_root=audio_root, batch=batch)

    summary = ImportSummary()
    importer = _Importer(store, summary, load_key(store.db, create=True, new_key=new_key))
    for manifest in manifests:
        name = batch or manifest.name
        with _progress_for(manifest, progress) as tick:
            importer.run(manifest, name, audio_root, tick)
    summary.dropped_fields = dict(importer.dropped)
    if terms is not None:
        batch_id = store.batch_id(batch) if batch else None
        summary.lexicon_terms = store.add_lexicon(batch_id, terms)
    return summary


class _progress_for:
    """A rich progress bar on stderr for long manifests; a no-op otherwise."""

    def __init__(self, manifest: Path, enabled: bool) -> None:
        self.manifest = manifest
        self.enabled = enabled
        self.bar = None
        self.task = None
        self.last = 0

    def __enter__(self):
        if not self.enabled:
            return None
        total = _count_lines(self.manifest)
        if total < PROGRESS_MIN_LINES:
            return None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(f"importing {self.manifest.name}", total=total)

        def tick(lineno: int) -> None:
            if lineno - self.last >= 500:
                self.bar.update(self.task, completed=lineno)
                self.last = lineno

        return tick

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
