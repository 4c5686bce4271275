"""Maintainer tool: regenerate demo_data/ (clips/*.flac, manifest.jsonl, lexicon.txt).

Users never run this; `earmark demo` uses the committed files. It needs, at development
time only, `espeak-ng` and `sox` (apt) and `pocketsphinx` (pip; deliberately not a project
dependency):

    .venv/bin/pip install pocketsphinx
    .venv/bin/python demo_data/make_demo.py

Each utterance is synthesised with espeak-ng (a formant voice the recogniser copes with),
resampled to 16 kHz mono, trimmed, and quantised to 11 significant bits so FLAC stays small
(the demo folder is a few hundred KB). The ASR guess, word timings, confidences and
n-best alternatives come from actually running PocketSphinx on that audio, so the guesses'
errors are a real recogniser's errors. The reference text below is used only to pick a
voice the recogniser does not mangle completely; it is not written to the manifest
(transcribing is the annotator's job).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tui.manifest import words_from_pocketsphinx  # noqa: E402
from tui.wer import wer  # noqa: E402

SR = 16_000
BITS = 11
VOICES = [("en-us+klatt2", 150), ("en-us+klatt", 140), ("en-us+klatt4", 160), ("en-us+klatt3", 145)]

# (slug, what is said, manifest extras). Numbers are fake; people are invented.
UTTERANCES = [
    ("play-despacito", "alexa play despacito by luis fonsi", {"alternatives": True}),
    ("timer", "set a timer for ten minutes", {}),
    ("weather", "what's the weather like tomorrow morning", {}),
    ("kitchen-lights", "turn off the kitchen lights", {"plain": True}),
    (
        "shopping",
        "add oat milk to my shopping list",
        {"fields": {"account_id": "A1B2C3D4", "first_name": "Maria", "device_id": "G090LF0912"}},
    ),
    (
        "call-mum",
        "call mum on speaker",
        {
            "fields": {
                "account_id": "Q7W8E9R0",
                "first_name": "Tomasz",
                "location": "51.5072,-0.1276",
            }
        },
    ),
    ("skip", "skip this song", {"plain": True}),
    ("remind-plants", "remind me to water the plants at six p m", {"alternatives": True}),
    ("news", "play the news on fire tv", {}),
    (
        "card-details",
        "pay my credit card bill the card number is four five five six "
        "seven three seven five eight six eight nine nine eight five five",
        {"fields": {"account_id": "Z5X6C7V8", "device_id": "G0W0K3P2"}},
    ),
    ("help", "help me please call an ambulance my dad has fallen and he is not answering", {}),
    ("thermostat", "set the thermostat to twenty one degrees", {"alternatives": True}),
    ("calendar", "what's on my calendar today", {}),
    ("coffee", "order more coffee pods", {"plain": True}),
    ("stop", "stop", {}),
    ("volume", "volume up", {}),
    ("joke", "tell me a joke", {"alternatives": True}),
    ("dim-bedroom", "dim the bedroom lights to thirty percent", {}),
    ("spell", "how do you spell necessary", {"plain": True}),
    ("doorbell", "echo show me the front door camera", {"fields": {"device_id": "G0A1S2D3F4"}}),
    ("tv-background", "and now the weather for the weekend", {}),
    ("workout", "play my workout playlist on spotify", {"review_allowed": False}),
]

LEXICON = [
    "Alexa",
    "Echo",
    "Echo Show",
    "Echo Dot",
    "Fire TV",
    "Despacito",
    "Luis Fonsi",
    "Spotify",
    "oat milk",
    "thermostat",
    "coffee pods",
    "playlist",
]


def synthesise(text: str, voice: str, speed: int) -> np.ndarray:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    pcm = subprocess.run(
        [
            "sox",
            "-t",
            "wav",
            "-",
            "-t",
            "wav",
            "-r",
            str(SR),
            "-c",
            "1",
            "-b",
            "16",
            "-",
            "silence",
            "1",
            "0.02",
            "0.5%",
            "reverse",
            "silence",
            "1",
            "0.02",
            "0.5%",
            "reverse",
            "pad",
            "0.15",
            "0.2",
        ],
        input=wav,
        capture_output=True,
        check=True,
    ).stdout
    x, sr = sf.read(io.BytesIO(pcm), dtype="int16")
    assert sr == SR
    step = 1 << (16 - BITS)
    return (np.round(x.astype(np.int32) / step) * step).clip(-32768, 32767).astype(np.int16)


def recognise(decoder, pcm: np.ndarray) -> tuple[str, list[dict], list[str]]:
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    text = hyp.hypstr if hyp else ""
    frate = 100.0
    # PocketSphinx's own JSON shape, then the same cleaning the importer applies.
    raw = {
        "t": text,
        "w": [
            {
                "t": s.word,
                "b": s.start_frame / frate,
                "d": (s.end_frame + 1 - s.start_frame) / frate,
                "p": min(1.0, max(0.0, float(s.prob))),
            }
            for s in decoder.seg()
        ],
    }
    words = words_from_pocketsphinx(raw)
    alts: list[str] = []
    for i, nb in enumerate(decoder.nbest()):
        if i > 30 or len(alts) >= 2:
            break
        s = " ".join(nb.hypstr.split())
        if s and s != text and s not in alts:
            alts.append(s)
    return text, words, alts


def main() -> int:
    from pocketsphinx import Decoder

    decoder = Decoder(loglevel="FATAL")
    clips = HERE / "clips"
    clips.mkdir(exist_ok=True)
    for old in clips.glob("*.flac"):
        old.unlink()
    lines = []
    for n, (slug, text, extra) in enumerate(UTTERANCES, 1):
        best = None
        for k in range(len(VOICES)):
            voice, speed = VOICES[(n + k) % len(VOICES)]
            pcm = synthesise(text, voice, speed)
            guess, words, alts = recognise(decoder, pcm)
            err = wer(text, guess)
            if best is None or err < best[0]:
                best = (err, pcm, guess, words, alts, voice)
            if err <= 0.5:
                break
        err, pcm, guess, words, alts, voice = best
        name = f"clips/{n:02d}-{slug}.flac"
        sf.write(HERE / name, pcm, SR, subtype="PCM_16", format="FLAC", compression_level=1.0)
        row: dict = {"audio": name, "id": f"va-2026-11-{n:04d}"}
        if extra.get("plain"):
            row["asr"] = guess
        else:
            asr: dict = {"text": guess, "words": words}
            if extra.get("alternatives") and alts:
                asr["alternatives"] = alts
            row["asr"] = asr
        row["review_allowed"] = extra.get("review_allowed", True)
        row.update(extra.get("fields", {}))
        lines.append(json.dumps(row))
        print(f"{name:34} {voice:14} wer {err:4.2f}  {guess!r}", file=sys.stderr)
    (HERE / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    (HERE / "lexicon.txt").write_text(
        "# Domain terms offered as suggestions while correcting (one per line).\n"
        + "\n".join(LEXICON)
        + "\n"
    )
    total = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
    print(f"demo_data: {len(lines)} clips, {total / 1024:.0f} KB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
