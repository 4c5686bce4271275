"""The quality issue end to end in real terminals: a lead imports a batch with a gold clip and
overlap 2; three annotators and a reviewer work it in the real `earmark` (tmux, 80x24, null
audio); `earmark agreement --json`, `earmark stats --json` and `earmark report` then show
what they did, worked out by hand below, and an annotator sees the review of their clip.

What they do: a1 and a3 accept every guess (F8); a2 adds the word "extra" to every guess.
Each ordinary clip is done by a1 and a2 (overlap 2): "alpha one" against "alpha one extra" is
1 edit over a mean of 2.5 words, so over the four clips 4 / 10: pair WER 0.4, agreement 0.6.
The gold clip's reference is "echo five six" and its guess "echo five": a1's and a3's answer
is 1 deletion in 3 words, a2's "echo five extra" 1 substitution in 3: gold WER 1/3 each.
The first clip in the queue is disputed ("alpha one" against "alpha one extra"), so accepting
it is refused; the reviewer fixes it to a1's words, which accepts a1's and fixes a2's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from tests.support import needs_tmux

EARMARK = Path(sys.executable).with_name("earmark")
pytestmark = needs_tmux
GUESSES = ("alpha one", "bravo two", "charlie three", "delta four")
GOLD = ("echo five", "echo five six")


def _run(*args: str) -> str:
    r = subprocess.run([str(EARMARK), *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def _asr(screen: str) -> str | None:
    for line in screen.splitlines():
        if line.strip().startswith("ASR "):
            return line.strip()[4:].strip()
    return None


def _open(term, *argv: str) -> None:
    """Run earmark in the 80x24 terminal: the first time a new one, then the same again."""
    cmd = ["env", "EARMARK_OUTPUT=null", str(EARMARK), *argv]
    if _started(term):
        term.respawn(cmd)
    else:
        term.start(cmd, width=80, height=24)


def _started(term) -> bool:
    return "t" in term.tmux("list-sessions", "-F", "#S", check=False).split()


def _annotate(term, db: Path, user: str, *, extra: bool) -> list[str]:
    """Work the queue as `user` until nothing is left; the guesses seen, in order."""
    _open(term, "annotate", "--db", str(db), "--user", user, "--no-autoplay")
    seen: list[str] = []
    for _ in range(8):
        screen = term.wait_until(
            lambda s: "No clip left" in s or (_asr(s) and "clip " in s.splitlines()[0]),
            f"{user}: a clip or the end",
        )
        if "No clip left" in screen or "reopened" in screen.splitlines()[0]:
            break  # the end (the gold clip they answered may be shown again there)
        guess = _asr(screen)
        assert guess is not None
        seen.append(guess)
        if extra:
            term.keys("End")
            term.keys(" extra", literal=True)
            term.wait_until(lambda s, g=guess: f"{g} extra" in s, "typing shown")
            term.keys("Enter")
        else:
            term.keys("F8")
        term.wait_until(
            lambda s, g=guess: "No clip left" in s or (_asr(s) not in (None, g)),
            f"{user}: past {guess}",
        )
    term.keys("C-q")
    term.wait_dead()
    return seen


def test_gold_overlap_three_annotators_and_a_reviewer_then_the_figures(term, tmp_path):
    rows = []
    for i, guess in enumerate([*GUESSES, GOLD[0]]):
        sf.write(tmp_path / f"c{i}.wav", np.zeros(8000, dtype=np.float32), 16000)
        row: dict[str, object] = {"audio": f"c{i}.wav", "id": f"id{i}", "asr": guess}
        if guess == GOLD[0]:
            row["gold"] = {"text": GOLD[1], "flags": []}
        rows.append(row)
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    db = tmp_path / "e.db"
    lead = ["--db", str(db), "--user", "lead"]
    _run("import", str(tmp_path / "m.jsonl"), "--batch", "week 1", "--overlap", "2",
         "--gold-rate", "0.25", *lead)  # fmt: skip
    _run("roles", "grant", "rev", "reviewer", *lead)

    assert sorted(_annotate(term, db, "a1", extra=False)) == sorted([*GUESSES, GOLD[0]])
    assert sorted(_annotate(term, db, "a2", extra=True)) == sorted([*GUESSES, GOLD[0]])
    assert _annotate(term, db, "a3", extra=False) == [GOLD[0]]  # the rest is done twice

    _open(term, "qa", "--db", str(db), "--user", "rev")
    screen = term.wait_for("to review")
    queued = int(screen.split("to review")[0].split("·")[-1].split()[0])
    assert queued >= 1 and "a1" in screen
    term.keys("a")  # the two transcripts differ: which one would be accepted?
    term.wait_for("transcripts differ")
    term.keys("f")  # the fix starts from the first transcript, a1's "alpha one"
    term.wait_for("Fix the transcript")
    term.keys("Enter")
    left = f"{queued - 1} clip{'' if queued == 2 else 's'} to review"
    term.wait_for(left)
    term.keys("q")
    term.wait_dead()

    agreement = json.loads(_run("agreement", "--json", *lead))["annotators"]
    assert agreement["a1"]["pair_wer"] == 0.4 and agreement["a2"]["pair_wer"] == 0.4
    for who in ("a1", "a2", "a3"):
        assert agreement[who]["gold_clips"] == 1
        assert abs(agreement[who]["gold_wer"] - 1 / 3) < 1e-3

    report = json.loads(_run("stats", "--json", *lead))["report"]
    task = report["time_on_task"]
    assert task["a1"]["done"] == 4 and task["a2"]["done"] == 4 and "a3" not in task
    submitted = {w: sum(c["clips"] for c in h.values()) for w, h in report["throughput"].items()}
    assert submitted == {"a1": 5, "a2": 5, "a3": 1}  # every submit, the gold answer too
    for who in ("a1", "a2"):
        (day,) = report["agreement"][who].values()
        assert day == {"pairs": 4, "agreement": 0.6}
    for who in ("a1", "a2", "a3"):
        (day,) = report["gold"][who].values()
        assert day["clips"] == 1 and abs(day["accuracy"] - 2 / 3) < 1e-3
    assert report["reviews"] == {
        "a1": {"accepted": 1, "fixed": 0, "rejected": 0},
        "a2": {"accepted": 0, "fixed": 1, "rejected": 0},
    }
    # the guess against each transcript: a2 added 1 word to 3 (x4), a1 none of 2 (x4)
    assert report["asr_wer_by_batch"]["week 1"] == {"done": 8, "wer": round(4 / 20, 4)}

    out = tmp_path / "report.html"
    _run("report", "--out", str(out), *lead)
    page = out.read_text()
    assert page.count('class="pygal-chart"') == 6  # no escalation or flagged audio here
    assert all(name in page for name in ("a1", "a2", "a3", "week 1"))

    _open(term, "annotate", "--db", str(db), "--user", "a1", "--no-autoplay")
    term.wait_until(lambda s: "No clip left" in s or "reopened" in s, "a1's end of the queue")
    term.keys("M-o")
    term.wait_until(lambda s: "Your reviewed" in s and "ccepted" in s.lower(), "a1's review shown")
    term.keys("Escape")
    term.keys("C-q")
    term.wait_dead()
