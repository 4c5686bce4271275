"""`earmark check [--json]`: the acoustic check over submitted clips, from the command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from earmark.align import available

needs_engine = pytest.mark.skipif(not available()[0], reason=available()[1] or "engine present")
HOSTILE_WORD = "\x1b[31mred\x1b[0m"


def earmark(*args: str, cwd: Path, code: str | None = None) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "earmark", *args]
    if code is not None:
        argv = [sys.executable, "-c", code, *args]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(realdata, tmp_path):
    """Five LibriVox clips; three submitted: the truth, one wrong word, one hostile word."""
    from earmark.store import NewClip, open_store

    db = tmp_path / "p.db"
    store = open_store(db)
    store.name_lead_if_none("lead")
    store.ensure_user("ann")
    batch = store.batch_id("sense")
    wavs = sorted((realdata / "librivox").glob("*.wav"))
    store.add_clips(batch, [NewClip(name=f"clip-{i}", audio=str(w)) for i, w in enumerate(wavs)])
    clips = {Path(c.audio).stem[-4:]: c for c in store.iter_clips()}
    store.submit(clips["0880"].id, "he was not an ill tempered young man", "ann", 9.0)
    store.submit(clips["0930"].id, "he might even have been made amiable himself", "ann", 9.0)
    store.submit(
        clips["0920"].id,
        f"had he married a more a amiable woman he {HOSTILE_WORD} have been made still more "
        "respectable than he was",
        "ann",
        9.0,
    )
    store.close()
    return db, {k: c.name for k, c in clips.items()}


@needs_engine
def test_json_lists_the_marked_words_of_each_submitted_clip(project, tmp_path):
    db, names = project
    out = earmark("check", "--json", "--db", str(db), "--user", "lead", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    items = {i["clip"]: i for i in json.loads(out.stdout)}
    assert set(items) == {names["0880"], names["0920"], names["0930"]}  # submitted ones only
    assert [w["word"] for w in items[names["0880"]]["words"]] == ["tempered"]
    assert items[names["0930"]]["words"] == []
    w = items[names["0880"]]["words"][0]
    assert set(w) == {"word", "start", "end", "score"} and 0 <= w["score"] < 0.5
    assert 1.0 < w["start"] < w["end"] < 3.0
    assert HOSTILE_WORD in [w["word"] for w in items[names["0920"]]["words"]]
    assert "\x1b" not in out.stdout  # escaped by JSON, never raw


@needs_engine
def test_text_output_names_clip_word_score_and_time_with_hostile_text_cleaned(project, tmp_path):
    db, names = project
    out = earmark("check", "--db", str(db), "--user", "lead", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"{names['0880']}: 1 marked" in out.stdout
    line = next(x for x in out.stdout.splitlines() if "tempered" in x)
    assert "score 0." in line and " s" in line
    assert "\x1b" not in out.stdout and "3 clips checked" in out.stdout


@needs_engine
def test_a_clip_whose_audio_is_gone_is_named_and_the_rest_still_checked(realdata, tmp_path):
    from earmark.store import NewClip, open_store

    gone = tmp_path / "gone.wav"
    shutil.copy(realdata / "librivox" / "sense_and_sensibility_01_austen_64kb-0880.wav", gone)
    db = tmp_path / "p.db"
    store = open_store(db)
    store.name_lead_if_none("lead")
    batch = store.batch_id("b")
    real = realdata / "librivox" / "sense_and_sensibility_01_austen_64kb-0930.wav"
    store.add_clips(batch, [NewClip(name="a-gone", audio=str(gone)), NewClip("b-real", str(real))])
    for clip in store.iter_clips():
        store.submit(clip.id, "he might even have been made amiable himself", "lead", 5.0)
    store.close()
    gone.unlink()
    out = earmark("check", "--db", str(db), "--user", "lead", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "a-gone: not checked: cannot read the audio" in out.stderr
    assert "1 clip checked, 0 words marked (1 could not be checked)" in out.stdout
    assert "Traceback" not in out.stderr
    items = json.loads(
        earmark("check", "--json", "--db", str(db), "--user", "lead", cwd=tmp_path).stdout
    )
    assert [i["clip"] for i in items] == ["a-gone", "b-real"]
    assert "reason" in items[0] and items[1] == {"clip": "b-real", "words": []}


@needs_engine
def test_annotators_may_not_run_it(project, tmp_path):
    db, _names = project
    out = earmark("check", "--db", str(db), "--user", "ann", cwd=tmp_path)
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "reviewer or lead" in out.stderr and "Traceback" not in out.stderr


def test_without_pocketsphinx_it_says_why_and_exits_2(tmp_path):
    code = (
        "import sys; sys.modules['pocketsphinx'] = None\n"
        "from earmark.cli import entry\n"
        "sys.argv = ['earmark'] + sys.argv[1:]\n"
        "entry()\n"
    )
    out = earmark("check", "--db", str(tmp_path / "none.db"), cwd=tmp_path, code=code)
    assert out.returncode == 2, out
    assert out.stderr.count("\n") == 1 and "pocketsphinx" in out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""


@needs_engine
@pytest.mark.tmux
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_real_earmark_check_in_a_terminal(project, tmp_path, term):
    db, names = project
    exe = Path(sys.executable).with_name("earmark")
    argv = [str(exe) if exe.exists() else sys.executable]
    argv += [] if exe.exists() else ["-m", "earmark"]
    term.start(
        [*argv, "check", "--db", str(db), "--user", "lead"],
        width=80,
        height=24,
        env={"PYTHONPATH": os.environ.get("PYTHONPATH", "")},
    )
    term.wait_for("clips checked", timeout=120)
    screen = term.screen(history=24)
    assert f"{names['0880']}: 1 marked" in screen
    assert "tempered" in screen and "3 clips checked" in screen
