"""Acoustic check figures: check_recall, check_false_alarm (real and synthetic, held-out
clips), check_ms_p95 (text to marks on a 5-second real clip), and the machine load.

Data and corruptions are described in check_data.py. Every clip gets its true transcript
once (false alarms on correct text) and a number of one-word corruptions (seeded by the
clip's name, so runs repeat). A corruption the aligner cannot fit at all counts as missed
(the annotator sees "cannot be fitted", not a mark) and is counted in check_align_failures_*.
The decision rule (earmark.align.scoring.Params) was chosen on the development half
(figures with the _dev suffix) and is fixed; the unsuffixed figures are held out.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tui"))
sys.path.insert(0, str(HERE))

import check_data as cd  # noqa: E402

from earmark.align import available, check_transcript  # noqa: E402


def _trials(clips: list[cd.Clip], per_clip: int, cor: cd.Corruptor) -> dict[str, float]:
    caught = corrupted = alarms = correct = failures = 0
    for clip in clips:
        rng = random.Random(clip.name)
        words = clip.text.split()
        cases = [(words, "clean", -1)] + [cor.corrupt(words, rng) for _ in range(per_clip)]
        for typed, kind, index in cases:
            result = check_transcript(clip.samples, clip.samplerate, " ".join(typed))
            if result.reason is not None:
                failures += 1
                corrupted += kind != "clean"
                continue
            marked = {w.index for w in result.words if w.marked}
            if kind == "clean":
                alarms += len(marked)
                correct += len(typed)
                continue
            hit, fa, ok = cd.judge(marked, len(typed), kind, index)
            caught += hit
            corrupted += 1
            alarms += fa
            correct += ok
    return {
        "recall": round(caught / max(corrupted, 1), 3),
        "false_alarm": round(alarms / max(correct, 1), 3),
        "trials": corrupted,
        "words": correct,
        "align_failures": failures,
        "clips": len(clips),
    }


def _latency(quick: bool) -> dict[str, float]:
    """p95 ms of check_transcript on 5.3 s of real speech (LibriVox 0890).

    check_ms_p95: a re-check after an edit (the annotator's case: same clip, text changed);
    check_first_ms_p95: the first check of a clip (the audio-only phone loop included).
    Each as wall time (what the annotator waits) and the thread's CPU time (what it costs on
    a quiet machine; on a loaded one wall time includes waiting for a core).
    """
    clips = {c.name: c for c in cd.real_clips()}
    clip = next(c for name, c in clips.items() if name.endswith("-0890"))
    samples, rate, text = clip.samples, clip.samplerate, clip.text
    check_transcript(samples, rate, text)  # the model loads once per process, not per check
    rng = random.Random(5)
    cor = cd.Corruptor()
    out: dict[str, float] = {"check_latency_clip_s": round(len(samples) / rate, 2)}
    for name, fresh_audio in (("check", False), ("check_first", True)):
        wall, cpu = [], []
        for k in range(8 if quick else 30):
            typed, _kind, _i = cor.corrupt(text.split(), rng)
            audio = samples * (1.0 + 1e-4 * (k + 1)) if fresh_audio else samples
            started, started_cpu = time.perf_counter(), time.thread_time()
            check_transcript(audio, rate, " ".join(typed))
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        out[f"{name}_ms_p95"] = round(float(np.percentile(wall, 95)), 1)
        out[f"{name}_cpu_ms_p95"] = round(float(np.percentile(cpu, 95)), 1)
    return out


def figures(quick: bool) -> dict[str, float]:
    ok, why = available()
    if not ok:
        raise RuntimeError(why)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    check_transcript(np.zeros(16000, np.float32), 16000, "warm")
    out: dict[str, float] = {"check_model_load_ms": round((time.perf_counter() - started) * 1000)}
    cor = cd.Corruptor()
    for label, clips, per_clip in (
        ("real", cd.real_clips(), 6 if quick else 16),
        ("synth", cd.synthetic_clips(), 2 if quick else 5),
    ):
        dev, held = cd.split(clips)
        for suffix, part in (("", held), ("_dev", dev)):
            for key, value in _trials(part, per_clip, cor).items():
                out[f"check_{key}_{label}{suffix}"] = value
    out.update(_latency(quick))
    out["check_load_1m_before"] = round(load_before, 2)
    out["check_load_1m_after"] = round(os.getloadavg()[0], 2)
    out["check_cpus"] = os.cpu_count() or 0
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(figures("--quick" in sys.argv), indent=1, sort_keys=True))
