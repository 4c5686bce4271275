"""Agreement between annotators who transcribed the same clips, and their gold scores.

With overlap N each clip gets N transcripts written blind to each other. How far apart two
transcripts are is their word edit distance (case and punctuation aside: earmark/wer.py)
over the mean of their word counts; a clip's, an annotator's or a batch's `pair_wer` adds
edits and words over every pair in it, so long clips weigh more than short ones, as in the
corpus word error rate. Skipped slots have no words and take no part in it.

Flags are compared as one label per transcript: the set of flag kinds its annotator raised
on the clip ("none" when none). Which kappa (earmark/quality/kappa.py):
- each pair of annotators: Cohen's kappa over the clips both labelled;
- a batch, and the whole project: Cohen's kappa when every clip with two or more labels was
  labelled by the same two annotators; otherwise Fleiss' kappa over the clips that got the
  most common number of labels (clips with fewer or more are left out of it; `kappa_clips`
  says how many took part).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from earmark.quality.gold import GoldScore, GoldTally
from earmark.quality.kappa import cohen, fleiss
from earmark.wer import normalize

TOP = 10


@dataclass(frozen=True)
class Rating:
    """One annotator's finished slot of a clip: text None when they skipped it."""

    clip_id: int
    clip: str
    batch: str
    annotator: str
    text: str | None
    flags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return "+".join(sorted(set(self.flags))) or "none"


@dataclass(frozen=True)
class GoldResult:
    annotator: str
    batch: str
    score: GoldScore
    skipped: bool


@dataclass
class _Sum:
    edits: int = 0
    words: float = 0.0
    pairs: int = 0
    clips: set[int] = field(default_factory=set)

    def add(self, clip_id: int, edits: int, words: float) -> None:
        self.edits += edits
        self.words += words
        self.pairs += 1
        self.clips.add(clip_id)

    @property
    def wer(self) -> float | None:
        if not self.pairs:
            return None
        if self.words:
            return self.edits / self.words
        return 0.0 if self.edits == 0 else 1.0


def pair_edits(a: str, b: str) -> tuple[int, float]:
    """(word edits, mean word count) between two transcripts."""
    from rapidfuzz.distance import Levenshtein

    wa, wb = normalize(a), normalize(b)
    return Levenshtein.distance(wa, wb), (len(wa) + len(wb)) / 2


def batch_kappa(clips: Iterable[list[Rating]]) -> tuple[float | None, str | None, int]:
    """(kappa, "cohen" | "fleiss" | None, clips used) for clips with 2+ labels."""
    items = [c for c in clips if len(c) >= 2]
    if not items:
        return None, None, 0
    raters = {frozenset(r.annotator for r in c) for c in items}
    if all(len(c) == 2 for c in items) and len(raters) == 1:
        first, _ = sorted(next(iter(raters)))
        pairs = []
        for c in items:
            a, b = sorted(c, key=lambda r: r.annotator != first)
            pairs.append((a.label, b.label))
        return cohen(pairs), "cohen", len(pairs)
    sizes = Counter(len(c) for c in items)
    m = max(sizes, key=lambda k: (sizes[k], k))
    used = [[r.label for r in c] for c in items if len(c) == m]
    return fleiss(used), "fleiss", len(used)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def report(
    ratings: Iterable[Rating], gold: Iterable[GoldResult], *, top: int = TOP
) -> dict[str, Any]:
    """The whole agreement report as plain JSON-ready values (see the module docstring)."""
    by_clip: dict[int, list[Rating]] = defaultdict(list)
    for r in ratings:
        by_clip[r.clip_id].append(r)
    people: dict[str, _Sum] = defaultdict(_Sum)
    batches: dict[str, _Sum] = defaultdict(_Sum)
    duo: dict[tuple[str, str], _Sum] = defaultdict(_Sum)
    duo_labels: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    overall = _Sum()
    clips_out: list[dict[str, Any]] = []
    batch_clips: dict[str, list[list[Rating]]] = defaultdict(list)
    for clip_id, rs in by_clip.items():
        if len(rs) < 2:
            continue
        rs.sort(key=lambda r: r.annotator)
        batch_clips[rs[0].batch].append(rs)
        one = _Sum()
        for a, b in combinations(rs, 2):
            duo_labels[(a.annotator, b.annotator)].append((a.label, b.label))
            if a.text is None or b.text is None:
                continue
            e, w = pair_edits(a.text, b.text)
            for s in (one, people[a.annotator], people[b.annotator], batches[a.batch], overall):
                s.add(clip_id, e, w)
            duo[(a.annotator, b.annotator)].add(clip_id, e, w)
        clips_out.append(
            {
                "clip": rs[0].clip,
                "batch": rs[0].batch,
                "transcripts": sum(r.text is not None for r in rs),
                "skipped": sum(r.text is None for r in rs),
                "annotators": [r.annotator for r in rs],
                "pair_wer": _r(one.wer),
                "edits": one.edits,
                "flags_agree": len({r.label for r in rs}) == 1,
            }
        )
    clips_out.sort(key=lambda c: (-(c["pair_wer"] or 0.0), -c["edits"], c["clip"]))

    gold_people: dict[str, GoldTally] = defaultdict(GoldTally)
    gold_batches: dict[str, GoldTally] = defaultdict(GoldTally)
    for g in gold:
        gold_people[g.annotator].add(g.score, skipped=g.skipped)
        gold_batches[g.batch].add(g.score, skipped=g.skipped)

    annotators: dict[str, Any] = {}
    everyone = {r.annotator for rs in by_clip.values() for r in rs} | set(gold_people)
    for name in sorted(everyone):
        s, t = people.get(name, _Sum()), gold_people.get(name, GoldTally())
        annotators[name] = {
            "gold_clips": t.clips,
            "gold_skipped": t.skipped,
            "gold_wer": _r(t.wer),
            "gold_flag_agreement": _r(t.flag_agreement),
            "pair_wer": _r(s.wer),
            "pair_clips": len(s.clips),
        }
    batches_out: dict[str, Any] = {}
    for name in sorted(set(batch_clips) | set(gold_batches)):
        s, t = batches.get(name, _Sum()), gold_batches.get(name, GoldTally())
        kappa, method, used = batch_kappa(batch_clips.get(name, []))
        batches_out[name] = {
            "overlapped_clips": len(batch_clips.get(name, [])),
            "pair_wer": _r(s.wer),
            "flag_kappa": _r(kappa),
            "kappa_method": method,
            "kappa_clips": used,
            "gold_clips": t.clips,
            "gold_wer": _r(t.wer),
        }
    kappa, method, used = batch_kappa(c for cs in batch_clips.values() for c in cs)
    pairs_out = [
        {
            "annotators": [a, b],
            "clips": len(labels),
            "pair_wer": _r(duo[(a, b)].wer) if (a, b) in duo else None,
            "flag_kappa": _r(cohen(labels)),
        }
        for (a, b), labels in sorted(duo_labels.items())
    ]
    return {
        "annotators": annotators,
        "batches": batches_out,
        "pairs": pairs_out,
        "overall": {
            "overlapped_clips": len(clips_out),
            "pair_wer": _r(overall.wer),
            "flag_kappa": _r(kappa),
            "kappa_method": method,
            "kappa_clips": used,
        },
        "disagree_most": [
            c for c in clips_out[:top] if (c["pair_wer"] or 0) > 0 or not c["flags_agree"]
        ],
        "clips": clips_out,
    }
