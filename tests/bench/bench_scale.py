"""The annotator and the lead deep inside a million-clip project: `figures(quick)` for bench.py.

The project: N clips (1,000,000; 100,000 with --quick; EARMARK_BENCH_SCALE_N overrides) of
real speech (../shared/realdata/librivox), pseudonym-style names, 90% of them submitted
through the store's own submit path (`store.submit`, audit line and all) over two simulated
months, with transcripts drawn from a 50,000-word vocabulary so the suggestion data is as
varied as a real project's. The submits of one build share a commit (each joins the open
transaction), which is what makes the build minutes instead of hours; the database is
row for row what single submits write. It is built once and cached under
~/.cache/earmark-bench, keyed by this file's BUILD version and N (opening it migrates it
to the current schema, as it would a user's project); each run works on a copy.

Figures (measured on the process that does the work, never on this one):
- scale_startup_s: `earmark annotate` started in tmux until its first clip
  ("clip 900001 of 1000000") is on the screen.
- scale_suggest_ready_s: from the same start until "suggestions: loading" has gone.
- scale_submit_to_next_ms_p95 / _p50: Enter sent to the terminal (tmux send-keys) until the
  next clip's "clip K of N" reaches the terminal, read from the pane's output stream
  (tmux pipe-pane) as it arrives; 40 submits from clip 900,001, a pause between them.
- scale_rss_mb: the annotator's own peak resident memory (VmHWM in /proc/PID/status) after
  those submits.
- scale_stats_s: `earmark stats --json` as a lead runs it (a fresh process), median of 3;
  scale_stats_compute_s: the same figures computed in-process on an open store.
- scale_clips: N.
- import_1m_clips_per_s: `import_manifests` of a 1,000,000-line manifest (100,000 with
  --quick; bench_import.py's lines: ASR words, alternatives, identifying fields to drop,
  200 shared audio files) into a fresh database, in a child process.
- import_1m_clips_per_cpu_s: the same over the import's own CPU time, a figure a machine
  shared with other work distorts less.
- import_cost_growth: CPU microseconds per clip of that import over those of a 100,000-line
  import (10,000 with --quick) of the same lines; 1.0 is flat. import_cost_growth_wall: the
  same in wall time, which other work on the machine moves about.
- import_write_amplification: bytes the 1M import wrote (its own /proc/self/io
  write_bytes) over the size of the database it produced.
- import_1m_peak_rss_mb: that import's own peak resident memory (VmHWM), or its manifest
  reader process's if higher. The CPU figures include the reader's CPU.
- long_clip_first_sound_ms, long_clip_rss_mb and the rest of bench_long.py's figures (a
  29-minute stereo FLAC opened and played in a fresh process); `--only long` gives them alone.
Environment: EARMARK_BENCH_SCALE_NO_IMPORT / _NO_LONG leave those parts out;
EARMARK_BENCH_SUBMITS=FILE writes each submit's time (ms, in order) there as JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tui"))
sys.path.insert(0, str(ROOT))
LIBRI = ROOT.parent / "shared" / "realdata" / "librivox"
BUILD = 1  # bump when the way the project is built changes
DONE_SHARE = 0.9
SUBMITS = 40
_ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _size() -> int:
    return int(os.environ.get("EARMARK_BENCH_SCALE_N", "0")) or 1_000_000


def cache_path(n: int) -> Path:
    """Keyed by BUILD and N. A schema migration needs no rebuild: opening the cached project
    (as each run does before copying it) migrates it like any user's database."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "earmark-bench" / f"scale-v{BUILD}-{n}.db"


def _speech() -> list[tuple[str, str, list[dict[str, object]], float]]:
    out = []
    for wav in sorted(LIBRI.glob("*.wav")):
        data = json.loads(wav.with_suffix(".json").read_text())
        words = [
            {"word": w["t"].split("(")[0], "start": w["b"], "end": round(w["b"] + w["d"], 3)}
            for w in data["w"]
            if not w["t"].startswith("<")
        ]
        out.append((str(wav), data["t"], words, float(data["d"])))
    return out


