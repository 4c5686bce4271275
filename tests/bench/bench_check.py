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


def _latency(quick: bool) -> tuple[float, float, float]:
    """p95 ms of check_transcript on 5.3 s of real speech (LibriVox 0890), the text edited
    between calls: wall time (what the annotator waits) and the thread's CPU time (what it
    costs on a quiet machine; on a loaded one wall time includes waiting for a core)."""
    clips = {c.name: c for c in cd.real_clips()}
    parts = [clips[n] for n in clips if n.endswith("-0890")]
    samples = np.concatenate([p.samples for p in parts])
    text = " ".join(p.text for p in parts)
    rate = parts[0].samplerate
    check_transcript(samples, rate, text)  # the model loads once per process, not per check
    rng = random.Random(5)
    cor = cd.Corruptor()
    wall, cpu = [], []
    for _ in range(8 if quick else 30):
        typed, _kind, _i = cor.corrupt(text.split(), rng)
        started, started_cpu = time.perf_counter(), time.thread_time()
        check_transcript(samples, rate, " ".join(typed))
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    p95 = [round(float(np.percentile(t, 95)), 1) for t in (wall, cpu)]
    return p95[0], p95[1], round(len(samples) / rate, 2)


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
    out["check_ms_p95"], out["check_cpu_ms_p95"], out["check_latency_clip_s"] = _latency(quick)
    out["check_load_1m_before"] = round(load_before, 2)
    out["check_load_1m_after"] = round(os.getloadavg()[0], 2)
    out["check_cpus"] = os.cpu_count() or 0
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(figures("--quick" in sys.argv), indent=1, sort_keys=True))
