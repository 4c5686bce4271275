"""Turning the engine's alignment into per-word scores and marks.

A word's raw evidence is its goodness of pronunciation (GOP): aligned acoustic score minus
the free phone loop's over the same frames, per frame (engine.py). That is mapped to a 0..1
score with a logistic curve centred on THRESHOLD, so `marked` is simply score < 0.5. The
threshold and scale were chosen on the development clips of tests/bench/bench_check.py and
are fixed; the benchmark reports figures on the held-out clips only.
"""

from __future__ import annotations

import math

import numpy as np

from earmark.align.engine import FRAME_RATE, AlignError, Span, engine
from earmark.align.normalise import spoken_tokens
from earmark.align.resample import RATE, to_pcm16
from earmark.align.result import CheckResult, WordScore

THRESHOLD = -3.0  # GOP per frame (pocketsphinx score units) below which a word is marked
GUESSED_SLACK = 2.0  # looser for words whose pronunciation was guessed (names, coinages)
SCALE = 1.0
MAX_WORDS = 2000
MAX_SECONDS = 120.0


def check(samples: np.ndarray, samplerate: int, text: str) -> CheckResult:
    """The check proper (pocketsphinx known to be importable)."""
    words, tokens = spoken_tokens(text)
    if not words:
        return CheckResult([], "nothing to check: the transcript is empty")
    if len(words) > MAX_WORDS:
        return CheckResult([], f"transcript too long to check ({len(words)} words)")
    try:
        pcm = to_pcm16(samples, samplerate)
    except ValueError as exc:
        return CheckResult([], f"cannot read the audio: {exc}")
    seconds = len(pcm) / 2 / RATE
    if seconds > MAX_SECONDS:
        return CheckResult([], f"clip too long to check ({seconds:.0f} s)")
    if not tokens:
        return CheckResult(_unspoken(words, seconds), None)
    eng = engine()
    try:
        with eng.lock:
            spans, n_frames = eng.align(pcm, tokens)
    except AlignError as exc:
        return CheckResult([], str(exc))
    return CheckResult(_word_scores(words, spans, [t.word for t in tokens], n_frames), None)


def _unspoken(words: list[str], seconds: float) -> list[WordScore]:
    return [WordScore(w, i, 0.0, 0.0, 1.0, False) for i, w in enumerate(words)]


def _word_scores(
    words: list[str], spans: list[Span], owner: list[int], n_frames: int
) -> list[WordScore]:
    by_word: dict[int, list[Span]] = {}
    for span, index in zip(spans, owner, strict=True):
        by_word.setdefault(index, []).append(span)
    out: list[WordScore] = []
    cursor = 0
    for index, word in enumerate(words):
        mine = by_word.get(index)
        if not mine:  # punctuation or markup only: nothing spoken, nothing to doubt
            out.append(WordScore(word, index, cursor / FRAME_RATE, cursor / FRAME_RATE, 1.0, False))
            continue
        start, end = mine[0].start, max(s.end for s in mine)
        frames = max(1, sum(s.end - s.start for s in mine))
        gop = sum(s.aligned - s.loop for s in mine) / frames
        threshold = THRESHOLD - (GUESSED_SLACK if any(s.guessed for s in mine) else 0.0)
        score = 1.0 / (1.0 + math.exp(-(gop - threshold) / SCALE))
        start = max(start, cursor)
        end = max(end, start)
        cursor = end
        out.append(
            WordScore(
                word, index, start / FRAME_RATE, end / FRAME_RATE, round(score, 4), score < 0.5
            )
        )
    del n_frames
    return out
