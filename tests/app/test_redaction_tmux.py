"""Redaction through the real annotator: words marked in the critical panel stay hidden in
every export after the annotator edits the transcript around them."""

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
SECRET_WORDS = ("zebulon", "quartermaine")


def _earmark(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "earmark", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def _press(term, key: str) -> None:
    """One key, then wait until the screen (colours included) shows its effect."""
    before = term.tmux("capture-pane", "-p", "-e", "-t", "t")
    term.keys(key)
    term.wait_until(
        lambda _: term.tmux("capture-pane", "-p", "-e", "-t", "t") != before, f"{key} to act"
    )


def test_marked_words_stay_redacted_after_typing_before_them(term, tmp_path):
    sf.write(tmp_path / "a.wav", np.zeros(16000, dtype="float32"), 16000)
    (tmp_path / "m.jsonl").write_text(
        json.dumps({"audio": "a.wav", "id": "call-1", "asr": "name zebulon quartermaine"}) + "\n"
    )
    db = tmp_path / "e.db"
    r = _earmark("import", str(tmp_path / "m.jsonl"), "--db", str(db), "--user", "lead")
    assert r.returncode == 0, r.stderr

    term.start(
        [sys.executable, "-m", "earmark", "annotate", "--db", str(db), "--user", "ann"]
        + ["--no-autoplay"],
        width=100,
        height=30,
    )
    term.ready("clip 1 of 1")
    term.keys("M-c")  # flag critical: the panel opens on the category list
    term.wait_for("words to redact")
    for key in ("Tab", "Tab", "Tab", "Down", "Space", "Down", "Space"):
        _press(term, key)  # span start, span end, the words; mark zebulon, quartermaine
    term.keys("Enter")
    term.wait_gone("words to redact")
    term.keys("Home")
    term.keys("my ", literal=True)
    term.wait_for("my name zebulon quartermaine")
    term.keys("Enter")
    term.wait_gone("my name zebulon quartermaine")
    term.keys("C-q")
    term.wait_dead()

    outputs = {}
    for fmt, extra in (("jsonl", ()), ("csv", ()), ("nemo", ("--include-critical",))):
        r = _earmark("export", "--db", str(db), "--format", fmt, *extra, "--user", "lead")
        assert r.returncode == 0, r.stderr
        outputs[fmt] = r.stdout
    rec = json.loads(outputs["jsonl"])
    assert rec["status"] == "done"
    assert rec["text"] == "my name [redacted:other] [redacted:other]"
    for fmt, out in outputs.items():
        for word in SECRET_WORDS:
            assert word not in out.lower(), (fmt, out)
    # the audit log names no marked word either
    from earmark.store import open_store

    store = open_store(db, create=False)
    try:
        details = " ".join(json.dumps(e.detail) for e in store.audit_entries())
    finally:
        store.close()
    assert "redact_words" in details
    assert not any(word in details for word in SECRET_WORDS)
