"""`earmark asr` as a lead runs it: first guesses for synthesised clips that came without one,
resumable after kill -9, in several processes, with progress; and `--timings`, the backfill
of word timings for submitted transcripts."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from earmark.cli import main
from earmark.importing import import_manifests
from earmark.store import open_store
from tests.speech import needs_espeak, needs_pocketsphinx, speech_manifest
from tests.support import eventually

pytestmark = [needs_espeak, needs_pocketsphinx]
LONGER = (
    "please call stella",
    "ask her to bring these things with her from the store",
    "six spoons of fresh snow peas",
    "five thick slabs of blue cheese",
    "and maybe a snack for her brother bob",
    "we also need a small plastic snake",
)


def earmark(*args, check_rc: int | None = 0, **kw) -> subprocess.CompletedProcess:
    p = subprocess.run(
        [sys.executable, "-m", "earmark", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )
    if check_rc is not None:
        assert p.returncode == check_rc, p.stderr
    return p


@pytest.fixture
def project(tmp_path, db_path):
    earmark("init", "--db", db_path)
    manifest = speech_manifest(tmp_path / "clips")
    earmark("import", manifest, "--db", db_path)
    return db_path


def _guesses(db_path: Path) -> dict[str, tuple]:
    store = open_store(db_path, create=False)
    try:
        return {
            Path(c.audio).name: (c.asr, c.words, c.alternatives, c.guess_source)
            for c in store.iter_clips()
            if c.guess_source
        }
    finally:
        store.close()


def test_guesses_fill_a_manifest_that_came_without_them(project):
    p = earmark("asr", "--db", project)
    assert p.stdout.strip() == "first guesses made for 3 clips"
    assert "3/3 clips" in p.stderr.splitlines()[-1]  # not a terminal: plain lines
    made = _guesses(project)
    assert len(made) == 3
    for text, words, _alts, source in made.values():
        assert source == "offline"
        assert text == " ".join(w.word for w in words)
        starts = [w.start for w in words]
        assert starts == sorted(starts) and all(w.end > w.start for w in words)
        assert all(0.0 <= w.conf <= 1.0 for w in words)
    assert any(text for text, *_ in made.values())  # free decoding heard something
    again = earmark("asr", "--db", project)
    assert again.stdout.strip() == "first guesses made for 0 clips"
    assert _guesses(project) == made


def test_the_annotator_names_a_guess_made_offline(project):
    from earmark.app.widgets.asr import asr_content

    earmark("asr", "--db", project)
    store = open_store(project, create=False)
    clip = store.clip(1)
    store.close()
    shown = asr_content(clip).plain
    assert shown.startswith("guess: offline ") and clip.asr.split()[0] in shown


def test_a_run_killed_midway_goes_on_without_redoing_a_clip(tmp_path, db_path):
    earmark("init", "--db", db_path)
    earmark("import", speech_manifest(tmp_path / "clips", LONGER), "--db", db_path)
    run = subprocess.Popen(
        [sys.executable, "-m", "earmark", "asr", "--db", str(db_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        eventually(lambda: _guesses(db_path), "a first guess on disk", timeout=120)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    before = _guesses(db_path)
    assert 0 < len(before) < len(LONGER), "the run ended before it could be interrupted"
    p = earmark("asr", "--db", db_path)
    assert p.stdout.strip() == f"first guesses made for {len(LONGER) - len(before)} clips"
    after = _guesses(db_path)
    assert len(after) == len(LONGER)
    assert {k: after[k] for k in before} == before  # nothing done was done again


def test_several_processes_give_the_same_guesses(project, tmp_path):
    one = tmp_path / "one.db"
    earmark("init", "--db", one)
    earmark("import", tmp_path / "clips" / "manifest.jsonl", "--db", one)
    earmark("asr", "--db", one)
    p = earmark("asr", "--db", project, "--jobs", "2")
    assert p.stdout.strip() == "first guesses made for 3 clips"

    def said(db):  # confidences move a little with what the decoder heard before
        return {
            k: (t, [(w.word, w.start, w.end) for w in ws])
            for k, (t, ws, *_) in _guesses(db).items()
        }

    assert said(project) == said(one)


def test_progress_is_one_line_redrawn_on_a_terminal(project):
    primary, secondary = pty.openpty()
    p = subprocess.run(
        [sys.executable, "-m", "earmark", "asr", "--db", str(project)],
        stdout=subprocess.PIPE,
        stderr=secondary,
        timeout=300,
    )
    os.close(secondary)
    err = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(primary)
    assert p.returncode == 0
    text = err.decode().replace("\r\n", "\n")  # the terminal's own end of line
    assert text.count("\r") == 3 and text.count("\n") == 1  # one line, drawn once per clip
    assert "3/3 clips, 100%" in text


def test_refused_without_lead_bad_jobs_or_pocketsphinx(project, monkeypatch, capsys):
    p = earmark("asr", "--db", project, "--user", "mallory", check_rc=2)
    assert "only a lead may make first guesses" in p.stderr and "Traceback" not in p.stderr
    p = earmark("asr", "--db", project, "--jobs", "0", check_rc=2)
    assert p.stderr.strip() == "earmark: --jobs 0: give 1 to 64 processes"
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)  # as if it were not installed
    assert main(["asr", "--db", str(project)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "earmark: first guesses need pocketsphinx: pip install 'earmark[align]'"
    assert _guesses(project) == {}


def test_timings_backfill_aligns_submitted_transcripts(tmp_path, db_path):
    from tests.speech import SENTENCES

    store = open_store(db_path)
    import_manifests(store, [speech_manifest(tmp_path / "clips")])
    store.submit(1, SENTENCES[0], "ann", 3.0)
    store.submit(2, SENTENCES[1], "ann", 3.0)
    store.name_lead_if_none("lead")
    lead = next(u.name for u in store.users() if u.role == "lead")
    store.close()
    p = earmark("asr", "--db", db_path, "--timings", "--user", lead)
    assert p.stdout.strip() == "word timings kept for 2 transcripts"
    store = open_store(db_path, create=False)
    timed = list(store.iter_word_timings())
    store.close()
    assert [(c, t) for c, t, _ in timed] == [(1, SENTENCES[0]), (2, SENTENCES[1])]
    for _c, text, words in timed:
        assert [w.word for w in words] == text.split()
        assert all(a.end <= b.start + 1e-6 for a, b in zip(words, words[1:], strict=False))
    p = earmark("asr", "--db", db_path, "--timings", "--user", lead)
    assert p.stdout.strip() == "word timings kept for 0 transcripts"


def test_unreadable_audio_costs_one_clip(project):
    store = open_store(project, create=False)
    Path(store.clip(2).audio).write_bytes(b"RIFF\x00\x00\x00\x00WAVEnope")
    store.close()
    p = earmark("asr", "--db", project)
    assert p.stdout.strip() == "first guesses made for 2 clips; 1 could not be decoded"
    assert "clip 2:" in p.stderr and "Traceback" not in p.stderr
