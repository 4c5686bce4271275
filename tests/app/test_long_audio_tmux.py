"""The real annotator under a 1 GB address-space limit meets a FLAC bomb and a 29-minute clip.

The bomb (29 minutes, 192 kHz, 8 channels of silence: 3 MB on disk, 10.7 GB decoded) is
imported as unplayable and skipped; the clip before it prefetches what comes next; the long
clip plays at once, and the annotator stays up and within its memory budget throughout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from tests.support import needs_tmux

ROOT = Path(__file__).resolve().parents[2]
pytestmark = needs_tmux
LIMIT = 1 << 30
RSS_BUDGET_MB = 250


def _flac(path: Path, rate: int, channels: int, minutes: float, *, tone: bool) -> None:
    with sf.SoundFile(path, "w", rate, channels, format="FLAC", subtype="PCM_16") as f:
        total, step = int(minutes * 60 * rate), rate * 20
        for at in range(0, total, step):
            n = min(step, total - at)
            if tone:
                t = (np.arange(n) + at) / rate
                y = (3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
                f.write(np.repeat(y[:, None], channels, axis=1))
            else:
                f.write(np.zeros((n, channels), dtype=np.int16))


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_bomb_and_long_clip_leave_the_annotator_running_under_1gb(term, tmp_path):
    sf.write(tmp_path / "a.wav", np.zeros(8000, dtype=np.float32), 16000)
    _flac(tmp_path / "bomb.flac", 192_000, 8, 29, tone=False)
    _flac(tmp_path / "long.flac", 48_000, 2, 29, tone=True)
    lines = [
        {"audio": "a.wav", "id": "c1", "asr": "first clip"},
        {"audio": "bomb.flac", "id": "c2", "asr": "the bomb"},
        {"audio": "long.flac", "id": "c3", "asr": "a long one"},
    ]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    db = tmp_path / "e.db"
    r = subprocess.run(
        [sys.executable, "-m", "earmark", "import", str(tmp_path / "m.jsonl"), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    assert "too large to play" in r.stdout

    limited = (
        "import os, resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT})); "
        "os.execv(sys.executable, [sys.executable, '-m', 'earmark', *sys.argv[1:]])"
    )
    term.start(
        [sys.executable, "-c", limited, "annotate", "--db", str(db), "--user", "ann"],
        width=100,
        height=30,
    )
    term.ready("clip 1 of 3")
    term.keys("PageDown")  # on to the next open clip: the bomb is unplayable, so the long one
    term.wait_for("clip 3 of 3", timeout=60)
    term.wait_for("▶ playing", timeout=60)
    assert not term.dead()
    hwm = _hwm_mb(term.pid())
    assert hwm < RSS_BUDGET_MB, f"the annotator peaked at {hwm:.0f} MB"
    term.keys("C-q")
    term.wait_dead()
