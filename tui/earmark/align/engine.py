"""The pocketsphinx side of the check: one decoder per process, three passes per clip.

1. Word alignment of the spoken tokens (`set_align_text`), which also places silences.
2. Phone alignment over those words (`set_alignment`): each phone's frames and acoustic score.
3. A free phone loop (allphone search) over the same audio: the best any phone sequence can do.

A word's goodness of pronunciation is its aligned phones' acoustic score minus the phone
loop's score over the same frames, per frame: near zero when the typed word is what was said,
strongly negative when the audio is better explained by other sounds. Loading the model takes
about 0.1 s and is done once, on first use; a lock keeps the one decoder to one clip at a time.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from earmark.align.g2p import pronounce
from earmark.align.normalise import Token

FRAME_RATE = 100  # pocketsphinx's default: 10 ms frames
_FILLERS = ("<s>", "</s>", "<sil>", "[NOISE]", "+")


class AlignError(Exception):
    """The text could not be aligned to this audio (the message says why, in one line)."""


@dataclass(frozen=True)
class Span:
    """One spoken token's aligned frames and its goodness-of-pronunciation evidence."""

    token: int
    start: int
    end: int  # exclusive
    aligned: float
    loop: float
    guessed: bool


class Engine:
    """The loaded model and the passes over one clip at a time."""

    def __init__(self) -> None:
        import pocketsphinx

        model = pocketsphinx.get_model_path()
        self._decoder: Any = pocketsphinx.Decoder(
            hmm=os.path.join(model, "en-us", "en-us"),
            dict=os.path.join(model, "en-us", "cmudict-en-us.dict"),
            lm=None,
            loglevel="FATAL",
            beam=1e-120,
            wbeam=1e-100,
            pbeam=1e-120,
            bestpath=False,
        )
        self._decoder.add_allphone_file("loop", None)
        self._logmath = self._decoder.logmath
        self._guessed: set[str] = set()
        self.lock = threading.Lock()

    def _lookup(self, word: str) -> str | None:
        found = self._decoder.lookup_word(word)
        return str(found) if found else None

    def prepare(self, tokens: list[Token]) -> list[bool]:
        """Add missing tokens to the dictionary; says which ones have guessed pronunciations."""
        guessed = []
        for t in tokens:
            if self._lookup(t.text) is None:
                phones = pronounce(t.text, self._lookup)
                self._decoder.add_word(t.text, " ".join(phones), False)
                self._guessed.add(t.text)
            guessed.append(t.text in self._guessed)
        return guessed

    def align(self, pcm: bytes, tokens: list[Token]) -> tuple[list[Span], int]:
        """Aligned spans of every token and the clip's frame count; AlignError if impossible."""
        guessed = self.prepare(tokens)
        d = self._decoder
        try:
            d.set_align_text(" ".join(t.text for t in tokens))
            self._decode(pcm)
            if d.hyp() is None:
                raise AlignError("the transcript cannot be fitted to this audio")
            d.set_alignment()
            self._decode(pcm)
            alignment = d.get_alignment()
        except RuntimeError as exc:
            raise AlignError(f"alignment failed: {exc}") from None
        if alignment is None:
            raise AlignError("the transcript cannot be fitted to this audio")
        n_frames = int(d.n_frames())
        aligned = [
            (int(w.start), int(w.start) + int(w.duration), float(w.score))
            for w in alignment.words()
            if not str(w.name).startswith(_FILLERS)
        ]
        if len(aligned) != len(tokens):
            raise AlignError("the aligner lost words")
        loop = self._phone_loop(pcm, n_frames)
        spans = [
            Span(k, a, b, score, float(loop[a:b].sum()), guessed[k])
            for k, (a, b, score) in enumerate(aligned)
        ]
        return spans, n_frames

    def _decode(self, pcm: bytes) -> None:
        d = self._decoder
        d.start_utt()
        d.process_raw(pcm, full_utt=True)
        d.end_utt()

    def _phone_loop(self, pcm: bytes, n_frames: int) -> np.ndarray:
        """Per-frame acoustic score of the best free phone sequence."""
        d = self._decoder
        d.activate_search("loop")
        self._decode(pcm)
        per_frame = np.zeros(max(n_frames, 1))
        for seg in d.seg():
            a, b = int(seg.start_frame), int(seg.end_frame) + 1
            if b <= a or seg.ascore <= 0:
                continue
            raw = self._logmath.log(seg.ascore)
            per_frame[a:b] = raw / (b - a)
        return per_frame


_ENGINE: Engine | None = None
_ENGINE_LOCK = threading.Lock()


def engine() -> Engine:
    """The process's one engine, loaded on first use."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = Engine()
        return _ENGINE
