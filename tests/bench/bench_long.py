"""Long-clip figures: long_clip_first_sound_ms and long_clip_rss_mb (targets 100 ms, 250 MB).

A 29-minute 48 kHz stereo FLAC (speech-like: a gliding voice with syllable and pause rhythm,
so it compresses and decodes like speech) is built once and kept in the user's cache folder.
Each measurement runs in a fresh child process, the way the annotator meets a clip it has not
prefetched: open it, ask for its waveform, load it into a player and play, timed to the first
real frame the output pulls. The child then plays a minute from the start and a minute from
the middle at 1.5x, waits for the streaming waveform pass, and reports its own memory
high-water mark (VmHWM in /proc/self/status), never the benchmark's.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
MINUTES = 29
RATE = 48_000


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "earmark-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def long_flac(minutes: float = MINUTES) -> Path:
    import soundfile as sf

    path = cache_dir() / f"long-{minutes:g}min-{RATE}-stereo-v1.flac"
    if path.exists():
        return path
    tmp = path.with_suffix(".part")
    step = RATE * 10
    total = int(minutes * 60 * RATE)
    with sf.SoundFile(tmp, "w", RATE, 2, format="FLAC", subtype="PCM_16") as f:
        for at in range(0, total, step):
            n = min(step, total - at)
            t = (np.arange(n) + at) / RATE
            f0 = 120 + 30 * np.sin(2 * np.pi * 0.3 * t)
            phase = 2 * np.pi * np.cumsum(f0) / RATE + at
            voice = sum(np.sin(k * phase) / k for k in range(1, 10))
            env = (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)) * (np.sin(2 * np.pi * 0.2 * t) > -0.3)
            y = (0.2 * voice * env).astype(np.float32)
            f.write(np.stack([y, 0.9 * y], axis=1))
    tmp.rename(path)
    return path


CHILD = r"""
import json, sys, time
from earmark.audio.outputs import NullOutput
from earmark.audio.player import Player
from earmark.audio.prefetch import Prefetcher
import soundfile  # loaded at startup in the annotator too

path = sys.argv[1]
out = NullOutput(paced=False)
player = Player(out)
pf = Prefetcher()
t0 = time.perf_counter()
clip = pf.get(path)
clip.waveform(80)
player.load(clip.samples, clip.samplerate, gain=clip.gain)
player.play()
while out.pull(480) == 0:
    pass
first = time.perf_counter() - t0
t1 = time.perf_counter()
for _ in range(100):
    out.pull(480 * 10)  # a minute from the start
player.seek(clip.duration / 2)
player.speed = 1.5
for _ in range(100):
    out.pull(480 * 10)  # a minute from the middle, faster
play_rtf = (time.perf_counter() - t1) / 120.0
clip.summary.done.wait(300)
summary_s = time.perf_counter() - t0
hwm = 0.0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        hwm = int(line.split()[1]) / 1024
print(json.dumps({"first_ms": first * 1000, "rss_mb": hwm, "summary_s": summary_s,
                  "play_rtf": play_rtf, "streamed": clip.streamed}))
"""


def figures(quick: bool) -> dict[str, float]:
    path = long_flac()
    runs = []
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tui"))
    for _ in range(2 if quick else 5):
        r = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
        if r.returncode != 0:
            raise RuntimeError(r.stderr.strip().splitlines()[-1])
        runs.append(json.loads(r.stdout))
    assert all(run["streamed"] for run in runs)
    return {
        "long_clip_first_sound_ms": round(statistics.median(r["first_ms"] for r in runs), 1),
        "long_clip_first_sound_ms_max": round(max(r["first_ms"] for r in runs), 1),
        "long_clip_rss_mb": round(max(r["rss_mb"] for r in runs), 1),
        "long_clip_waveform_s": round(statistics.median(r["summary_s"] for r in runs), 2),
        "long_clip_play_rtf": round(statistics.median(r["play_rtf"] for r in runs), 4),
    }


if __name__ == "__main__":
    print(json.dumps(figures("--quick" in sys.argv)))
