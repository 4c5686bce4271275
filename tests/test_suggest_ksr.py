"""The keystroke benchmark's command line: its figures on the demo, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KSR = ROOT / "tests" / "bench" / "ksr.py"
SETS = ROOT / "tests" / "bench" / "ksr_sets"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(KSR), *args], capture_output=True, text=True, timeout=300
    )


def test_demo_figures():
    got = _run(
        str(ROOT / "demo_data" / "manifest.jsonl"),
        str(SETS / "demo_references.json"),
        "--lexicon",
        str(ROOT / "demo_data" / "lexicon.txt"),
        "--json",
    )
    assert got.returncode == 0, got.stderr
    figures = json.loads(got.stdout)
    assert set(figures) == {"ksr", "keys_per_clip", "plain_keys_per_clip", "clips"}
    assert figures["clips"] == 21  # the line without consent is left out
    assert 0.2 < figures["ksr"] < 1
    ratio = figures["keys_per_clip"] / figures["plain_keys_per_clip"]
    assert abs(figures["ksr"] - (1 - ratio)) < 0.01


def test_the_breakdown_per_clip_adds_up_to_the_figures(tmp_path):
    rows = [
        {"id": "1", "asr": "say a timer for ten minutes"},
        {"id": "2", "asr": "stop"},
        {"id": "3", "asr": "turn off the the lights"},
    ]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    refs = {"1": "set a timer for ten minutes", "2": "stop", "3": "turn off the lights"}
    (tmp_path / "r.json").write_text(json.dumps(refs))
    got = _run(str(tmp_path / "m.jsonl"), str(tmp_path / "r.json"), "--json", "--clips")
    assert got.returncode == 0, got.stderr
    figures = json.loads(got.stdout)
    lines = [line.split("\t") for line in got.stderr.splitlines()]
    assert [line[0] for line in lines] == ["1", "2", "3"]
    total = 0
    for cid, plain, tool, kinds in lines:
        words = kinds.split()
        parts = dict(zip(words[::2], map(int, words[1::2]), strict=True))
        assert int(tool.split()[1]) == sum(parts.values())
        total += sum(parts.values())
        if cid == "2":
            assert parts == {"start": 1} and plain == "plain 1"  # accept_asr
        if cid == "3":
            assert parts == {"deletions": 1, "submit": 1} and plain == "plain 2"
        if cid == "1":
            assert parts["submit"] == 1 and parts.get("letters", 0) <= 3
    assert total == round(figures["keys_per_clip"] * 3)


def test_a_perfect_guess_costs_one_key(tmp_path):
    (tmp_path / "m.jsonl").write_text(
        json.dumps({"audio": "a.wav", "id": "1", "asr": "stop"}) + "\n"
    )
    (tmp_path / "r.json").write_text(json.dumps({"1": "stop"}))
    got = _run(str(tmp_path / "m.jsonl"), str(tmp_path / "r.json"), "--json")
    assert json.loads(got.stdout) == {
        "ksr": 0.0,
        "keys_per_clip": 1.0,
        "plain_keys_per_clip": 1.0,
        "clips": 1,
    }


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "m.jsonl").write_text("{not json\n")
    (tmp_path / "r.json").write_text("[1, 2]")
    for args in (
        (str(tmp_path / "m.jsonl"), str(tmp_path / "r.json")),
        (str(tmp_path / "missing.jsonl"), str(SETS / "demo_references.json")),
    ):
        got = _run(*args, "--json")
        assert got.returncode == 2
        assert got.stderr.count("\n") == 1 and "Traceback" not in got.stderr


def test_a_term_of_two_words_is_one_slot(tmp_path):
    """`oat milk` typed in place of the recogniser's "so real": two words, one slot."""
    (tmp_path / "m.jsonl").write_text(json.dumps({"id": "1", "asr": "add so real to my list"}))
    (tmp_path / "r.json").write_text(json.dumps({"1": "add oat milk to my list"}))
    (tmp_path / "lex.txt").write_text("oat milk\n")
    got = _run(
        str(tmp_path / "m.jsonl"),
        str(tmp_path / "r.json"),
        "--lexicon",
        str(tmp_path / "lex.txt"),
        "--json",
        "--clips",
    )
    assert got.returncode == 0, got.stderr
    words = got.stderr.split("\t")[3].split()
    parts = dict(zip(words[::2], map(int, words[1::2]), strict=True))
    assert parts["slots"] == 1 and parts["letters"] <= 2 and parts["submit"] == 1
