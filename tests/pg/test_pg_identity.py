"""Identity is PostgreSQL's: earmark run as different OS users over the local socket (peer
authentication), each proving what their role cannot do, refused by PostgreSQL itself."""

from __future__ import annotations

import json
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from earmark.store.clips import NewClip
from earmark.store.postgres import open_postgres
from tests.pg import osusers
from tests.pg.support import PgTest

if osusers.skip_reason():
    pytest.skip(osusers.skip_reason() or "", allow_module_level=True)

# Fixed OS logins; their group roles are cluster-wide and set the same way every run.
PEOPLE = {
    "emkann1": "annotator",
    "emkann2": "annotator",
    "emkrev1": "reviewer",
    "emkrev2": "reviewer",
}


@pytest.fixture(scope="module")
def env() -> Path:
    return osusers.venv()


def _people(pg: PgTest) -> None:
    for name, role in PEOPLE.items():
        osusers.ensure_user(name)
        pg.admin.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}')"
            f" THEN CREATE ROLE {name} LOGIN; END IF; END $$"
        )
        for group in ("annotator", "reviewer", "lead"):
            verb = "GRANT" if group == role else "REVOKE"
            prep = "TO" if verb == "GRANT" else "FROM"
            pg.admin.execute(f"{verb} earmark_{group} {prep} {name}")


@pytest.fixture
def team(pg: PgTest, env: Path, tmp_path: Path):
    _people(pg)
    lead = open_postgres(pg.url)
    lead.add_clips(lead.batch_id("b"), [NewClip(name=f"c{i}", audio=f"/a/{i}") for i in range(40)])
    lead.close()

    def earmark(user: str, *args: str) -> tuple[int, str, str]:
        done = osusers.run_as(user, tmp_path / user, [str(env / "bin/earmark"), *args])
        return done.returncode, done.stdout, done.stderr

    def python(user: str, code: str) -> tuple[int, str, str]:
        script = textwrap.dedent(code).replace("URL", pg.url)
        done = osusers.run_as(user, tmp_path / user, [str(env / "bin/python"), "-c", script])
        return done.returncode, done.stdout, done.stderr

    return pg, earmark, python


def test_each_user_is_who_postgres_says(team) -> None:
    pg, _, python = team
    code, out, err = python(
        "emkann1",
        "from earmark.store import open_store\n"
        "s = open_store('URL'); print(s.me, s.ensure_user(s.me))",
    )
    assert code == 0, err
    assert out.split() == ["emkann1", "annotator"]


def test_annotator_cannot_read_another_annotators_note_or_draft(team) -> None:
    pg, earmark, python = team
    code, out, err = python(
        "emkann1",
        """
        from earmark.store import open_store
        s = open_store('URL')
        cid = s.next_open(s.me, 0)
        s.save_draft(cid, s.me, 'draft of ann1', 3, 1.0)
        e = s.raise_escalation(cid, s.me, tier='urgent', category='crime', note='NOTE-OF-ANN1')
        s.close()
        print(cid, e)
        """,
    )
    assert code == 0, err
    cid, esc_id = map(int, out.split())
    code, out, err = earmark("emkann2", "escalations", "--db", pg.url, "--json")
    assert code == 0, err
    assert json.loads(out) == []
    code, out, err = python(
        "emkann2",
        f"""
        import psycopg
        from earmark.store import open_store
        s = open_store('URL')
        print(s.draft({cid}), s.escalation({esc_id}))
        raw = psycopg.connect('URL')
        print(raw.execute('SELECT count(*) FROM earmark.drafts').fetchone()[0],
              raw.execute('SELECT count(*) FROM earmark.escalations').fetchone()[0])
        """,
    )
    assert code == 0, err
    assert out.split() == ["None", "None", "0", "0"]
    code, out, err = earmark("emkrev1", "escalations", "--db", pg.url, "--json")
    assert code == 0 and json.loads(out)[0]["id"] == esc_id  # reviewers do see it


def test_annotator_cannot_forge_or_alter_the_audit_log(team) -> None:
    pg, earmark, python = team
    code, out, err = python(
        "emkann1",
        """
        import psycopg
        from earmark.store import open_store
        s = open_store('URL')
        s.ensure_user(s.me)
        for name in ('emkrev1',):
            try:
                s.audit_append(name, 'escalation_confirm')
                print('forged-through-store')
            except Exception as exc:
                print('refused:', type(exc).__name__)
        raw = psycopg.connect('URL', autocommit=True)
        for q in ("INSERT INTO earmark.audit VALUES (999,'t','emkrev1','x',NULL,'{}','a','b')",
                  "UPDATE earmark.audit SET actor = 'emkrev1'",
                  "DELETE FROM earmark.audit"):
            try:
                raw.execute(q)
                print('ALTERED')
            except psycopg.errors.InsufficientPrivilege:
                print('denied')
        raw.execute("SELECT earmark.audit_append('confirm', NULL, '{}')")
        """,
    )
    assert code == 0, err
    assert out.split() == ["refused:", "UserError", "denied", "denied", "denied"]
    code, out, err = earmark("emkann1", "audit", "verify", "--db", pg.url)
    assert code == 2 and "PostgreSQL refused" in err  # annotators do not read the log
    lead = open_postgres(pg.url)
    entries = lead.audit_entries()
    assert [e.actor for e in entries if e.action == "confirm"] == ["emkann1"]
    assert lead.audit_verify().ok
    lead.close()