def build(path: Path, n: int) -> None:
    """The project, through store.add_clips and store.submit; see the module docstring."""
    import wordfreq

    from earmark.clock import FakeClock
    from earmark.store import NewClip, open_store

    rng = random.Random(13)
    vocab = wordfreq.top_n_list("en", 50_000)
    speech = _speech()
    done = int(n * DONE_SHARE)
    clock = FakeClock(start=time.time() - 62 * 86_400)
    tmp = path.with_suffix(".building")
    for f in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        f.unlink(missing_ok=True)
    store = open_store(tmp, clock=clock)
    store.db.conn.execute("PRAGMA synchronous=OFF")  # the build's own speed; same rows
    batch = store.batch_id("scale")
    step = 50_000
    for lo in range(0, n, step):
        chunk = []
        for i in range(lo, min(n, lo + step)):
            audio, asr, words, dur = speech[i % len(speech)]
            chunk.append(
                NewClip(
                    name=f"c-{rng.getrandbits(64):016x}",
                    audio=audio,
                    asr=asr,
                    words=words,
                    duration=dur,
                    samplerate=16000,
                    channels=1,
                )
            )
        store.add_clips(batch, chunk)
        print(f"scale build: {lo + len(chunk):,} clips", file=sys.stderr)
    store.add_lexicon(batch, ["dashwood", "norland", "barton", "elinor", "marianne"])
    annotators = [f"annotator{k:02d}" for k in range(20)]
    for lo in range(1, done + 1, step):
        with store.db.write():
            for cid in range(lo, min(done, lo + step - 1) + 1):
                asr = speech[(cid - 1) % len(speech)][1].split()
                for _ in range(rng.randint(1, 3)):
                    asr[rng.randrange(len(asr))] = rng.choice(vocab)
                who = annotators[cid % len(annotators)]
                store.submit(cid, " ".join(asr), who, rng.uniform(8, 40))
                clock.advance(5.0)
        print(f"scale build: {min(done, lo + step - 1):,} submitted", file=sys.stderr)
    store.close()
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{tmp}{suffix}")
        if src.exists():
            src.rename(Path(f"{path}{suffix}"))


def project(n: int) -> Path:
    path = cache_path(n)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build(path, n)
    return path


def _copy(src: Path, dst: Path) -> None:
    from earmark.store import open_store
    from earmark.suggest import fill_word_index

    # Opening migrates the cached project to this schema. Real submits feed the suggestion
    # word index as they happen; fill_word_index brings an older project (or this build,
    # which submits through the store alone) to that same state, once.
    store = open_store(src, create=False)
    fill_word_index(store)
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one file is the project
    store.close()
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o600)
    # The copy's gigabytes are on disk before the annotator starts: otherwise its first
    # checkpoint's fsync writes them out, and the submits around it wait on the disk for
    # the benchmark's own copy (seen: 0.2-0.6 s for the third and fourth submits).
    fd = os.open(dst, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stats_figures(db: Path) -> dict[str, float]:
    from earmark.stats import compute
    from earmark.store import open_store

    walls = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "earmark", "stats", "--json", "--db", str(db)],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        walls.append(time.perf_counter() - t0)
    store = open_store(db, create=False)
    try:
        t0 = time.perf_counter()
        compute(store)
        inproc = time.perf_counter() - t0
    finally:
        store.close()
    return {
        "scale_stats_s": round(statistics.median(walls), 3),
        "scale_stats_compute_s": round(inproc, 4),
    }


class _Stream:
    """The pane's output as it arrives, escape sequences dropped, with arrival times."""

    def __init__(self, fifo: Path) -> None:
        self.fifo = fifo
        self.text = bytearray()
        self.lock = threading.Lock()
        self.found: dict[bytes, float] = {}
        self.wanted: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()

    def want(self, text: str) -> None:
        with self.lock:
            self.wanted.append(text.encode())

    def _read(self) -> None:
        with open(self.fifo, "rb", buffering=0) as fh:
            tail = b""
            while chunk := fh.read(65536):
                now = time.perf_counter()
                plain = _ANSI.sub(b"", tail + chunk)
                with self.lock:
                    for w in list(self.wanted):
                        if w in plain:
                            self.found[w] = now
                            self.wanted.remove(w)
                tail = plain[-200:]

    def wait(self, text: str, timeout: float = 30.0) -> float:
        key = text.encode()
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            with self.lock:
                if key in self.found:
                    return self.found[key]
            time.sleep(0.001)
        raise RuntimeError(f"{text!r} never reached the terminal")


