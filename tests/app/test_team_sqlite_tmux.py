"""Two annotators on one SQLite file, each in their own terminal running the real `earmark
annotate`: pressing Enter in turn, they never see the same clip, and what each screen showed
is what the database recorded. A submit after someone else took the clip is refused on screen
and the typed text is kept as the annotator's draft.

The PostgreSQL version (different OS users, peer authentication) is in
tests/pg/test_pg_identity.py.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from earmark.cli import main
from earmark.store import open_store
from tests.tmux import Tmux

pytestmark = pytest.mark.tmux
DEMO = Path(__file__).resolve().parents[2] / "demo_data" / "manifest.jsonl"
POSITION = re.compile(r"clip (\d+) of 21\b")


@pytest.fixture
def team_db(tmp_path: Path) -> Path:
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    db = tmp_path / "team.db"
    assert main(["import", "--db", str(db), "--user", "lee", str(DEMO)]) == 0
    return db


def _annotator(tmp_path: Path, db: Path, user: str) -> Tmux:
    t = Tmux(tmp_path, f"team-{user}")
    argv = [sys.executable, "-m", "earmark", "annotate", "--db", str(db), "--user", user]
    t.start([*argv, "--no-autoplay"], width=80, height=24, env={"EARMARK_OUTPUT": "null"})
    return t


def _position(t: Tmux, other_than: str | None = None) -> str:
    def shown(screen: str) -> bool:
        m = POSITION.search(screen)
        return m is not None and m.group(1) != other_than

    return POSITION.search(t.wait_until(shown, "a clip on screen")).group(1)  # type: ignore[union-attr]


def test_two_annotators_in_tmux_on_one_file_never_see_the_same_clip(
    tmp_path: Path, team_db: Path
) -> None:
    terms = {u: _annotator(tmp_path, team_db, u) for u in ("ann", "bob")}
    seen: dict[str, list[str]] = {u: [] for u in terms}
    try:
        for t in terms.values():
            t.ready("of 21")
        for _ in range(4):
            now = {u: _position(t) for u, t in terms.items()}
            assert now["ann"] != now["bob"], f"both annotators see clip {now['ann']}"
            for user, t in terms.items():
                seen[user].append(now[user])
                t.keys("Enter")
                _position(t, other_than=now[user])
        assert not set(seen["ann"]) & set(seen["bob"]), seen
        for t in terms.values():
            t.keys("C-q")
            t.wait_dead()
    finally:
        for t in terms.values():
            t.kill()
    store = open_store(team_db, create=False)
    try:
        done = {
            str(store.position(c.id)): c.annotator for c in store.iter_clips() if c.status == "done"
        }
        assert done == {p: u for u, ps in seen.items() for p in ps}
        assert store.audit_verify().ok
    finally:
        store.close()


def test_a_submit_after_someone_else_took_the_clip_is_refused_and_kept(
    tmp_path: Path, team_db: Path
) -> None:
    t = _annotator(tmp_path, team_db, "ann")
    try:
        t.ready("of 21")
        assert _position(t) == "1"
        t.keys(" zqxj", literal=True)
        t.wait_for("zqxj")
        other = open_store(team_db, create=False)
        try:
            # ann's lease runs out (as if she had walked away) and bob claims the clip
            with other.db.write() as c:
                c.execute("UPDATE clips SET lease_until = 0 WHERE id = 1")
            assert other.claim_next("bob") == 1
            other.forget(1)
        finally:
            other.close()
        t.keys("Enter")
        screen = t.wait_for("another annotator took it")
        assert "kept as your draft" in screen.replace("\n", " ") or "draft" in screen
        assert _position(t, other_than="1") == "2"
        t.keys("C-q")
        t.wait_dead()
    finally:
        t.kill()
    store = open_store(team_db, create=False)
    try:
        clip = store.clip(1)
        assert clip is not None and clip.status == "in_progress" and clip.annotator == "bob"
        kept = store.draft(1, "ann")
        assert kept is not None and kept.text.endswith("zqxj")
        assert store.draft(1, "bob") is None
        assert [r["annotator"] for r in store.revisions(1)] == []  # nothing submitted over it
    finally:
        store.close()
