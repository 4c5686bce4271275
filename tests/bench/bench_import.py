"""Import throughput and memory: `figures(quick)` for tests/bench/bench.py.

Figures:
- import_clips_per_s: a generated 100,000-line JSONL manifest (10,000 with --quick), each line
  with an id, an ASR object (text, 6 timed words, alternatives) and three identifying fields
  to drop, into a fresh database, audio probed. The lines point at import_audio_files (200)
  distinct WAV files, so after the first 200 the probe answers from the per-import cache
  (keyed by real path, size, mtime): this figure measures the manifest/store path.
- import_distinct_clips_per_s: 10,000 lines (2,000 quick) each naming its own file (half WAV,
  half FLAC, 0.5 s), so every line pays a real probe: the worst case for probing.
- import_reimport_clips_per_s: the 100k manifest again into the same database (all duplicates).
- import_peak_rss_mb / import_peak_rss_10k_mb / import_rss_growth_mb: peak RSS of a child
  process importing 100k vs 10k lines (its own VmHWM, not getrusage's ru_maxrss, which a
  child inherits from the process that started it, or its manifest reader's if higher: a big
  manifest is read in a process of its own); streaming keeps the growth near zero.
- CPU figures include the manifest reader process's CPU.
- import_write_amplification_100k: bytes the 100k import wrote (its /proc/self/io
  write_bytes) over the database's size. The 1M figures are in bench_scale.py.
- export_jsonl_clips_per_s / export_peak_rss_mb: `write(store, "jsonl", ...)` of those 100k
  clips to a file, in a child process (streams, so RSS should stay flat as well).
Each import runs in its own child process so RSS is not polluted by this one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
SHARED_FILES = 200

_PEAK = r"""
def _own(field):
    # This process's own figures: VmHWM is per address space, so unlike getrusage's
    # ru_maxrss it does not carry the high-water mark of the process that started us.
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0
def _written():
    for line in open("/proc/self/io"):
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0
"""

_CHILD = (
    r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from earmark.importing import import_manifests
from earmark.store import open_store
"""
    + _PEAK
    + r"""
import os, resource
store = open_store(sys.argv[2])
w0 = _written()
t = time.perf_counter()
c = time.process_time()
k0 = os.times()
s = import_manifests(store, [sys.argv[3]])
dt = time.perf_counter() - t
cpu = time.process_time() - c
k1 = os.times()
# A big manifest is read by a child process (earmark/importing/apart.py): its CPU counts too,
# and its peak memory (ru_maxrss of waited-for children: at most what it reached itself or,
# forked, what this process held when it forked).
reader = (k1.children_user + k1.children_system) - (k0.children_user + k0.children_system)
reader_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
store.close()
print(json.dumps({"seconds": dt, "cpu_seconds": cpu + reader, "reader_cpu_seconds": reader,
                  "imported": s.imported,
                  "duplicates": s.duplicates, "bad": s.bad_line_count, "unplayable": s.unplayable,
                  "written_bytes": _written() - w0,
                  "peak_rss_mb": max(_own("VmHWM"), reader_rss)}))
"""
)


_EXPORT = (
    r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from earmark.exporting import write
from earmark.store import open_store
"""
    + _PEAK
    + r"""
store = open_store(sys.argv[2], create=False)
t = time.perf_counter()
with open(sys.argv[3], "w", encoding="utf-8") as fh:
    n = write(store, "jsonl", fh)
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "clips": n, "peak_rss_mb": _own("VmHWM")}))
"""
)


def _export(db: Path, out: Path) -> dict:
    res = subprocess.run(
        [sys.executable, "-c", _EXPORT, str(ROOT / "tui"), str(db), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(res.stdout)


def run_import(db: Path, manifest: Path) -> dict:
    """Import `manifest` into `db` in a child process; its own time, peak RSS and writes."""
    return _run(db, manifest)


def _run(db: Path, manifest: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT / "tui"), str(db), str(manifest)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def _audio(folder: Path, n: int, flac_every: int = 0) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    tone = (0.1 * rng.standard_normal(8000)).astype("float32")
    sf.write(folder / "src.wav", tone, 16000, subtype="PCM_16")
    sf.write(folder / "src.flac", tone, 16000, subtype="PCM_16")
    names = []
    for i in range(n):
        ext = "flac" if flac_every and i % flac_every == 1 else "wav"
        name = f"{folder.name}/{i:06d}.{ext}"
        shutil.copyfile(folder / f"src.{ext}", folder.parent / name)
        names.append(name)
    return names


def _manifest(path: Path, lines: int, audio: list[str], ids: bool = True) -> Path:
    words = [
        {"word": w, "start": 0.1 + 0.3 * i, "end": 0.35 + 0.3 * i, "conf": 0.9}
        for i, w in enumerate(["turn", "off", "the", "kitchen", "lights", "please"])
    ]
    with path.open("w") as fh:
        for i in range(lines):
            row = {
                "audio": audio[i % len(audio)],
                "asr": {
                    "text": "turn off the kitchen lights please",
                    "words": words,
                    "alternatives": ["turn of the kitchen lights please"],
                },
                "review_allowed": True,
                "account_id": f"A{i:08d}",
                "first_name": "Maria",
                "device_id": f"G{i:06X}",
            }
            if ids:
                row["id"] = f"utt-{i:07d}"
            fh.write(json.dumps(row) + "\n")
    return path


def figures(quick: bool) -> dict[str, float]:
    big = 10_000 if quick else 100_000
    small = 10_000
    distinct = 2_000 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="earmark-bench-") as tmp:
        d = Path(tmp)
        shared = _audio(d / "shared", SHARED_FILES)
        m_big = _manifest(d / "big.jsonl", big, shared)
        m_small = _manifest(d / "small.jsonl", small, shared)
        r_big = _run(d / "big.db", m_big)
        assert r_big["imported"] == big and r_big["bad"] == 0, r_big
        db_bytes = sum(p.stat().st_size for p in d.glob("big.db*"))
        r_re = _run(d / "big.db", m_big)
        assert r_re["duplicates"] == big, r_re
        r_exp = _export(d / "big.db", d / "export.jsonl")
        assert r_exp["clips"] == big, r_exp
        r_small = _run(d / "small.db", m_small)
        own = _audio(d / "own", distinct, flac_every=2)
        m_own = _manifest(d / "own.jsonl", distinct, own, ids=False)
        r_own = _run(d / "own.db", m_own)
        assert r_own["imported"] == distinct and r_own["unplayable"] == 0, r_own
    return {
        "import_clips_per_s": round(big / r_big["seconds"]),
        "import_lines": big,
        "import_audio_files": SHARED_FILES,
        "import_distinct_clips_per_s": round(distinct / r_own["seconds"]),
        "import_distinct_files": distinct,
        "import_reimport_clips_per_s": round(big / r_re["seconds"]),
        "import_peak_rss_mb": round(r_big["peak_rss_mb"], 1),
        "import_peak_rss_10k_mb": round(r_small["peak_rss_mb"], 1),
        "import_rss_growth_mb": round(r_big["peak_rss_mb"] - r_small["peak_rss_mb"], 1),
        "import_db_bytes_per_clip": round(db_bytes / big),
        "import_write_amplification_100k": round(r_big["written_bytes"] / db_bytes, 2),
        "export_jsonl_clips_per_s": round(big / r_exp["seconds"]),
        "export_peak_rss_mb": round(r_exp["peak_rss_mb"], 1),
    }


if __name__ == "__main__":
    print(json.dumps(figures("--quick" in sys.argv), indent=1))
    os._exit(0)
