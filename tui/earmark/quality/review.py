"""Second-pass review: which submitted clips a reviewer checks, and the word diff they read.

Sampling is fair and reproducible: each annotator's submitted clips are ranked by the
SHA-256 of the clip's name (a pseudonym, so the rank says nothing about the speaker or the
order of work), and the first ceil(share x n) of their n clips are sampled. Every annotator
is checked at the same rate however much they did; the same data always gives the same
queue; nobody can steer a clip into or out of the sample by when or how they submit it.
Clips reviewed already count towards the share.

The diff is word by word (difflib's longest matching blocks over case- and
punctuation-folded words, shown as written). Each change carries a symbol as well as a
colour, so it reads without colour and in 80 columns: `+word` inserted, `-word` deleted,
`~word` substituted (the new word; the old one is in the line above).
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from earmark.textsafe import clean

OUTCOMES = ("accepted", "fixed", "rejected")
MAX_NOTE = 300
MAX_TEXT = 5_000
SYMBOLS = {"equal": "", "insert": "+", "delete": "-", "replace": "~"}
_FOLD = re.compile(r"[^\w']+")


class ReviewError(ValueError):
    """A review that cannot be recorded (own clip, reviewed already, nothing submitted)."""


class Submitted(Protocol):
    """One annotator's submitted transcript of a clip, as the store hands it out."""

    @property
    def clip_id(self) -> int: ...
    @property
    def clip(self) -> str: ...
    @property
    def batch(self) -> str: ...
    @property
    def annotator(self) -> str: ...
    @property
    def text(self) -> str | None: ...
    @property
    def skipped(self) -> bool: ...


class GoldLike(Protocol):
    @property
    def skipped(self) -> bool: ...
    @property
    def edits(self) -> int: ...
    @property
    def flags_agree(self) -> bool: ...


@dataclass(frozen=True)
class Review:
    """A reviewer's outcome for one annotator's transcript of a clip, as stored."""

    id: int
    clip_id: int
    clip: str
    annotator: str
    submitted: str  # the annotator's text that was reviewed
    asr: str
    reviewer: str
    outcome: str  # accepted, fixed, rejected
    text: str | None  # the reviewer's text (fixed)
    note: str
    at: float

    @property
    def final(self) -> str:
        """The transcript the review settled on."""
        return self.text if self.text is not None else self.submitted


@dataclass(frozen=True)
class Piece:
    """One word of a diffed line: its kind (equal, insert, delete, replace) and text."""

    kind: str
    word: str

    @property
    def marked(self) -> str:
        return SYMBOLS[self.kind] + self.word


def _fold(word: str) -> str:
    return _FOLD.sub("", word.casefold()) or word


def diff_words(before: str | None, after: str | None) -> list[Piece]:
    """`after` as words, each marked against `before`; deleted words of `before` appear in
    their place marked `delete`, so the line shows everything that changed."""
    a = clean(before or "").split()
    b = clean(after or "").split()
    matcher = difflib.SequenceMatcher(a=[_fold(w) for w in a], b=[_fold(w) for w in b])
    out: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [Piece("equal", w) for w in b[j1:j2]]
        elif tag == "insert":
            out += [Piece("insert", w) for w in b[j1:j2]]
        elif tag == "delete":
            out += [Piece("delete", w) for w in a[i1:i2]]
        else:  # replace: pair words up; any left over are deletions or insertions
            old, new = a[i1:i2], b[j1:j2]
            out += [Piece("replace", w) for w in new[: len(old)]]
            out += [Piece("insert", w) for w in new[len(old) :]]
            out += [Piece("delete", w) for w in old[len(new) :]]
    return out


def marked_line(pieces: Sequence[Piece]) -> str:
    """The diff as plain text with symbols: for scripts, logs and colour-blind readers."""
    return " ".join(p.marked for p in pieces)


def changed_words(pieces: Sequence[Piece]) -> int:
    return sum(p.kind != "equal" for p in pieces)


@dataclass(frozen=True)
class DiffLine:
    """One line of the three-way diff: who wrote it, and its words against the line above."""

    label: str
    pieces: tuple[Piece, ...]


def three_way(
    asr: str, transcripts: Sequence[tuple[str, str | None]], reviewer: str | None = None
) -> list[DiffLine]:
    """ASR guess; each annotator's transcript against the guess; then, once the reviewer has
    changed it, the reviewer's text against the first transcript."""
    lines = [DiffLine("ASR", tuple(Piece("equal", w) for w in clean(asr).split()))]
    for who, text in transcripts:
        lines.append(DiffLine(clean(who), tuple(diff_words(asr, text))))
    if reviewer is not None:
        base = transcripts[0][1] if transcripts else asr
        lines.append(DiffLine("review", tuple(diff_words(base, reviewer))))
    return lines


def sample_key(clip: str) -> str:
    return hashlib.sha256(clip.encode("utf-8")).hexdigest()