def _terminal_figures(db: Path, n: int, tmp: Path) -> dict[str, float]:
    from tests.tmux import Tmux

    home = tmp / "home"
    home.mkdir()
    asound = ROOT.parent / "shared" / "audio" / "asoundrc-null"
    if asound.is_file():
        shutil.copy(asound, home / ".asoundrc")
    saved = dict(os.environ)
    os.environ.update(
        HOME=str(home),
        XDG_STATE_HOME=str(home / "state"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        # The user's cache folder outlives a run, as a user's does: the English word list the
        # annotator keeps there after its first start is read from it at every later one.
        XDG_CACHE_HOME=str(cache_path(0).parent / "user-cache"),
    )
    term = Tmux(tmp, "scale")
    fifo = tmp / "pane.fifo"
    os.mkfifo(fifo)
    os.mkfifo(f"{fifo}.go")
    first = int(n * DONE_SHARE) + 1
    try:
        term.start(
            [
                "sh",
                "-c",
                f'read go < {fifo}.go; exec "$0" "$@"',
                sys.executable,
                "-m",
                "earmark",
                "annotate",
                "--db",
                str(db),
                "--user",
                "scale-bench",
            ],
            width=120,
            height=36,
        )
        term.tmux("pipe-pane", "-t", "t", "-o", f"cat > {fifo}")
        stream = _Stream(fifo)
        stream.want(f"clip {first} of {n}")
        t0 = time.perf_counter()
        Path(f"{fifo}.go").write_text("go\n")  # released: the annotator starts now
        started = stream.wait(f"clip {first} of {n}") - t0
        term.wait_until(
            lambda s: "suggestions: loading" not in s and f"clip {first} of" in s,
            "suggestions ready",
            timeout=120,
        )
        ready = time.perf_counter() - t0
        pid = term.pid()  # the shell exec'd the annotator: the pane's process is earmark
        time.sleep(1.0)
        lat = []
        for k in range(SUBMITS):
            target = f"clip {first + k + 1} of {n}"
            stream.want(target)
            t1 = time.perf_counter()
            term.keys("Enter")
            lat.append((stream.wait(target) - t1) * 1000)
            time.sleep(0.3)  # a person reads the next clip before the next submit
        each = os.environ.get("EARMARK_BENCH_SUBMITS")
        if each:  # each submit's time, in order
            Path(each).write_text(json.dumps([round(t) for t in lat]))
        hwm = 0.0
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    finally:
        term.kill()
        os.environ.clear()
        os.environ.update(saved)
    return {
        "scale_startup_s": round(started, 2),
        "scale_suggest_ready_s": round(ready, 2),
        "scale_submit_to_next_ms_p95": round(_p(lat, 0.95), 1),
        "scale_submit_to_next_ms_p50": round(_p(lat, 0.5), 1),
        "scale_rss_mb": round(hwm, 1),
    }


def _import_figures(quick: bool, tmp: Path) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_import

    small, big = (10_000, 100_000) if quick else (100_000, 1_000_000)
    base = cache_path(0).parent / "import"
    if not (base / "shared").is_dir():
        bench_import._audio(base / "shared", bench_import.SHARED_FILES)
    shared = [f"shared/{i:06d}.wav" for i in range(bench_import.SHARED_FILES)]
    runs = {}
    for n in (small, big):
        manifest = base / f"manifest-{n}.jsonl"
        if not manifest.exists():
            bench_import._manifest(manifest.with_suffix(".part"), n, shared)
            manifest.with_suffix(".part").rename(manifest)
        db = tmp / f"import-{n}.db"
        runs[n] = bench_import.run_import(db, manifest)
        assert runs[n]["imported"] == n and runs[n]["bad"] == 0, runs[n]
        runs[n]["db_bytes"] = sum(f.stat().st_size for f in tmp.glob(f"import-{n}.db*"))
        for f in tmp.glob(f"import-{n}.db*"):
            f.unlink()
    per_small = runs[small]["cpu_seconds"] / small
    per_big = runs[big]["cpu_seconds"] / big
    wall_small = runs[small]["seconds"] / small
    wall_big = runs[big]["seconds"] / big
    return {
        "import_1m_clips_per_s": round(big / runs[big]["seconds"]),
        "import_1m_lines": big,
        "import_1m_clips_per_cpu_s": round(big / runs[big]["cpu_seconds"]),
        "import_cost_growth": round(per_big / per_small, 2),
        "import_cost_growth_wall": round(wall_big / wall_small, 2),
        "import_write_amplification": round(runs[big]["written_bytes"] / runs[big]["db_bytes"], 2),
        "import_1m_peak_rss_mb": round(runs[big]["peak_rss_mb"], 1),
    }


def figures(quick: bool) -> dict[str, float]:
    if not LIBRI.is_dir():
        raise RuntimeError("../shared/realdata is needed for bench_scale")
    n = int(os.environ.get("EARMARK_BENCH_SCALE_N", "0")) or (100_000 if quick else 1_000_000)
    source = project(n)
    tmp = Path(tempfile.mkdtemp(prefix="earmark-bench-scale-"))
    try:
        db = tmp / "project.db"
        _copy(source, db)
        result: dict[str, float] = {"scale_clips": n}
        result.update(_stats_figures(db))
        if shutil.which("tmux"):
            result.update(_terminal_figures(db, n, tmp))
        db.unlink()
        if not os.environ.get("EARMARK_BENCH_SCALE_NO_IMPORT"):
            result.update(_import_figures(quick, tmp))
        if not os.environ.get("EARMARK_BENCH_SCALE_NO_LONG"):
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            import bench_long  # the long-clip figures belong to this area too (and `long`)

            result.update(bench_long.figures(quick))
        return result
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)


if __name__ == "__main__":
    print(json.dumps(figures("--quick" in sys.argv)))
