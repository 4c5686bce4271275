"""Maintainer tool: build the keystroke-benchmark sets from real recogniser errors.

    .venv/bin/pip install pocketsphinx      # plus apt: espeak-ng sox
    .venv/bin/python tests/bench/ksr_sets/make_sets.py [prose]

Writes, per set, `<set>.jsonl` (a manifest: id, audio path, the recogniser's guess and its
n-best alternatives) and `<set>_references.json` (id -> true transcript), and the synthetic
clips under `audio/` as FLAC (4 MB, committed): the benchmark's second listen decodes them
again, and a rerun of this script does not give the same guesses back (one decoder carries
its state from clip to clip, and espeak-ng's voices change between its releases), so the
audio a guess was made from is kept with it. Every guess is PocketSphinx's real output on
the audio.

Sets:
- `espeak_dev`, `espeak_heldout`: voice-assistant requests (none of them in demo_data),
  spoken by espeak-ng voices, every fourth request repeated by another voice (assistant
  traffic repeats itself). Requests are split between the two sets by a hash of their
  text, so the held-out set shares no request with the development one. Rank and tune on
  `espeak_dev` and the demo only; `espeak_heldout` is for the final figure.
- `espeak_prose_dev`: sentences of narrative prose in the manner of a nineteenth-century
  novel (written for this set, none from realdata), spoken by the same voices: long
  sentences and rarer words, like the LibriVox readings, to develop against without
  looking at them.
- `realdata_heldout`: the real human speech in ../shared/realdata (LibriVox readings and
  card names), decoded afresh (the shipped .json output is aligned to the reference).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
REALDATA = HERE.parents[3] / "shared" / "realdata"
SR = 16_000
VOICES = [("en-us+klatt2", 150), ("en-us+klatt", 140), ("en-us+klatt4", 160), ("en-gb", 150)]

REQUESTS = """\
turn on the living room lights
turn off the living room lights
what time is it
play some jazz music
set an alarm for seven in the morning
what is the weather in london
add eggs to my shopping list
call my sister
how tall is mount everest
remind me to call the doctor tomorrow
play the latest episode of my podcast
turn the volume down
what is on my schedule for tomorrow
set a timer for twenty minutes
how many ounces are in a cup
open the garage door
lock the front door
what is the capital of australia
play relaxing music in the bedroom
read me the news
stop the alarm
cancel my timer
what is two hundred divided by eight
add bananas and bread to the grocery list
turn the heating up to twenty two degrees
play my morning playlist on spotify
who won the football game last night
how do you make pancakes
show me the back garden camera
pause the music
resume the music
next song
skip to the next track
what song is this
turn on the kitchen lights
dim the living room lights to fifty percent
set a reminder to take my medicine at nine
call the pharmacy
what is the traffic like on the way to work
order more paper towels
tell me a fun fact
wake me up at six thirty
how far is the moon from the earth
play the radio
what movies are playing tonight
send a message to my brother saying i will be late
turn off all the lights
is it going to rain tomorrow
what is the temperature outside
play children's songs
""".strip().splitlines()


PROSE = """\
the carriage stopped at the gate and her aunt stepped down into the lane
he had not expected to find the house so quiet after so many years abroad
my sister was always the more sensible of us and she never let me forget it
they walked together through the orchard until the light began to fail
it was a cold morning and the servants had already lit the fire in the parlour
she wrote to her mother every week but the letters were seldom answered
the old gentleman was fond of his garden and spoke of little else at dinner
nobody in the village could remember when the mill had last been used
her brother had promised to return before the end of the summer
the doctor advised a change of air and a long rest by the sea
we were told that the estate would pass to a distant cousin
his manners were agreeable though his opinions were often rather severe
the young ladies spent the whole afternoon discussing the ball
i cannot pretend to be indifferent to what the neighbours say
the rain continued for three days and the road became impassable
he confessed that he had been mistaken in his judgement of her character
a letter arrived from london with news of the most surprising kind
the colonel was a man of few words but great kindness
she had never seen a finer view than the one from the top of the hill
their fortune was small but they lived in comfort and were content
the housekeeper showed them every room except the library
after breakfast the whole party set out on foot for the church
it would be impossible to describe the happiness of that evening
my father considered the matter carefully before he gave his consent
the house was let to a family from the north who kept very much to themselves
she could not help smiling at the earnestness of his reply
the children were sent to bed early so that the adults might talk
he was obliged to leave the next morning on urgent business
her cousin had a talent for music and played the piano every evening
the ship was delayed by storms and did not reach the harbour until march
""".strip().splitlines()


def synthesise(text: str, voice: str, speed: int, path: Path) -> np.ndarray:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    pcm = subprocess.run(
        ["sox", "-t", "wav", "-", "-t", "wav", "-r", str(SR), "-c", "1", "-b", "16", "-"]
        + ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]
        + ["pad", "0.15", "0.2"],
        input=wav,
        capture_output=True,
        check=True,
    ).stdout
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = read_wav(io.BytesIO(pcm))
    sf.write(path, samples, SR, subtype="PCM_16", format="FLAC")
    return samples


def read_wav(src: io.BytesIO | Path) -> np.ndarray:
    with wave.open(str(src) if isinstance(src, Path) else src) as w:
        assert w.getframerate() == SR and w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def recognise(decoder, pcm: np.ndarray) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    text = " ".join(hyp.hypstr.split()) if hyp else ""
    alts: list[str] = []
    for i, nb in enumerate(decoder.nbest()):
        if i > 30 or len(alts) >= 2:
            break
        s = " ".join(nb.hypstr.split())
        if s and s != text and s not in alts:
            alts.append(s)
    return text, alts


def row(cid: str, audio: str, guess: str, alts: list[str]) -> str:
    asr: dict[str, object] = {"text": guess}
    if alts:
        asr["alternatives"] = alts
    return json.dumps({"audio": audio, "id": cid, "asr": asr, "review_allowed": True})


def write(name: str, rows: list[str], refs: dict[str, str]) -> None:
    (HERE / f"{name}.jsonl").write_text("\n".join(rows) + "\n")
    (HERE / f"{name}_references.json").write_text(json.dumps(refs, indent=1) + "\n")
    print(f"{name}: {len(rows)} clips", file=sys.stderr)


def prose(decoder) -> None:  # type: ignore[no-untyped-def]
    rows, refs = [], {}
    for k, text in enumerate(PROSE):
        voice, speed = VOICES[k % len(VOICES)]
        audio = f"audio/prose-{k + 1:03d}.flac"
        guess, alts = recognise(decoder, synthesise(text, voice, speed, HERE / audio))
        cid = f"pr-{k + 1:03d}"
        rows.append(row(cid, audio, guess, alts))
        refs[cid] = text
    write("espeak_prose_dev", rows, refs)


def main() -> int:
    from pocketsphinx import Decoder

    decoder = Decoder(loglevel="FATAL")
    if sys.argv[1:] == ["prose"]:  # only the prose set (added after the others)
        prose(decoder)
        return 0
    prose(decoder)
    sets: dict[str, tuple[list[str], dict[str, str]]] = {
        "espeak_dev": ([], {}),
        "espeak_heldout": ([], {}),
    }
    n = 0
    for k, text in enumerate(REQUESTS):
        held = hashlib.sha256(text.encode()).digest()[0] % 2 == 0
        rows, refs = sets["espeak_heldout" if held else "espeak_dev"]
        for take in range(2 if k % 4 == 0 else 1):
            n += 1
            voice, speed = VOICES[(k + take) % len(VOICES)]
            audio = f"audio/{n:03d}.flac"
            pcm = synthesise(text, voice, speed, HERE / audio)
            guess, alts = recognise(decoder, pcm)
            cid = f"es-{n:03d}"
            rows.append(row(cid, audio, guess, alts))
            refs[cid] = text
    for name, (rows, refs) in sets.items():
        write(name, rows, refs)

    rows, refs = [], {}
    for txt in sorted((REALDATA / "librivox").glob("*.txt")):
        wav = txt.with_suffix(".wav")
        guess, alts = recognise(decoder, read_wav(wav))
        rows.append(row(txt.stem, os.path.relpath(wav, HERE), guess, alts))
        refs[txt.stem] = " ".join(txt.read_text().lower().split())
    for line in (REALDATA / "cards" / "cards.transcription").read_text().splitlines():
        words = line.split()
        if not words:
            continue
        cid = words[-1].strip("()")
        wav = REALDATA / "cards" / f"{cid}.wav"
        guess, alts = recognise(decoder, read_wav(wav))
        rows.append(row(f"cards-{cid}", os.path.relpath(wav, HERE), guess, alts))
        refs[f"cards-{cid}"] = " ".join(w for w in words[:-1] if w not in ("<s>", "</s>"))
    write("realdata_heldout", rows, refs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
