"""Final transcripts of overlapped clips, by the rule in earmark/quality/final.py.

A clip of a batch with overlap N is decided once N slots are finished: agreed (the same
words, case and punctuation aside) is final; otherwise it is disputed until a reviewer sets
its final text (`Store.set_final`, kept in `finals`). Exports write the final text and leave
disputed clips out; `earmark qa` lists `disputed()`. Nothing is stored for an agreed clip:
the rule is applied when read, so a transcript changed later is decided afresh.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from earmark.quality.final import Transcript, Verdict, decide
from earmark.roles import PermissionDenied


@dataclass(frozen=True)
class Decided:
    clip_id: int
    clip: str
    batch: str
    verdict: Verdict
    transcripts: tuple[Transcript, ...]


def decided(
    store: Any, batch: str | None = None, reviewed: dict[int, str] | None = None
) -> Iterator[Decided]:
    """Every overlapped clip whose slots are all finished, with its verdict (a reviewer's
    final text wins over the rule), in clip order. `reviewed`: `reviewer_finals(store)`,
    when the caller has read it already."""
    overlap = {b.name: b.overlap for b in store.batches()}
    if all(n <= 1 for n in overlap.values()):
        return
    if reviewed is None:
        reviewed = reviewer_finals(store)
    for clip_id, group in groupby(store.annotations(batch), key=lambda a: a.clip_id):
        slots = list(group)
        first = slots[0]
        if overlap.get(first.batch, 1) <= 1 or len(slots) < overlap[first.batch]:
            continue
        texts = tuple(
            Transcript(a.annotator, None if a.skipped else (a.text or ""), a.submitted_at)
            for a in slots
        )
        if clip_id in reviewed:
            verdict = Verdict("final", reviewed[clip_id])
            yield Decided(clip_id, first.clip, first.batch, verdict, texts)
        else:
            yield Decided(clip_id, first.clip, first.batch, decide(texts), texts)


def disputed(store: Any, batch: str | None = None) -> list[Decided]:
    """Overlapped clips whose annotators disagree and no reviewer has decided yet."""
    return [d for d in decided(store, batch) if d.verdict.state == "disputed"]


def for_export(store: Any) -> tuple[dict[int, str], set[int]]:
    """(final text by clip id, disputed clip ids): the overlapped clips by the rule, and any
    clip a reviewer fixed, with or without overlap (on PostgreSQL a fix does not rewrite the
    annotator's slot, so the export must take the reviewer's text from here)."""
    final: dict[int, str] = {}
    waiting: set[int] = set()
    reviewed = reviewer_finals(store)
    for d in decided(store, reviewed=reviewed):
        if d.verdict.state == "disputed":
            waiting.add(d.clip_id)
        elif d.verdict.text is not None:
            final[d.clip_id] = d.verdict.text
    final.update(reviewed)
    waiting -= set(reviewed)
    return final, waiting


def reviewer_finals(store: Any) -> dict[int, str]:
    """The final texts reviewers set, by clip id; none for an annotator on PostgreSQL, who
    sees only their own words."""
    try:
        return dict(store.final_texts())
    except PermissionDenied:
        return {}