def sampled(subs: Iterable[Submitted], share_of: Callable[[str], float]) -> set[tuple[int, str]]:
    """(clip id, annotator) pairs in the review sample: per annotator and batch, the first
    ceil(share x n) of their n submitted clips by sample_key."""
    groups: dict[tuple[str, str], list[Submitted]] = {}
    for s in subs:
        if not s.skipped and s.text is not None:
            groups.setdefault((s.annotator, s.batch), []).append(s)
    out: set[tuple[int, str]] = set()
    for (annotator, batch), items in groups.items():
        share = min(max(share_of(batch), 0.0), 1.0)
        take = math.ceil(share * len(items) - 1e-9)
        items.sort(key=lambda s: sample_key(s.clip))
        out.update((s.clip_id, annotator) for s in items[:take])
    return out


@dataclass
class ReviewItem:
    """A clip in the reviewer's queue, with every annotator's transcript and why it is here."""

    clip_id: int
    clip: str
    batch: str
    reasons: list[str] = field(default_factory=list)
    transcripts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def annotators(self) -> list[str]:
        return [who for who, _ in self.transcripts]


def build_queue(
    reviewer: str,
    subs: Iterable[Submitted],
    share_of: Callable[[str], float],
    *,
    reviewed: set[tuple[int, str]],
    flagged: Iterable[tuple[int, str]] = (),
    extra: Iterable[Submitted] = (),
) -> list[ReviewItem]:
    """The reviewer's queue: the sample of `subs`, plus every clip another source names
    (`flagged`: (clip id, reason), for disputed clips and gold misses, whose transcripts may
    come from `extra`, as gold answers do). A clip any of whose annotators is the reviewer is
    never offered to them; transcripts already reviewed (`reviewed`: (clip id, annotator))
    are not offered again, nor a clip with none left."""
    subs = [s for s in subs if not s.skipped and s.text is not None]
    extra = [s for s in extra if s.text is not None]
    items: dict[int, ReviewItem] = {}
    own: set[int] = set()
    for s in [*subs, *extra]:
        item = items.setdefault(s.clip_id, ReviewItem(s.clip_id, s.clip, s.batch))
        if s.annotator == reviewer:
            own.add(s.clip_id)
        if (s.clip_id, s.annotator) not in reviewed and s.annotator not in item.annotators:
            item.transcripts.append((s.annotator, s.text or ""))
    reasons: dict[int, list[str]] = {}
    for clip_id, _who in sorted(sampled(subs, share_of)):
        reasons.setdefault(clip_id, ["sample"])
    for clip_id, reason in flagged:
        got = reasons.setdefault(clip_id, [])
        if reason not in got:
            got.append(reason)
    out = []
    for clip_id in sorted(reasons):
        found = items.get(clip_id)
        if found is None or clip_id in own or not found.transcripts:
            continue
        found.reasons = reasons[clip_id]
        found.transcripts.sort()
        out.append(found)
    return out


def check_accept(outcome: str, texts: Sequence[str]) -> None:
    """Accepting transcripts that differ would leave the clip without a final text: the
    reviewer fixes it (choosing or writing the final text) instead."""
    if outcome == "accepted" and len({tuple(_words(t)) for t in texts}) > 1:
        raise ReviewError("its transcripts differ: fix it to set the final text (or reject it)")


def outcome_for(outcome: str, submitted: str, fixed: str | None) -> str:
    """One annotator's outcome of a review: a fix that leaves their words as they were
    (case and punctuation aside) accepts their transcript. Fixing a disputed clip to one
    annotator's text must not count against that annotator."""
    if outcome == "fixed" and fixed is not None and _words(submitted) == _words(fixed):
        return "accepted"
    return outcome


def _words(text: str) -> list[str]:
    """A transcript's words as compared: case and punctuation aside."""
    return [_fold(w) for w in clean(text).split()]


def is_gold_miss(answer: GoldLike) -> bool:
    """A gold answer a reviewer should hear: skipped, any word wrong, or flags that differ."""
    return answer.skipped or answer.edits > 0 or not answer.flags_agree


def check_outcome(outcome: str, text: str | None, note: str) -> tuple[str, str | None, str]:
    """The outcome, the reviewer's text (fixed only) and note, cleaned; ValueError when
    something is missing: a fix needs its text, a rejection its reason."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown review outcome {outcome!r} (choose {', '.join(OUTCOMES)})")
    note = " ".join(clean(note, max_len=MAX_NOTE).split())
    fixed = " ".join(clean(text or "", max_len=MAX_TEXT).split()) if outcome == "fixed" else None
    if outcome == "fixed" and not fixed:
        raise ValueError("a fix needs the corrected text")
    if outcome == "rejected" and not note:
        raise ValueError("a rejection needs a short reason")
    return outcome, fixed, note
