"""`earmark asr [--batch NAME] [--jobs N] [--timings]`: weak first guesses, offline, for clips
without one; with `--timings`, word timings for submitted transcripts that have none.

Leads only. Each clip that came without a guess (and is not finished) is decoded by
pocketsphinx (earmark/align/firstguess.py) and its guess written at once, marked as made by
earmark ('offline'), so the annotator shows it as such. Every clip is committed on its own:
a run killed at any moment (even kill -9) and started again goes on with the clips not done
and never redoes one. `--jobs N` decodes in N processes (each loads the model once); only
this process writes to the project. Progress goes to stderr: one line updating in place on
a terminal, plain lines now and then otherwise.

`--timings` is the backfill of word timings: each submitted transcript without them (submitted
before the check existed, on a machine without pocketsphinx, or whose background check was cut
short) is aligned to its clip (earmark.align) and its timings and marks kept with it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, TextIO

from earmark.errors import UserError

if TYPE_CHECKING:
    from earmark.align.firstguess import Guess
    from earmark.store import Store, Word

PLAIN_EVERY = 10.0  # seconds between two progress lines when stderr is not a terminal


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch", metavar="NAME", help="only clips of this batch")
    p.add_argument("--jobs", metavar="N", type=int, default=1, help="decoding processes")
    p.add_argument(
        "--timings",
        action="store_true",
        help="instead: word timings (and check marks) for submitted transcripts without them",
    )
    p.add_argument("--user", metavar="NAME")


# -- decoding, in this process or in each worker process ---------------------------------------
_decoder = None


def _load() -> None:
    global _decoder
    from earmark.align.firstguess import FreeDecoder

    _decoder = FreeDecoder()


def decode(clip_id: int, audio: str) -> tuple[int, Guess | None, str]:
    """(clip id, its Guess or None, why not): an unreadable file costs one clip, not the run."""
    from earmark.audio import AudioError, load

    if _decoder is None:
        _load()
    assert _decoder is not None
    try:
        samples, rate = load(audio)
    except AudioError as exc:
        return clip_id, None, str(exc)
    try:
        return clip_id, _decoder.guess(samples, rate), ""
    except (RuntimeError, ValueError, MemoryError) as exc:
        return clip_id, None, f"{audio}: decoding failed ({exc})"


def align(clip_id: int, audio: str, text: str) -> tuple[int, list[Word] | None, int, str]:
    """(clip id, timings of `text`, words marked, why not) from the acoustic check."""
    from earmark.align import check_transcript
    from earmark.audio import AudioError, load
    from earmark.store import Word

    try:
        samples, rate = load(audio)
    except AudioError as exc:
        return clip_id, None, 0, str(exc)
    result = check_transcript(samples, rate, text)
    if not result.words:
        return clip_id, None, 0, result.reason or "nothing to align"
    words = [Word(w.word, round(w.start, 3), round(w.end, 3), w.score) for w in result.words]
    return clip_id, words, len(result.marked), ""


def _results(todo: list[tuple[int, str]], jobs: int) -> Iterator[tuple[int, Guess | None, str]]:
    if jobs == 1:
        for clip_id, audio in todo:
            yield decode(clip_id, audio)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_load) as pool:
        ids = [c for c, _ in todo]
        yield from pool.map(decode, ids, [a for _, a in todo], chunksize=1)


def _alignments(
    todo: list[tuple[int, str, str, str]], jobs: int
) -> Iterator[tuple[int, list[Word] | None, int, str]]:
    ids, audio, texts = [t[0] for t in todo], [t[2] for t in todo], [t[1] for t in todo]
    if jobs == 1:
        yield from map(align, ids, audio, texts)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(align, ids, audio, texts, chunksize=1)


# -- progress ----------------------------------------------------------------------------------
class Progress:
    """One line on a terminal (`\\r`, redrawn), plain lines every PLAIN_EVERY s otherwise."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total, self.out, self.done = total, out, 0
        self.tty = out.isatty()
        self.width = 0
        self.started = self.last = time.monotonic()

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        pct = 100 * self.done / self.total if self.total else 100.0
        bar = "#" * int(pct / 5)
        return f"asr [{bar:<20}] {self.done}/{self.total} clips, {pct:.0f}%, ~{left:.0f} s left"

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.tty:
            line = self.line()
            self.out.write("\r" + line.ljust(self.width))  # over all of the last one
            self.width = len(line)
            self.out.flush()
        elif now - self.last >= PLAIN_EVERY or self.done == self.total:
            self.out.write(self.line() + "\n")
            self.out.flush()
            self.last = now

    def end(self) -> None:
        if self.tty and self.total:
            self.out.write("\n")
            self.out.flush()


def run(args: argparse.Namespace) -> int:
    from earmark.align.firstguess import SOURCE, available
    from earmark.config import current_user, db_path
    from earmark.roles import require
    from earmark.store import Word, open_store

    if args.jobs < 1 or args.jobs > 64:
        raise UserError(f"--jobs {args.jobs}: give 1 to 64 processes")
    ok, why = available()
    if args.timings:
        from earmark.align import available as check_available

        ok, why = check_available()
    if not ok:
        raise UserError(why)
    actor = current_user(getattr(args, "user", None))
    store = open_store(db_path(args.db), create=False)
    try:
        require(actor, store.role_of(actor), ("lead",), "make first guesses")
        if args.timings:
            return _backfill(store, args.jobs)
        todo = store.clips_without_guess(args.batch)
        progress = Progress(len(todo), sys.stderr)
        made = failed = 0
        try:
            for clip_id, guess, problem in _results(todo, args.jobs):
                if guess is None:
                    failed += 1
                    print(f"clip {clip_id}: {problem}", file=sys.stderr)
                else:
                    words = [Word(w.word, w.start, w.end, w.conf) for w in guess.words]
                    made += store.set_machine_guess(
                        clip_id, guess.text, words, guess.alternatives, SOURCE
                    )
                progress.step()
        finally:
            progress.end()
            if made:
                store.audit_append(actor, "first_guesses", None, {"clips": made, "source": SOURCE})
    finally:
        store.close()
    where = f" in batch {args.batch}" if args.batch is not None else ""
    print(
        f"first guesses made for {made:,} clip{'s' if made != 1 else ''}{where}"
        + (f"; {failed:,} could not be decoded" if failed else "")
    )
    return 0


def _backfill(store: Store, jobs: int) -> int:
    """Timings for every submitted transcript without them; each kept as it is made."""
    todo, after = [], 0
    while chunk := store.unchecked_transcripts(after, 5000):
        todo += chunk
        after = chunk[-1][0]
    who = {(c, t): a for c, t, _audio, a in todo}
    progress = Progress(len(todo), sys.stderr)
    kept = failed = 0
    try:
        for (clip_id, words, marked, problem), (_c, text, _a, _w) in zip(
            _alignments(todo, jobs), todo, strict=True
        ):
            if words is None:
                failed += 1
                print(f"clip {clip_id}: {problem}", file=sys.stderr)
            else:
                kept += store.record_check(clip_id, text, words, marked, who[(clip_id, text)])
            progress.step()
    finally:
        progress.end()
    print(
        f"word timings kept for {kept:,} transcript{'s' if kept != 1 else ''}"
        + (f"; {failed:,} could not be aligned" if failed else "")
    )
    return 0
