"""Manifest lines to import items: reading, the allow-list, consent, path checks and the
pseudonym, with no store in sight.

Kept apart from the store side (`importer`) so that a big manifest can be read in a process
of its own (`apart`) while this one writes: on two cores the reading, most of an import's
CPU, then no longer waits for the writing. Both ways run this same code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from earmark.manifest import (
    AudioPath,
    BadLine,
    PathResolver,
    Record,
    parse_record,
    pseudonym,
    read_manifest,
)

BAD, EXCLUDED, CLIP = 0, 1, 2


@dataclass
class Line:
    """One manifest line's outcome. `record` is there whenever the line parsed (its dropped
    field names count even when the path is refused). `name`: the clip's pseudonym; for an
    excluded line, the name of the stored copy its withdrawn consent purges, if known."""

    lineno: int
    kind: int
    reason: str = ""
    record: Record | None = None
    audio: AudioPath | None = None
    name: str | None = None


def lines(
    manifest: Path, audio_root: Path | None, secret: bytes, require_consent: bool
) -> Iterator[Line]:
    """Each non-blank line of `manifest`, in order."""
    resolver = PathResolver(manifest, audio_root)
    for lineno, item in read_manifest(manifest):
        rec: Record | None = None
        try:
            if isinstance(item, BadLine):
                raise item
            rec = parse_record(item)
            allowed = rec.review_allowed
            if allowed is None:
                allowed = not require_consent
            if not allowed:
                yield Line(lineno, EXCLUDED, record=rec, name=_withdrawn(rec, resolver, secret))
                continue
            audio = resolver.resolve(rec.audio)
        except BadLine as bad:
            yield Line(lineno, BAD, reason=str(bad), record=rec)
            continue
        if rec.source_id is not None:
            name = pseudonym(secret, rec.source_id)
            rec.source_id = None  # the source's id goes no further than its pseudonym
        else:
            name = pseudonym(secret, audio.path, kind="audio")
        if rec.words:  # encoded here, in the reader's process when there is one
            rec.words_json = orjson.dumps(rec.words).decode()
        yield Line(lineno, CLIP, record=rec, audio=audio, name=name)


def _withdrawn(rec: Record, resolver: PathResolver, secret: bytes) -> str | None:
    """The name a stored copy of an excluded clip would have, to purge it."""
    if rec.source_id is not None:
        return pseudonym(secret, rec.source_id)
    try:
        audio = resolver.resolve(rec.audio)
    except BadLine:
        return None
    return pseudonym(secret, audio.path, kind="audio")
