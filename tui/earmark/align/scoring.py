"""Turning the engine's alignment into per-word scores and marks.

A word's evidence is its goodness of pronunciation (GOP): aligned acoustic score minus the
free phone loop's over the same frames, per frame (engine.py), taken relative to the
clip's median word (so a voice or microphone the model fits badly does not mark every
word). A word missing from the transcript leaves its sound in a pause the aligner had to
place between two typed words (or before the first, after the last); a pause the phone loop
explains far better than silence marks the words on both sides of it. The evidence maps to a
0..1 score by a logistic curve centred on the threshold, so `marked` is score < 0.5. The
parameters were chosen on the development clips of tests/bench/bench_check.py and are fixed;
the benchmark reports held-out figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from earmark.align.engine import FRAME_RATE, AlignError, Span, engine
from earmark.align.normalise import spoken_tokens
from earmark.align.resample import RATE, to_pcm16
from earmark.align.result import CheckResult, WordScore

MAX_WORDS = 2000
MAX_SECONDS = 120.0


@dataclass(frozen=True)
class Params:
    """The fixed decision rule (see the module docstring)."""

    threshold: float = -18.0  # relative GOP per frame below which a word is marked
    relative: float = 1.0  # how much of a below-zero clip median GOP is taken off
    pause: float = -8.0  # pause GOP per frame below which its neighbours are marked
    min_pause: int = 8  # frames: shorter pauses carry no word
    edge: float = -4.0  # the same for the pauses before the first and after the last word
    guessed_slack: float = 15.0  # looser for words whose pronunciation was guessed
    scale: float = 5.0  # GOP units per step of the logistic score


PARAMS = Params()


@dataclass(frozen=True)
class Evidence:
    """What the audio says about one typed word (frames at 100 per second)."""

    index: int
    start: int
    end: int
    gop: float | None  # None: nothing spoken (punctuation only)
    guessed: bool
    pause: float | None  # the worst GOP of a long pause next to the word, if any
    edge: float | None = None  # the same for the pause before the first / after the last word
    skipped: bool = False  # the audio had no room for it: marked whatever the rest says


def evidence(samples: np.ndarray, samplerate: int, text: str) -> tuple[list[str], list[Evidence]]:
    """The typed words and the evidence for each; AlignError when the check cannot run."""
    words, tokens = spoken_tokens(text)
    if not words:
        raise AlignError("nothing to check: the transcript is empty")
    if len(words) > MAX_WORDS:
        raise AlignError(f"transcript too long to check ({len(words)} words)")
    try:
        pcm = to_pcm16(samples, samplerate)
    except ValueError as exc:
        raise AlignError(f"cannot read the audio: {exc}") from None
    seconds = len(pcm) / 2 / RATE
    if seconds > MAX_SECONDS:
        raise AlignError(f"clip too long to check ({seconds:.0f} s)")
    if not tokens:
        return words, [Evidence(i, 0, 0, None, False, None) for i in range(len(words))]
    eng = engine()
    with eng.lock:
        spans, pauses = eng.align(pcm, tokens)
    return words, _gather(len(words), spans, pauses, [t.word for t in tokens])


def _gop(spans: list[Span]) -> float:
    frames = max(1, sum(s.end - s.start for s in spans))
    return sum(s.aligned - s.loop for s in spans) / frames


def _gather(n: int, spans: list[Span], pauses: list[Span], owner: list[int]) -> list[Evidence]:
    by_word: dict[int, list[Span]] = {}
    for span, index in zip(spans, owner, strict=True):
        by_word.setdefault(index, []).append(span)
    pause_at: dict[int, float] = {}
    for p in pauses:
        if p.end - p.start >= PARAMS.min_pause:
            pause_at[p.token] = min(pause_at.get(p.token, 0.0), _gop([p]))
    n_tokens = len(spans)
    edges = {k: pause_at.pop(k) for k in (0, n_tokens) if k in pause_at}
    out: list[Evidence] = []
    cursor = 0
    for index in range(n):
        mine = by_word.get(index)
        if not mine:
            out.append(Evidence(index, cursor, cursor, None, False, None))
            continue
        first, last = mine[0].token, mine[-1].token
        start = max(mine[0].start, cursor)
        end = max(max(s.end for s in mine), start)
        cursor = end
        near = [pause_at[k] for k in (first, last + 1) if k in pause_at]
        edge = [edges[k] for k in (first, last + 1) if k in edges]
        out.append(
            Evidence(
                index,
                start,
                end,
                _gop(mine),
                any(s.guessed for s in mine),
                min(near) if near else None,
                min(edge) if edge else None,
                any(s.skipped for s in mine),
            )
        )
    return out


def decide(words: list[str], ev: list[Evidence], params: Params = PARAMS) -> list[WordScore]:
    """Scores and marks from the evidence under a decision rule."""
    gops = [e.gop for e in ev if e.gop is not None]
    centre = float(np.median(gops)) if gops else 0.0
    out = []
    for word, e in zip(words, ev, strict=True):
        start, end = e.start / FRAME_RATE, e.end / FRAME_RATE
        if e.gop is None:
            out.append(WordScore(word, e.index, start, end, 1.0, False))
            continue
        rel = e.gop - params.relative * min(centre, 0.0)
        threshold = params.threshold - (params.guessed_slack if e.guessed else 0.0)
        margin = -50.0 * params.scale if e.skipped else rel - threshold
        if e.pause is not None:
            margin = min(margin, e.pause - params.pause)
        if e.edge is not None:
            margin = min(margin, e.edge - params.edge)
        score = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, margin / params.scale))))
        out.append(WordScore(word, e.index, start, end, round(score, 4), margin < 0))
    return out


def check(samples: np.ndarray, samplerate: int, text: str) -> CheckResult:
    """The check proper (pocketsphinx known to be importable)."""
    try:
        words, ev = evidence(samples, samplerate, text)
    except AlignError as exc:
        return CheckResult([], str(exc))
    return CheckResult(decide(words, ev), None)
