"""The real `earmark annotate` in tmux on a batch with gold clips: served blind, scored.

A new annotator's first clips are the project's gold clips (onboarding). On screen they look
like any clip: the status line has the same parts, the guess is shown to correct, nothing
says "gold" and the reference never appears. What they submit is scored.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import LIBRI, needs_tmux, write_jsonl

pytestmark = needs_tmux
REF = "zebra quantum marmalade"


@pytest.fixture
def gold_db(tmp_path: Path) -> Path:
    rows = []
    for i, wav in enumerate(sorted(LIBRI.glob("*.wav"))):
        row: dict = {"audio": str(wav), "id": f"s{i}", "asr": f"guess number {i}"}
        if i in (1, 3):
            row["gold"] = {"text": f"{REF} {i}", "flags": ["critical"] if i == 3 else []}
        rows.append(row)
    m = write_jsonl(tmp_path / "m.jsonl", rows)
    db = tmp_path / "g.db"
    for argv in (
        ["init", "--db", str(db), "--user", "lead"],
        ["import", str(m), "--db", str(db), "--user", "lead", "--batch", "b1"],
    ):
        extra = ["--audio-root", str(LIBRI)] if argv[0] == "import" else []
        subprocess.run([sys.executable, "-m", "earmark", *argv, *extra], check=True, timeout=60)
    return db


def _status(screen: str) -> str:
    """The status line with the clip's place and the clock-dependent figures blanked."""
    line = screen.splitlines()[0]
    return re.sub(r"\d+", "N", line)


def test_an_annotator_works_a_batch_with_gold_and_is_scored(term, gold_db: Path) -> None:
    argv = [sys.executable, "-m", "earmark", "annotate", "--db", str(gold_db)]
    term.start([*argv, "--user", "ann", "--no-autoplay"], width=80, height=24)
    first = term.wait_until(lambda s: "clip 2 of 5" in s, "the first gold clip")
    assert "guess number 1" in first
    term.keys("C-u")
    term.keys(f"{REF} 1", literal=True)
    term.wait_until(lambda s: f"{REF} 1" in s, "the typed answer")
    term.keys("Enter")
    second = term.wait_until(lambda s: "clip 4 of 5" in s, "the second gold clip")
    term.keys("F8")  # the guess, unchanged: scored against the reference
    third = term.wait_until(lambda s: "clip 5 of 5" in s, "an ordinary clip")
    # a gold clip and an ordinary one show the same parts in the same places
    assert _status(second) == _status(third)
    for screen in (first, second, third):
        assert "gold" not in screen.lower() and "zebra" not in screen.replace(f"{REF} 1", "")
    term.keys("C-q")
    term.wait_dead()
    out = subprocess.run(
        [*argv[:3], "agreement", "--json", "--db", str(gold_db), "--user", "lead"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    ann = json.loads(out.stdout)["annotators"]["ann"]
    # clip 2: exact (0 of 4 words); clip 4: "guess number 3" for "zebra quantum marmalade 3"
    # (3 of 4); 3 edits over 8 words. Flags: clip 4 expected critical, none given: 1 of 2.
    assert ann["gold_clips"] == 2
    assert ann["gold_wer"] == pytest.approx(0.375)
    assert ann["gold_flag_agreement"] == pytest.approx(0.5)
