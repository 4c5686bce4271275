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

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from earmark.align.g2p import pronounce
from earmark.align.normalise import Token

FRAME_RATE = 100  # pocketsphinx's default: 10 ms frames
LOOP_CACHE = 8  # clips whose phone-loop scores are kept
_FILLERS = ("<s>", "</s>", "<sil>", "[NOISE]", "+")


class AlignError(Exception):
    """The text could not be aligned to this audio (the message says why, in one line)."""


@dataclass(frozen=True)
class Span:
    """One spoken token's aligned frames and its goodness-of-pronunciation evidence."""

    token: int  # the token's position (for a pause: the token that follows it)
    start: int
    end: int  # exclusive
    aligned: float
    loop: float
    guessed: bool
    skipped: bool = False  # the audio had no room for this token at all


def acoustic_decoder(**options: Any) -> Any:
    """A decoder with pocketsphinx's US English acoustic model and pronouncing dictionary and
    no language model: what may be said comes from the text (an alignment, a grammar)."""
    import pocketsphinx

    model = pocketsphinx.get_model_path()
    return pocketsphinx.Decoder(
        hmm=os.path.join(model, "en-us", "en-us"),
        dict=os.path.join(model, "en-us", "cmudict-en-us.dict"),
        lm=None,
        loglevel="FATAL",
        **options,
    )


class Engine:
    """The loaded model and the passes over one clip at a time."""

    def __init__(self) -> None:
        self._decoder: Any = acoustic_decoder(
            beam=1e-120,
            wbeam=1e-100,
            pbeam=1e-120,
            bestpath=False,
            cmn="batch",
            # The model's own feat.params turns noise tracking on, which carries over from one
            # utterance to the next; this copy has it off, so a clip's score is its own.
            featparams=os.path.join(os.path.dirname(__file__), "feat.params"),
        )
        self._decoder.add_allphone_file("loop", None)
        self._logmath = self._decoder.logmath
        # Every pass starts from the model's initial cepstral mean, not the last clip's.
        self._cmn_start = str(self._decoder.get_cmn())
        self._guessed: set[str] = set()
        self._loops: OrderedDict[bytes, np.ndarray] = OrderedDict()
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

    def align(self, pcm: bytes, tokens: list[Token]) -> tuple[list[Span], list[Span]]:
        """Aligned spans of every token, and of the pauses before, between and after them
        (`token` = the token after the pause, len(tokens) at the end); AlignError if the text
        cannot be fitted to the audio.

        When the whole text cannot be fitted (more words than the audio has room for), a pass
        with every word optional finds the words the audio holds; the rest come back as
        `skipped` spans of no length, and the kept words are aligned as usual.
        """
        guessed = self.prepare(tokens)
        kept = list(range(len(tokens)))
        try:
            alignment = self._strict(pcm, [t.text for t in tokens])
        except AlignError:
            kept = self._optional(pcm, tokens)
            if not kept:
                raise
            alignment = self._strict(pcm, [tokens[i].text for i in kept])
        n_frames = int(self._decoder.n_frames())
        loop = self._phone_loop(pcm, n_frames)
        spans: list[Span] = []
        gaps: list[Span] = []
        for w in alignment.words():
            a, b, score = int(w.start), int(w.start) + int(w.duration), float(w.score)
            if str(w.name).startswith(_FILLERS):
                gaps.append(Span(len(spans), a, b, score, float(loop[a:b].sum()), False))
                continue
            if len(spans) >= len(tokens) or not kept:
                raise AlignError("the aligner lost words")
            index = kept.pop(0)
            while len(spans) < index:  # words the audio had no room for
                spans.append(Span(len(spans), a, a, 0.0, 0.0, guessed[len(spans)], True))
            spans.append(Span(index, a, b, score, float(loop[a:b].sum()), guessed[index]))
        end = spans[-1].end if spans else 0
        while len(spans) < len(tokens):
            spans.append(Span(len(spans), end, end, 0.0, 0.0, guessed[len(spans)], True))
        return spans, gaps

    def _strict(self, pcm: bytes, words: list[str]) -> Any:
        """Word then phone alignment of exactly `words`; AlignError if they do not fit."""
        d = self._decoder
        try:
            d.set_align_text(" ".join(words))
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
        return alignment

    def _optional(self, pcm: bytes, tokens: list[Token]) -> list[int]:
        """Indexes of the tokens the audio holds, by a pass where each word may be left out."""
        d = self._decoder
        rule = " ".join(f"[ {t.text} ]" for t in tokens)
        try:
            d.add_jsgf_string("optional", f"#JSGF V1.0;\ngrammar check;\npublic <s> = {rule} ;\n")
            d.activate_search("optional")
            self._decode(pcm)
            found = [str(s.word).split("(")[0] for s in d.seg()]
        except RuntimeError:
            return []
        kept: list[int] = []
        for word in found:
            for k in range(kept[-1] + 1 if kept else 0, len(tokens)):
                if tokens[k].text == word:
                    kept.append(k)
                    break
        return kept

    def _decode(self, pcm: bytes) -> None:
        d = self._decoder
        d.set_cmn(self._cmn_start)
        d.start_utt()
        d.process_raw(pcm, full_utt=True)
        d.end_utt()

    def _phone_loop(self, pcm: bytes, n_frames: int) -> np.ndarray:
        """Per-frame acoustic score of the best free phone sequence.

        It depends on the audio alone, so it is kept for the last few clips: while an
        annotator edits, each re-check costs only the two alignment passes.
        """
        key = hashlib.blake2b(pcm, digest_size=16).digest()
        cached = self._loops.get(key)
        if cached is not None:
            self._loops.move_to_end(key)
            return cached
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
        self._loops[key] = per_frame
        while len(self._loops) > LOOP_CACHE:
            self._loops.popitem(last=False)
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