def test_annotator_cannot_grant_roles(team) -> None:
    pg, earmark, _ = team
    code, out, err = earmark("emkann1", "roles", "--db", pg.url, "grant", "emkann1", "lead")
    assert code == 2 and "PostgreSQL refused" in err and err.count("\n") == 1
    code, out, err = earmark("emkrev1", "roles", "--db", pg.url, "grant", "emkann2", "reviewer")
    assert code == 2 and "PostgreSQL refused" in err
    check = open_postgres(pg.url)
    assert check.role_of("emkann1") == "annotator" and check.role_of("emkann2") == "annotator"
    check.close()


def test_user_flag_grants_nothing(team) -> None:
    pg, earmark, _ = team
    code, out, err = earmark("emkann1", "escalations", "--db", pg.url, "--user", "emkrev1")
    assert code == 2 and "--user is refused on PostgreSQL" in err


def test_a_reviewer_cannot_confirm_their_own_referral(team) -> None:
    pg, earmark, python = team
    code, out, err = python(
        "emkann1",
        """
        from earmark.store import open_store
        s = open_store('URL')
        cid = s.next_open(s.me, 0)
        print(s.raise_escalation(cid, s.me, tier='imminent', category='threat to life'))
        """,
    )
    assert code == 0, err
    esc_id = out.strip()
    code, out, err = earmark(
        "emkrev1",
        "escalations",
        "--db",
        pg.url,
        "resolve",
        esc_id,
        "--outcome",
        "referred_law_enforcement",
    )
    assert code == 0, err
    code, out, err = earmark("emkrev1", "escalations", "--db", pg.url, "confirm", esc_id)
    assert code == 2 and err.count("\n") == 1
    code, out, err = python(
        "emkrev1",
        f"""
        import psycopg
        raw = psycopg.connect('URL', autocommit=True)
        try:
            raw.execute("UPDATE earmark.escalations SET state = 'resolved',"
                        " confirmed_by = 'emkrev1' WHERE id = {esc_id}")
            print('CONFIRMED')
        except psycopg.errors.CheckViolation:
            print('check')
        try:
            raw.execute("UPDATE earmark.escalations SET state = 'resolved',"
                        " confirmed_by = 'emkrev2' WHERE id = {esc_id}")
            print('CONFIRMED')
        except psycopg.errors.InsufficientPrivilege:
            print('denied')
        """,
    )
    assert code == 0, err
    assert out.split() == ["check", "denied"]
    code, out, err = earmark("emkann1", "escalations", "--db", pg.url, "confirm", esc_id)
    assert code == 2
    code, out, err = earmark("emkrev2", "escalations", "--db", pg.url, "confirm", esc_id)
    assert code == 0, err
    assert "confirmed by emkrev2" in out


def test_two_os_users_never_get_the_same_clip(team) -> None:
    pg, _, python = team
    claim = """
        from earmark.store import open_store
        s = open_store('URL')
        got = []
        while (cid := s.next_open(s.me, 0)) is not None:
            got.append(cid); s.submit(cid, 'words', s.me, 1.0)
        print(*got)
        """
    with ThreadPoolExecutor(2) as pool:  # both at once
        outs = list(pool.map(lambda u: python(u, claim), ("emkann1", "emkann2")))
    assert all(code == 0 for code, _, _ in outs), outs
    a, b = ({int(x) for x in out.split()} for _, out, _ in outs)
    assert not a & b and len(a | b) == 40


@pytest.mark.tmux
def test_two_os_users_in_tmux_never_see_the_same_clip(
    pg: PgTest, env: Path, tmp_path: Path
) -> None:
    import shutil

    from earmark.cli import main
    from tests.support import null_asoundrc
    from tests.tmux import Tmux

    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    _people(pg)
    demo = Path(__file__).resolve().parents[2] / "demo_data" / "manifest.jsonl"
    assert main(["import", "--db", pg.url, str(demo)]) == 0
    terms = {}
    for user in ("emkann1", "emkann2"):
        home = tmp_path / user
        home.mkdir()
        null_asoundrc(home)
        shutil.chown(home, user)
        shutil.chown(home / ".asoundrc", user)
        t = Tmux(tmp_path, f"pg-{user}")
        argv = ["runuser", "-u", user, "--", "env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin"]
        argv += ["TERM=xterm-256color", "LANG=C.UTF-8", str(env / "bin/earmark"), "annotate"]
        t.start([*argv, "--db", pg.url, "--no-autoplay"], width=80, height=24)
        terms[user] = t

    def position(t: Tmux) -> str:
        screen = t.wait_until(lambda s: " of 21" in s, "a clip on screen")
        return screen.split(" of 21")[0].split("clip")[-1].strip()

    try:
        seen: dict[str, list[str]] = {u: [] for u in terms}
        for _ in range(3):
            for user, t in terms.items():
                seen[user].append(position(t))
            a, b = (seen[u][-1] for u in terms)
            assert a != b, f"both annotators see clip {a}"
            for user, t in terms.items():
                before = seen[user][-1]
                t.keys("Enter")
                t.wait_until(lambda s, b=before: f"clip {b} of 21" not in s, "the next clip")
        assert not set(seen["emkann1"]) & set(seen["emkann2"])
    finally:
        for t in terms.values():
            t.kill()
    lead = open_postgres(pg.url)
    done = [c.annotator for c in lead.iter_clips() if c.status == "done"]
    assert sorted(done) == ["emkann1"] * 3 + ["emkann2"] * 3
    assert lead.audit_verify().ok
    lead.close()
