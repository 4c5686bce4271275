"""Clips of known speech, synthesised with espeak-ng (installed here and in CI), and a
manifest of them that came without any guess: for the acoustic check and `earmark asr`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng)",
)
needs_pocketsphinx = pytest.mark.skipif(
    __import__("importlib").util.find_spec("pocketsphinx") is None,
    reason="pocketsphinx is not installed (pip install -e '.[align]')",
)

SENTENCES = (
    "turn off the kitchen lights please",
    "set a timer for ten minutes",
    "what is the weather like tomorrow morning",
)


def synth(path: Path, text: str) -> Path:
    """A WAV file of espeak-ng saying `text` (22.05 kHz mono)."""
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
    return path


def speech_manifest(folder: Path, sentences: tuple[str, ...] = SENTENCES) -> Path:
    """`manifest.jsonl` of synthesised clips with no `asr`: only the audio and an id."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, text in enumerate(sentences):
        synth(folder / f"s{i}.wav", text)
        rows.append({"audio": f"s{i}.wav", "id": f"speech-{i}"})
    path = folder / "manifest.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path
