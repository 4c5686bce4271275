"""Clips with known transcripts for the acoustic-check benchmark, and the corruptions.

Real speech: ../shared/realdata (five LibriVox clips, five card-name recordings). Synthetic:
the demo's clips (espeak-ng; their true text is in demo_data/make_demo.py) and sentences
synthesised here with several espeak-ng voices. Each set is split once, by clip name, into
a development half (where the threshold was chosen) and a held-out half (the reported
figures).

A trial corrupts one word of a true transcript: a substitution (half of them by a
near-homophone, a common word whose CMU pronunciation differs by one phone), an insertion of
a common word, or a deletion. A substituted or inserted word is caught when it is marked, a
deletion when a word next to the gap is marked.
"""

from __future__ import annotations

import ast
import hashlib
import io
import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
REALDATA = ROOT.parent / "shared" / "realdata"
VOICES = ["en-us", "en-us+klatt2", "en-gb", "en-us+m3", "en-us+f2"]
SENTENCES = [
    "please remind me to buy bread and butter on the way home",
    "what time does the train to london leave tomorrow",
    "turn the heating down by two degrees",
    "send a message to my brother saying i will be late",
    "how far is it from paris to berlin by car",
    "play some quiet music in the living room",
    "read me the latest headlines about the election",
    "wake me up at half past seven every weekday",
    "is it going to rain this afternoon",
    "add eggs flour and sugar to the shopping list",
    "call the doctor and book an appointment for friday",
    "how many ounces are there in a pound",
    "open the garage door and switch on the porch light",
    "translate good morning into spanish",
    "what is the capital of australia",
    "start a five minute timer for the pasta",
    "show me pictures of the beach from last summer",
    "who won the football match last night",
    "lock the front door and close the blinds",
    "tell me a story about a brave little mouse",
]


@dataclass(frozen=True)
class Clip:
    name: str
    samples: np.ndarray
    samplerate: int
    text: str


def real_clips() -> list[Clip]:
    out = []
    for wav in sorted((REALDATA / "librivox").glob("*.wav")):
        x, sr = sf.read(wav, dtype="float32")
        out.append(Clip(wav.stem, x, sr, " ".join(wav.with_suffix(".txt").read_text().split())))
    cards = REALDATA / "cards"
    for line in (cards / "cards.transcription").read_text().splitlines():
        words = [w for w in line.split() if w not in ("<s>", "</s>")]
        if not words:
            continue
        ident = words.pop().strip("()")
        x, sr = sf.read(cards / f"{ident}.wav", dtype="float32")
        out.append(Clip(f"cards-{ident}", x, sr, " ".join(words)))
    return out


def _synth(text: str, voice: str) -> tuple[np.ndarray, int]:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "150", "--stdout", text], capture_output=True, check=True
    ).stdout
    x, sr = sf.read(io.BytesIO(wav), dtype="float32")
    return x, int(sr)


def demo_texts() -> dict[str, str]:
    """slug -> true text of the demo's clips, read from make_demo.py without running it."""
    tree = ast.parse((ROOT / "demo_data" / "make_demo.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "UTTERANCES":
            return {slug: text for slug, text, _extra in ast.literal_eval(node.value)}
    return {}


def synthetic_clips() -> list[Clip]:
    if shutil.which("espeak-ng") is None:
        return []
    out = []
    for path in sorted((ROOT / "demo_data" / "clips").glob("*.flac")):
        text = demo_texts().get(path.stem.split("-", 1)[1])
        if text and len(text.split()) >= 2:
            x, sr = sf.read(path, dtype="float32")
            out.append(Clip(f"demo-{path.stem}", x, sr, text))
    for k, text in enumerate(SENTENCES):
        voice = VOICES[k % len(VOICES)]
        x, sr = _synth(text, voice)
        out.append(Clip(f"synth-{k:02d}-{voice}", x, sr, text))
    return out


def split(clips: list[Clip]) -> tuple[list[Clip], list[Clip]]:
    """(development, held-out), by a hash of the clip's name: stable, not chosen by hand."""
    dev, held = [], []
    for c in clips:
        (dev if hashlib.sha256(c.name.encode()).digest()[0] % 2 == 0 else held).append(c)
    return dev, held


def _dictionary() -> dict[str, tuple[str, ...]]:
    import pocketsphinx

    path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    out: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if parts and "(" not in parts[0]:
            out[parts[0]] = tuple(parts[1:])
    return out


class Corruptor:
    """Random one-word corruptions of a transcript, reproducible from a seed."""

    def __init__(self) -> None:
        import wordfreq

        pron = _dictionary()
        common = [w for w in wordfreq.top_n_list("en", 8000) if w.isalpha() and w in pron]
        self.common = common
        self._near: dict[tuple[str, ...], list[str]] = {}
        for w in common:
            p = pron[w]
            for i in range(len(p)):
                self._near.setdefault(p[:i] + ("*",) + p[i + 1 :], []).append(w)
        self._pron = pron

    def near_homophones(self, word: str) -> list[str]:
        p = self._pron.get(word)
        if p is None:
            return []
        found = set()
        for i in range(len(p)):
            found.update(self._near.get(p[:i] + ("*",) + p[i + 1 :], []))
        found.discard(word)
        return sorted(w for w in found if self._pron[w] != p)

    def corrupt(self, words: list[str], rng: random.Random) -> tuple[list[str], str, int]:
        """(typed words, kind, index): the corrupted word's index (for a deletion, the gap's)."""
        kinds = ["substitute", "insert"] + (["delete"] if len(words) >= 2 else [])
        kind = rng.choice(kinds)
        i = rng.randrange(len(words))
        if kind == "substitute":
            near = self.near_homophones(words[i]) if rng.random() < 0.5 else []
            pool = near or [w for w in self.common[:3000] if w != words[i]]
            return words[:i] + [rng.choice(pool)] + words[i + 1 :], kind, i
        if kind == "insert":
            j = rng.randrange(len(words) + 1)
            return words[:j] + [rng.choice(self.common[:3000])] + words[j:], kind, j
        return words[:i] + words[i + 1 :], kind, i


def judge(marked: set[int], n_typed: int, kind: str, index: int) -> tuple[bool, int, int]:
    """(caught, false alarms, correct words) for one trial's marks."""
    gap = {index - 1, index} & set(range(n_typed))
    suspects = gap if kind == "delete" else {index}
    caught = bool(marked & suspects)
    correct = [k for k in range(n_typed) if k not in suspects]
    return caught, sum(1 for k in correct if k in marked), len(correct)
