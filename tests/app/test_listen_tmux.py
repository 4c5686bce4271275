"""Listening before submitting, in the real annotator at 80x24 with real (null-device) audio:
the status line says what is left, Enter is refused with the transcript kept, playing the
clip lifts the rule, and the audit log records what was heard."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from tests.support import needs_portaudio, needs_tmux

pytestmark = [needs_tmux, needs_portaudio]


def _earmark(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "earmark", *args], capture_output=True, text=True, timeout=120
    )


def test_enter_waits_until_the_share_is_heard(term, tmp_path) -> None:
    rate = 16000
    tone = (0.2 * np.sin(2 * np.pi * 330 * np.arange(3 * rate) / rate)).astype(np.float32)
    rows = []
    for i in range(2):
        sf.write(tmp_path / f"c{i}.wav", tone, rate)
        rows.append({"audio": f"c{i}.wav", "id": f"id{i}", "asr": f"guess number {i}"})
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    db = tmp_path / "e.db"
    if "--min-listen" not in _earmark("import", "--help").stdout:
        pytest.skip("`earmark import --min-listen` (batch settings) is not in this build yet")
    r = _earmark("import", str(manifest), "--db", str(db), "--min-listen", "0.8", "--user", "lead")
    assert r.returncode == 0, r.stderr
    argv = [sys.executable, "-m", "earmark", "annotate", "--db", str(db), "--user", "ann"]
    term.start([*argv, "--no-autoplay"], width=80, height=24)
    screen = term.wait_until(lambda s: "heard 0%, need 80%" in s, "the listen rule shown")
    assert "clip 1 of 2" in screen.splitlines()[0]  # on the status line, not cut at 80
    term.keys("C-u")
    term.keys("my own words", literal=True)
    term.wait_until(lambda s: "my own words" in s, "typing shown")
    term.keys("Enter")
    screen = term.wait_until(lambda s: "Listen first" in s, "the refusal")
    assert "clip 1 of 2" in screen and "my own words" in screen  # nothing lost, still here
    term.keys("F8")  # the guess is refused the same way (it asks first when text differs)
    term.keys("F5")  # play
    term.wait_until(lambda s: "need 80%" not in s.splitlines()[0], "the rule met", timeout=20)
    term.keys("C-u")
    term.keys("my own words", literal=True)
    term.keys("Enter")
    term.wait_until(lambda s: "clip 2 of 2" in s.splitlines()[0], "the next clip")
    term.keys("C-q")
    term.wait_dead()
    from earmark.store import open_store

    store = open_store(db, create=False)
    try:
        heard = [json.loads(e.detail) for e in store.audit_entries() if e.action == "heard"]
        done = [c for c in store.iter_clips() if c.status == "done"]
    finally:
        store.close()
    assert len(done) == 1 and done[0].text == "my own words"
    (entry,) = heard
    assert entry["required"] == 0.8 and entry["heard_share"] >= 0.8 and entry["spans"]
