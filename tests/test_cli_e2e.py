"""`earmark import`, `stats` and `export` as a user runs them: real subprocesses, real files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import IDENTIFYING, librivox_manifest

ROOT = Path(__file__).resolve().parent.parent


def earmark(*args, cwd: Path, check_rc: int | None = 0) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EARMARK_")}
    p = subprocess.run(
        [sys.executable, "-m", "earmark", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check_rc is not None:
        assert p.returncode == check_rc, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr
    return p


def test_import_stats_export_round_trip(realdata, tmp_path):
    m = librivox_manifest(realdata, tmp_path)
    with m.open("a") as fh:
        fh.write("{this is not json\n")
        fh.write(
            json.dumps({"audio": str(realdata / "malformed" / "evil.wav"), "id": "broken"}) + "\n"
        )
        fh.write(json.dumps({"audio": "../../etc/passwd"}) + "\n")
    db = tmp_path / "work.db"

    out = earmark(
        "import", m, "--db", db, "--audio-root", realdata, "--batch", "austen", cwd=tmp_path
    ).stdout
    assert out.splitlines()[0] == "imported 6 clips into batch austen (1 unplayable)"
    assert "  librivox.jsonl:6: invalid JSON" in out
    assert "  librivox.jsonl:8: audio path leads outside" in out
    assert "dropped fields: account_id (5), device_id (5), first_name (5), location (5)" in out
    assert stat.S_IMODE(db.stat().st_mode) == 0o600

    again = earmark("import", m, "--db", db, "--audio-root", realdata, cwd=tmp_path).stdout
    assert (
        again.splitlines()[0].startswith("imported 0 clips")
        and "already imported (skipped): 6" in again
    )

    stats = json.loads(earmark("stats", "--json", "--db", db, cwd=tmp_path).stdout)
    assert {k: stats[k] for k in ("clips", "done", "skipped", "unplayable", "pending")} == {
        "clips": 6,
        "done": 0,
        "skipped": 0,
        "unplayable": 1,
        "pending": 5,
    }
    assert stats["asr_wer"] is None and stats["flags"]["critical"] == 0
    assert "clips        6" in earmark("stats", "--db", db, cwd=tmp_path).stdout

    # An annotator's work, through the store API the TUI uses, then export it all.
    from earmark.redaction import marks_from_indexes
    from earmark.store import open_store

    store = open_store(db)
    clips = list(store.iter_clips())
    for c in clips[:3]:
        ref = (realdata / "librivox" / (Path(c.audio).stem + ".txt")).read_text().strip()
        store.submit(c.id, ref, "ann", 20.0)
    flag = store.add_flag(
        clips[1].id, "critical", "ann", start=0.0, end=1.0, category="health", redact=[0, 1]
    )
    first_two = store.clip(clips[1].id).text.split()[:2]
    store.set_redaction(flag, marks_from_indexes(first_two, [0, 1]), actor="ann")
    store.close()

    stats = json.loads(earmark("stats", "--json", "--db", db, cwd=tmp_path).stdout)
    assert stats["done"] == 3 and 0 <= stats["asr_wer"] < 0.5
    assert stats["flags"]["critical"] == 1

    env_db = {"EARMARK_DB": str(db)}
    p = subprocess.run(
        [sys.executable, "-m", "earmark", "export"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, **env_db},
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    recs = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(recs) == 6 and sum(r["status"] == "done" for r in recs) == 3
    assert recs[1]["text"].startswith("[redacted:health] [redacted:health] ")

    earmark("export", "--format", "nemo", "--out", tmp_path / "nemo.json", "--db", db, cwd=tmp_path)
    nemo = [json.loads(x) for x in (tmp_path / "nemo.json").read_text().splitlines()]
    assert len(nemo) == 2 and set(nemo[0]) == {"audio_filepath", "duration", "text"}
    earmark(
        "export",
        "--format",
        "nemo",
        "--include-critical",
        "--out",
        tmp_path / "all.json",
        "--db",
        db,
        cwd=tmp_path,
    )
    assert len((tmp_path / "all.json").read_text().splitlines()) == 3
    earmark("export", "--format", "csv", "--out", tmp_path / "r.csv", "--db", db, cwd=tmp_path)
    assert stat.S_IMODE((tmp_path / "r.csv").stat().st_mode) == 0o600
    assert (
        (tmp_path / "r.csv").read_text().splitlines()[0].startswith("clip,audio,duration,asr,text")
    )

    everything = p.stdout + "".join(
        (tmp_path / n).read_text() for n in ("nemo.json", "all.json", "r.csv")
    )
    for value in [*IDENTIFYING.values(), "source-id:"]:
        assert value not in everything
        for f in tmp_path.glob("work.db*"):
            assert value.encode() not in f.read_bytes()


@pytest.mark.parametrize(
    "args",
    [
        ["import", "{tmp}/missing.jsonl", "--db", "{tmp}/missing.db"],
        ["import", "{tmp}", "--db", "{tmp}/missing.db"],
        ["import", "{tmp}/m.jsonl", "--audio-root", "{tmp}/nope", "--db", "{tmp}/missing.db"],
        ["import", "{tmp}/m.jsonl", "--lexicon", "{tmp}/nope.txt", "--db", "{tmp}/missing.db"],
        ["import", "{tmp}/m.jsonl", "--batch", " ", "--db", "{tmp}/missing.db"],
        ["import", "/dev/null", "--db", "{tmp}/missing.db"],
        ["import"],
        ["export", "--format", "xml", "--db", "{tmp}/x.db"],
        ["export", "--db", "{tmp}/missing.db"],
        ["export", "--out", "{tmp}/no/such/dir/x.jsonl", "--db", "{tmp}/x.db"],
        ["stats", "--db", "{tmp}/missing.db"],
        ["stats", "--db", "{tmp}"],
    ],
)
def test_user_errors_are_one_line_and_exit_2(tmp_path, args):
    (tmp_path / "m.jsonl").write_text("")
    earmark("import", tmp_path / "m.jsonl", "--db", tmp_path / "x.db", cwd=tmp_path)
    p = earmark(*[a.format(tmp=tmp_path) for a in args], cwd=tmp_path, check_rc=2)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("earmark: "), p.stderr
    assert not (tmp_path / "missing.db").exists()
