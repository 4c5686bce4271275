"""The import loop: manifest lines to clips, one chunk at a time.

The manifest is streamed and written in chunks so a million-line manifest needs no more
memory than a thousand-line one. A line we cannot use is reported (file, line, reason) and
costs nothing else. Audio is probed before insertion so a file that will not play is known
now, as an `unplayable` clip with its reason, rather than when an annotator reaches it.
Probes are cached per (real path, size, mtime) for the import. They run in this thread:
on the 2-core machine we measured, a 2-thread pool probed *slower* (~350 vs ~200 us per
file, the decode is CPU-bound and holds the GIL in soundfile's Python layer) and a process
pool barely helped, so parallel probing is not worth its complexity here. A line whose
consent is now withdrawn is remembered by name, and its stored copy purged at the end.
Reading and checking the lines is `lines`, done in a process of its own for a big manifest
on a machine with a second core (`apart`).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from earmark.audio.decode import AudioError, AudioInfo, probe
from earmark.errors import UserError
from earmark.importing.apart import lines_apart, worth_it
from earmark.importing.lines import BAD, EXCLUDED, lines
from earmark.importing.summary import MAX_KEPT_PROBLEMS, ImportSummary
from earmark.manifest import AudioPath, Record
from earmark.store.clips import NewClip

CHUNK = 1000
MAX_FIELD_NAMES = 100  # distinct dropped field names counted by name
PROBE_CACHE = 4096


ProbeKey = tuple[str, int, int]  # real path, size, mtime_ns


class _ProbeCache:
    """Per-import memo of probe results, bounded so it cannot grow with the manifest."""

    def __init__(self, size: int = PROBE_CACHE) -> None:
        self.size = size
        self.data: OrderedDict[ProbeKey, AudioInfo | str] = OrderedDict()

    def get(self, key: ProbeKey) -> AudioInfo | str | None:
        v = self.data.get(key)
        if v is not None:
            self.data.move_to_end(key)
        return v

    def put(self, key: ProbeKey, value: AudioInfo | str) -> None:
        self.data[key] = value
        if len(self.data) > self.size:
            self.data.popitem(last=False)


def _probe_one(path: str) -> AudioInfo | str:
    try:
        return probe(path)
    except AudioError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001  (a decoder bug must cost one clip, not the import)
        return f"{path}: cannot be probed ({type(exc).__name__}: {exc})"


@dataclass
class _Pending:
    lineno: int
    record: Record
    audio: AudioPath
    name: str


class Importer:
    def __init__(
        self,
        store: Any,
        summary: ImportSummary,
        secret: bytes,
        *,
        actor: str,
        require_consent: bool = False,
    ) -> None:
        self.store = store
        self.summary = summary
        self.actor = actor
        self.require_consent = require_consent
        self.withdrawn: set[str] = set()
        self.cache = _ProbeCache()
        self.dropped: Counter[str] = Counter()
        self.secret = secret

    def run(
        self,
        manifest: Path,
        batch: str,
        audio_root: Path | None,
        progress: Callable[[int], None] | None,
    ) -> None:
        label = manifest.name
        pending: list[_Pending] = []
        batch_id: int | None = None
        read = lines_apart if worth_it(manifest) else lines
        for line in read(manifest, audio_root, self.secret, self.require_consent):
            if progress is not None:
                progress(line.lineno)
            rec = line.record
            if rec is not None:
                for name in rec.dropped:
                    if name not in self.dropped and len(self.dropped) >= MAX_FIELD_NAMES:
                        name = "(other fields)"  # a manifest of random keys must not grow memory
                    self.dropped[name] += 1
                self.summary.words_dropped += rec.words_dropped
            if line.kind == BAD:
                self.summary.add_bad(label, line.lineno, line.reason)
            elif line.kind == EXCLUDED:
                self.summary.excluded += 1
                if line.name is not None:
                    self.withdrawn.add(line.name)  # a stored copy of it is purged at the end
            elif rec is not None and line.audio is not None and line.name is not None:
                pending.append(_Pending(line.lineno, rec, line.audio, line.name))
                if len(pending) >= CHUNK:
                    batch_id = self._flush(pending, batch, batch_id, label)
                    pending = []
        if pending:
            batch_id = self._flush(pending, batch, batch_id, label)
        self.purge_withdrawn()
        if batch_id is not None and batch not in self.summary.batches:
            self.summary.batches.append(batch)

    def purge_withdrawn(self) -> None:
        """Clips stored earlier whose consent this manifest withdraws go, with all derived."""
        names = self.withdrawn
        self.withdrawn = set()
        if not names:
            return
        purge = getattr(self.store, "purge_clips", None)
        if purge is None:  # a backend that cannot purge yet must not keep them silently
            if self.store.existing_names(names):
                raise UserError(
                    f"{len(names):,} clip(s) stored earlier have their consent withdrawn, and "
                    "this database cannot purge yet: nothing else was left out"
                )
            return
        counts = purge(names, actor=self.actor, reason="consent withdrawn")
        self.summary.purged += counts.get("clips", 0)
        for table, n in counts.items():
            if table != "clips":
                self.summary.purged_rows[table] = self.summary.purged_rows.get(table, 0) + n

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
                words_json=rec.words_json,
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
        gold = [(p.name, p.record.gold) for p in fresh if p.record.gold is not None]
        if gold:  # hidden references: these clips leave the shared queue (store/gold.py)
            self.summary.gold += self.store.add_gold(gold)
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
