"""Audio figures: stretch_rtf, waveform_ms, next_clip_ready_ms (plus decode times for context).

Real speech from ../shared/realdata/librivox, repeated to 30 s; a synthetic voice-like signal
(harmonics of a gliding 120 Hz fundamental, syllable-rate envelope) when that is absent.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tui"))
LIBRIVOX = ROOT.parent / "shared" / "realdata" / "librivox"
SECONDS = 30


def speech_30s() -> tuple[np.ndarray, int, str]:
    import soundfile as sf

    files = sorted(LIBRIVOX.glob("*.wav"))
    if files:
        parts, sr = [], None
        for f in files:
            data, sr = sf.read(f, dtype="float32", always_2d=True)
            parts.append(data[:, :1])
        x = np.concatenate(parts)
        x = np.tile(x, (SECONDS * sr // len(x) + 1, 1))[: SECONDS * sr]
        return np.ascontiguousarray(x), sr, "librivox"
    sr = 16_000
    t = np.arange(SECONDS * sr) / sr
    f0 = 120 + 30 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 12))
    env = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    return (0.2 * voice * env).astype(np.float32)[:, None], sr, "synthetic"


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def figures(quick: bool) -> dict[str, float]:
    from earmark.audio.prefetch import Prefetcher
    from earmark.audio.stretch import Stretcher, time_stretch
    from earmark.audio.waveform import summarize

    x, sr, source = speech_30s()
    reps = 2 if quick else 5
    out: dict[str, float] = {}

    def stream():  # as the player uses it: 1024-frame blocks
        st = Stretcher(x, sr)
        while not st.done:
            st.read(1024, 1.5)

    best, _ = best_of(stream, reps)
    out["stretch_rtf"] = round(SECONDS / best, 1)
    best, _ = best_of(lambda: time_stretch(x, sr, 1.5), reps)
    out["time_stretch_rtf"] = round(SECONDS / best, 1)
    stereo48 = np.repeat(
        np.interp(np.arange(SECONDS * 48_000) / 3, np.arange(len(x)), x[:, 0]).astype(np.float32)[
            :, None
        ],
        2,
        axis=1,
    )
    best, _ = best_of(lambda: time_stretch(stereo48, 48_000, 1.5), 1 if quick else 3)
    out["stretch_rtf_48k_stereo"] = round(SECONDS / best, 1)

    _, med = best_of(lambda: summarize(x, 200), 20 if quick else 200)
    out["waveform_ms"] = round(med * 1000, 3)
    _, med = best_of(lambda: summarize(stereo48, 200), 5 if quick else 30)
    out["waveform_48k_stereo_ms"] = round(med * 1000, 3)

    import soundfile as sf

    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i in range(4):
            p = Path(d) / f"clip{i}.flac"
            sf.write(p, x * (0.5 + 0.1 * i), sr, subtype="PCM_16")
            paths.append(p)
        mp3 = Path(d) / "clip.mp3"
        sf.write(mp3, x, sr, format="MP3")
        from earmark.audio.decode import load

        best, _ = best_of(lambda: load(paths[0]), reps)
        out["decode_flac_30s_ms"] = round(best * 1000, 1)
        best, _ = best_of(lambda: load(mp3), reps)
        out["decode_mp3_30s_ms"] = round(best * 1000, 1)

        times = []
        with Prefetcher() as pf:  # no precomputed waveform: it is part of what is timed
            for p in paths:
                pf.prefetch(p)
                while not pf.cached(p):
                    time.sleep(0.005)
                t0 = time.perf_counter()
                clip = pf.get(p)
                clip.waveform(200)
                times.append(time.perf_counter() - t0)
        out["next_clip_ready_ms"] = round(statistics.median(times) * 1000, 3)
    out["audio_bench_source_is_real_speech"] = 1.0 if source == "librivox" else 0.0
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(figures("--quick" in sys.argv), indent=1))
