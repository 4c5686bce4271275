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

from tests.support import LIBRI, needs_realdata, needs_tmux, write_jsonl

pytestmark = [needs_tmux, needs_realdata]
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


def _place(screen: str) -> str:
    """Which clip the status line shows ("clip 3 of 5"), or "end of queue"."""
    first = screen.splitlines()[0]
    m = re.search(r"clip \d+ of \d+|end of queue", first)
    return m.group(0) if m else ""


def _work(term, db: Path, user: str, typed: str | None) -> list[str]:
    """`user` works the annotator until the queue is empty: the guess as it is (F8), or
    `typed` in place of it. Returns the clips they finished, as the status line named them."""
    argv = [sys.executable, "-m", "earmark", "annotate", "--db", str(db), "--user", user]
    term.respawn([*argv, "--no-autoplay"])
    screen = term.ready(" of 5")
    done = []
    while _place(screen) != "end of queue":
        before = _place(screen)
        if typed is None:
            term.keys("F8")
        else:
            term.keys("C-u")
            term.keys(typed, literal=True)
            term.wait_for(typed)
            term.keys("Enter")
        screen = term.wait_until(lambda s, b=before: _place(s) not in ("", b), "the next clip")
        done.append(before)
    term.keys("C-q")
    term.wait_dead()
    return done


def test_three_annotators_with_overlap_2_and_gold_then_agreement(term, tmp_path: Path) -> None:
    """Five clips, two gold, overlap 2; guesses "guess number i" (3 words), references
    "zebra quantum marmalade i" (4 words). They work one after the other: ann takes every
    guess (F8) and gets the first slot of each ordinary clip, cid types "guess number" and
    gets the second, bob (F8) finds only gold clips left.
    Each ordinary clip: ann "guess number i" / cid "guess number", 1 edit over a mean of 2.5
    words, so ann's and cid's pair WER are 0.4 and bob has none. Gold: a guess is 3 edits of
    4 words (0.75); cid's "guess number" 4 of 4 (1.0). All answer both gold clips (onboarding)."""
    rows = []
    for i, wav in enumerate(sorted(LIBRI.glob("*.wav"))):
        row: dict = {"audio": str(wav), "id": f"s{i}", "asr": f"guess number {i}"}
        if i in (1, 3):
            row["gold"] = {"text": f"{REF} {i}"}
        rows.append(row)
    m = write_jsonl(tmp_path / "m.jsonl", rows)
    db = tmp_path / "team.db"
    run = [sys.executable, "-m", "earmark"]
    subprocess.run([*run, "init", "--db", str(db), "--user", "lead"], check=True, timeout=60)
    imp = [*run, "import", str(m), "--db", str(db), "--user", "lead", "--overlap", "2"]
    subprocess.run([*imp, "--audio-root", str(LIBRI)], check=True, timeout=60)
    term.start([sys.executable, "-c", "pass"], width=80, height=24)
    finished = {}
    for user, typed in (("ann", None), ("cid", "guess number"), ("bob", None)):
        finished[user] = _work(term, db, user, typed)
    # 3 ordinary clips x 2 slots + 2 gold clips x 3 annotators, none twice by one annotator
    assert sum(len(v) for v in finished.values()) == 12
    assert all(len(set(v)) == len(v) for v in finished.values())
    # each annotator's first two clips are the gold ones (onboarding): clips 2 and 4
    assert all(sorted(v[:2]) == ["clip 2 of 5", "clip 4 of 5"] for v in finished.values())
    out = subprocess.run(
        [*run, "agreement", "--json", "--db", str(db), "--user", "lead"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    figures = json.loads(out.stdout)
    people = figures["annotators"]
    assert people["cid"]["pair_wer"] == pytest.approx(0.4)
    assert people["ann"]["pair_wer"] == pytest.approx(0.4)
    assert people["bob"]["pair_wer"] is None and len(finished["bob"]) == 2
    assert {p["gold_clips"] for p in people.values()} == {2}
    assert people["ann"]["gold_wer"] == pytest.approx(0.75)
    assert people["bob"]["gold_wer"] == pytest.approx(0.75)
    assert people["cid"]["gold_wer"] == pytest.approx(1.0)
    assert figures["overall"]["overlapped_clips"] == 3
    assert [p["annotators"] for p in figures["pairs"]] == [["ann", "cid"]]
