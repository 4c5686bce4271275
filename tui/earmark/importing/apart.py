"""Reading a big manifest in a process of its own (`lines` there, the store here).

Reading, parsing and checking the lines is most of an import's CPU; with it in a second
process the importer's own process is left with the duplicate check, probing and the
inserts, and on two cores the import runs about as fast as the slower of the two. Lines
travel in chunks through a pipe whose buffer is the only queue between the two, so memory
stays bounded. The child is forked (a fresh interpreter, `spawn`, would run the caller's
main script again when it has no `__main__` guard); it only reads files and writes to its
pipe, never touching the database connection it inherits, and leaves by `os._exit`, so
nothing of this process is closed or flushed twice. An error in the child (an unreadable
manifest) is raised here as it would have been in-process; the child never outlives the
import. Where fork is not available the lines are read in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from earmark.importing.lines import Line, lines
from earmark.manifest import AudioPath, Record

CHUNK = 1000  # lines per message
MIN_BYTES = 4 << 20  # smaller manifests are read in-process: starting a reader costs ~0.1 s


def worth_it(manifest: Path) -> bool:
    """Big enough to gain from a reader process, on a machine with a second core."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        size = manifest.stat().st_size
    except OSError:
        return False
    forks = "fork" in multiprocessing.get_all_start_methods()
    return cores > 1 and size >= MIN_BYTES and forks


def lines_apart(
    manifest: Path, audio_root: Path | None, secret: bytes, require_consent: bool
) -> Iterator[Line]:
    """`lines(...)`, read in a child process."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_read,
        args=(send, manifest, audio_root, secret, require_consent),
        name="earmark-import-reader",
        daemon=True,
    )
    child.start()
    send.close()
    try:
        while True:
            try:
                message = receive.recv()
            except EOFError:
                raise RuntimeError(
                    f"the reader of {manifest} stopped (exit code {child.exitcode})"
                ) from None
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            yield from map(_unpack, message)
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _read(
    send: Connection, manifest: Path, audio_root: Path | None, secret: bytes, consent: bool
) -> None:
    try:
        chunk: list[tuple[Any, ...]] = []
        for line in lines(manifest, audio_root, secret, consent):
            chunk.append(_pack(line))
            if len(chunk) >= CHUNK:
                send.send(chunk)
                chunk = []
        if chunk:
            send.send(chunk)
        send.send(None)
    except BaseException as exc:  # noqa: BLE001  (raised again in the importer's process)
        try:
            send.send(exc)
        except Exception:  # noqa: BLE001  (an exception that cannot be pickled)
            send.send(RuntimeError(f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


# Lines travel as tuples of plain values, the words already encoded as they are stored:
# unpickling dataclasses and word dicts cost this process about as much as parsing the JSON
# had, which would leave it nothing to gain.
def _pack(line: Line) -> tuple[Any, ...]:
    rec = line.record
    if rec is None:
        return (line.lineno, line.kind, line.reason)
    audio = line.audio
    return (
        line.lineno,
        line.kind,
        line.reason,
        line.name,
        (audio.path, audio.size, audio.mtime_ns) if audio is not None else None,
        rec.audio,
        rec.asr,
        rec.words_json,
        rec.alternatives,
        rec.review_allowed,
        rec.duration,
        rec.dropped,
        rec.words_dropped,
        rec.gold,
    )


def _unpack(t: tuple[Any, ...]) -> Line:
    if len(t) == 3:
        return Line(t[0], t[1], t[2])
    lineno, kind, reason, name, audio, path, asr, words_json, alts, allowed, duration = t[:11]
    rec = Record(
        audio=path,
        asr=asr,
        words_json=words_json,
        alternatives=alts,
        review_allowed=allowed,
        duration=duration,
        dropped=t[11],
        words_dropped=t[12],
        gold=t[13],
    )
    where = AudioPath(*audio) if audio is not None else None
    return Line(lineno, kind, reason, rec, where, name)
