"""Weak first guesses offline: pocketsphinx's free decoding of a clip that came without one.

Free decoding with the US English model and language model shipped in pocketsphinx's wheel
is slow (about a quarter of real time on a laptop core) and often wrong; it is a lead's way
to give clips with no guess at all something to correct, never a replacement for the
recogniser's. A guess carries what the decoder knows: word timings, each word's posterior
as its confidence (so the annotator's unsure-word marks work on it), and the next distinct
hypotheses of its n-best list as alternatives. No Textual, no store: plain values out.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from earmark.align.resample import RATE, to_pcm16

SOURCE = "offline"  # how the store and the annotator name a guess made here
ALTERNATIVES = 3
_NBEST = 10  # hypotheses looked at for ALTERNATIVES distinct ones
_NBEST_LISTEN = 2000  # hypotheses looked at for a second listen's distinct ones
_VARIANT = re.compile(r"\(\d+\)$")  # "read(2)": the dictionary's second pronunciation


@dataclass(frozen=True)
class GuessWord:
    word: str
    start: float
    end: float
    conf: float


@dataclass(frozen=True)
class Guess:
    text: str
    words: tuple[GuessWord, ...]
    alternatives: tuple[str, ...]


def available() -> tuple[bool, str]:
    """(True, "") when free decoding can run, else (False, one line why not)."""
    if importlib.util.find_spec("pocketsphinx") is None:
        return False, "first guesses need pocketsphinx: pip install 'earmark[align]'"
    return True, ""


def _spoken(word: str) -> str | None:
    """A decoder token as a word of the guess; None for silences, fillers and sentence marks."""
    if word.startswith(("<", "[", "+")):
        return None
    return _VARIANT.sub("", word)


class FreeDecoder:
    """One loaded model (about a second to load), reused for every clip of a process."""

    def __init__(self) -> None:
        import pocketsphinx

        self._decoder: Any = pocketsphinx.Decoder(loglevel="FATAL", bestpath=True)
        self._frate = int(self._decoder.config["frate"])

    def guess(self, samples: np.ndarray, samplerate: int) -> Guess:
        d = self._decoder
        d.start_utt()
        d.process_raw(to_pcm16(samples, samplerate), full_utt=True)
        d.end_utt()
        hyp = d.hyp()
        if hyp is None:
            return Guess("", (), ())
        words = []
        for seg in d.seg():
            word = _spoken(seg.word)
            if word is None:
                continue
            start, end = seg.start_frame / self._frate, (seg.end_frame + 1) / self._frate
            conf = float(min(1.0, max(0.0, seg.prob)))
            words.append(GuessWord(word, round(start, 3), round(end, 3), round(conf, 4)))
        text = " ".join(w.word for w in words)
        alternatives: list[str] = []
        for n, best in enumerate(d.nbest()):
            if n >= _NBEST or len(alternatives) >= ALTERNATIVES:
                break
            alt = " ".join(w for t in best.hypstr.split() if (w := _spoken(t)) is not None)
            if alt and alt != text and alt not in alternatives:
                alternatives.append(alt)
        return Guess(text, tuple(words), tuple(alternatives))

    def hypotheses(self, samples: np.ndarray, samplerate: int, limit: int) -> list[str]:
        """A second listen: the decoder's n-best hypotheses of the clip, best first, distinct,
        spoken words only (earmark.suggest.heard weighs what they put in place of each guess
        word). Decoding costs about a third of the clip's length; the list itself, ms."""
        d = self._decoder
        d.start_utt()
        d.process_raw(to_pcm16(samples, samplerate), full_utt=True)
        d.end_utt()
        out: list[str] = []
        seen: set[str] = set()
        for n, best in enumerate(d.nbest()):
            if n >= _NBEST_LISTEN or len(out) >= limit:
                break
            if best is None:
                continue
            text = " ".join(w for t in best.hypstr.split() if (w := _spoken(t)) is not None)
            if text and text not in seen:
                seen.add(text)
                out.append(text)
        return out


__all__ = ["ALTERNATIVES", "RATE", "SOURCE", "FreeDecoder", "Guess", "GuessWord", "available"]
