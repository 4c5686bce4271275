"""`earmark import` of a big manifest, as a lead runs it in a terminal: the lines are read
in a process of its own (earmark/importing/apart.py); the summary, the clips and the privacy
promise are those of any import, and ctrl+c leaves no reader process behind."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from earmark.importing import apart
from earmark.store import open_store
from tests.support import IDENTIFYING

pytestmark = pytest.mark.tmux


def _manifest(folder: Path, lines: int) -> Path:
    t = np.arange(8000) / 16000
    for i in range(3):
        tone = (0.2 * np.sin(2 * np.pi * (300 + 100 * i) * t)).astype("float32")
        sf.write(folder / f"{i}.wav", tone, 16000)
    words = [
        {"word": w, "start": 0.1 * i, "end": 0.1 * i + 0.08, "conf": 0.9}
        for i, w in enumerate(["turn", "off", "the", "kitchen", "lights", "please"])
    ]
    path = folder / "m.jsonl"
    with path.open("w") as fh:
        for i in range(lines):
            row = {
                "audio": f"{i % 3}.wav",
                "id": f"utt-{i:07d}",
                **IDENTIFYING,
                "asr": {"text": "turn off the kitchen lights please", "words": words},
            }
            fh.write(json.dumps(row) + "\n")
    assert apart.worth_it(path), "the manifest must be big enough to be read apart"
    return path


def _command(m: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "earmark", "import", str(m), "--db", str(db)]


def test_a_big_manifest_imports_through_its_reader_process(term, tmp_path):
    m = _manifest(tmp_path, 8_000)
    db = tmp_path / "p.db"
    term.start(_command(m, db), width=80, height=24)
    # a command's output: lines pushed above the screen when it ends are read too
    screen = term.wait_for("imported 8,000 clips", timeout=180, history=50)
    assert "Traceback" not in screen
    assert "account_id" in screen  # the dropped fields are named in the summary
    store = open_store(db, create=False)
    try:
        assert store.clip_count() == 8_000
    finally:
        store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("p.db*"))
    for value in IDENTIFYING.values():
        assert value.encode() not in raw
    assert b"utt-0000001" not in raw


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(x) for x in text]
    return found


def test_ctrl_c_ends_the_import_and_its_reader(term, tmp_path):
    m = _manifest(tmp_path, 120_000)
    term.start(_command(m, tmp_path / "p.db"), width=80, height=24)
    term.wait_for("importing m.jsonl", timeout=60)
    pid = term.pid()
    readers: list[int] = []
    end = time.monotonic() + 30
    while not readers and time.monotonic() < end:
        readers = _children(pid)
        time.sleep(0.05)
    assert readers, "no reader process was started"
    term.keys("C-c")
    term.wait_dead(timeout=30)
    assert "Traceback" not in term.screen()
    end = time.monotonic() + 10
    while any(Path(f"/proc/{r}").exists() for r in readers) and time.monotonic() < end:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{r}").exists() for r in readers), "the reader outlived it"
