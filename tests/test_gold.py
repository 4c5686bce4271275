"""Gold clips on SQLite: import, blind serving, scoring, and what an annotator can run.

The reference in these tests is a phrase no clip says ("zebra quantum marmalade"), so any
output that contains it has leaked the reference; the gold clip's name is looked for too.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from earmark import cli
from earmark.clock import FakeClock
from earmark.session import Session
from earmark.session.gold import GoldServing
from earmark.store import open_store
from tests.support import LIBRI, needs_realdata, write_jsonl

pytestmark = needs_realdata

REF = "zebra quantum marmalade"


def _manifest(folder: Path, gold_lines: tuple[int, ...] = (1, 3)) -> Path:
    rows = []
    for i, wav in enumerate(sorted(LIBRI.glob("*.wav"))):
        row: dict = {"audio": str(wav), "id": f"src-{i}", "asr": f"guess number {i}"}
        if i in gold_lines:
            row["gold"] = {"text": f"{REF} {i}", "flags": ["critical"] if i == 3 else []}
        rows.append(row)
    return write_jsonl(folder / "m.jsonl", rows)


@pytest.fixture
def project(tmp_path: Path, capsys) -> Path:
    db = tmp_path / "earmark.db"
    assert cli.main(["init", "--db", str(db), "--user", "lead"]) == 0
    m = _manifest(tmp_path)
    args = ["import", str(m), "--db", str(db), "--user", "lead", "--batch", "b1"]
    assert cli.main([*args, "--audio-root", str(LIBRI)]) == 0
    out = capsys.readouterr().out
    assert "gold clips (hidden references, served blind): 2" in out
    store = open_store(db)
    store.grant_role("lead", "ann", "annotator")
    store.grant_role("lead", "bob", "annotator")
    store.grant_role("lead", "rev", "reviewer")
    store.close()
    return db


def _session(db: Path, user: str, rng: random.Random | None = None) -> tuple[Session, object]:
    store = open_store(db, clock=FakeClock())
    return Session(store, user, gold=GoldServing(store, user, rng=rng)), store


def test_gold_clips_leave_the_shared_queue(project: Path) -> None:
    store = open_store(project)
    gold = store.gold_ids()
    assert len(gold) == 2
    seen = []
    cid = store.next_open("zed", 0)
    while cid is not None:
        seen.append(cid)
        store.submit(cid, "x", "zed", 1.0)
        cid = store.next_open("zed", 0)
    assert seen and not set(seen) & gold
    assert store.claim_next("zed") is None
    store.close()


def test_a_new_annotator_gets_gold_first_and_each_annotator_gets_each_gold_clip(
    project: Path,
) -> None:
    for user in ("ann", "bob"):
        s, store = _session(project, user)
        gold = store.gold_ids()
        first = s.resume()
        assert first is not None and first.clip.id in gold
        # the screen sees a clip of theirs in progress, in its import position, with the guess
        assert first.clip.status == "in_progress" and first.clip.annotator == user
        assert first.position == store.position(first.clip.id) and first.total == 5
        assert first.text == first.clip.asr and not first.reopened
        # the screen decodes the next clip ahead, as it does for every clip
        ahead = s.upcoming()
        assert ahead is not None and ahead.id in gold - {first.clip.id}
        second = s.submit("zebra quantum marmalade one")
        assert second is not None and second.clip.id == ahead.id
        assert second is not None and second.clip.id in gold - {first.clip.id}
        third = s.submit(f"{REF} 3")
        assert third is not None and third.clip.id not in gold  # onboarding: only two exist
        s.close()
        store.close()
    store = open_store(project)
    answers = store.gold_answers()
    assert sorted(a.annotator for a in answers) == ["ann", "ann", "bob", "bob"]
    by = {(a.annotator, a.clip): a for a in answers}
    one = next(a for a in answers if a.annotator == "ann" and a.edits == 0)
    assert one.words == 4 and not one.skipped and one.text == f"{REF} 3"
    ref = store.gold_reference(one.clip_id)
    assert ref is not None and ref.text == f"{REF} 3" and ref.flags == ("critical",)
    # "zebra quantum marmalade one" against "zebra quantum marmalade 1": one edit of four
    assert sorted(a.edits for a in answers if a.annotator == "ann") == [0, 1]
    assert len(by) == 4
    store.close()


def test_the_end_of_the_queue_says_nothing_of_gold_clips(project: Path) -> None:
    s, store = _session(project, "ann")
    state = s.resume()
    for _ in range(10):
        if state is None:
            break
        state = s.submit("an answer")
    assert state is None  # every clip done, the two gold ones among them
    left = s.queue_left()
    # the gold clips are neither "held back" from her nor "in progress with someone else"
    assert (left.held_back, left.elsewhere, left.yours) == (0, 0, 0)
    assert left.describe().endswith("Left: nothing.")
    s.close()
    store.close()


def test_gold_flags_are_scored_and_a_skip_counts(project: Path) -> None:
    s, store = _session(project, "ann")
    first = s.resume()
    assert first is not None
    store.add_flag(first.clip.id, "critical", "ann")  # clip 1 expects no flags
    s.submit(f"{REF} 1")
    s.skip("no speech")  # clip 3 expects critical; none raised
    answers = {a.clip_id: a for a in store.gold_answers()}
    assert [a.flags_agree for a in answers.values()] == [False, False]
    assert [a.skipped for a in answers.values()] == [False, True]
    tally = store.gold_score("ann", 0.0)
    assert (tally.clips, tally.skipped, tally.edits) == (2, 1, 0)
    s.close()
    store.close()


def test_the_submit_of_a_gold_clip_looks_like_any_submit(project: Path) -> None:
    s, store = _session(project, "ann")
    g = s.resume()
    assert g is not None
    s.submit(f"{REF} 1")
    s.submit(f"{REF} 3")
    s.submit("an ordinary transcript")
    s.flush()
    subs = [e for e in store.audit_entries() if e.action == "submit"]
    assert len(subs) == 3
    assert len({tuple(sorted(json.loads(e.detail))) for e in subs}) == 1
    # done today counts gold like any clip
    assert s.done_today() == 3
    s.close()
    store.close()


def test_drafts_of_a_gold_clip_are_each_annotators_own(project: Path) -> None:
    a, sa = _session(project, "ann")
    b, sb = _session(project, "bob")
    ga, gb = a.resume(), b.resume()
    assert ga is not None and gb is not None and ga.clip.id == gb.clip.id
    a.edit("ann's private words", 5)
    assert a.save_draft()
    b.close()
    b2, sb2 = _session(project, "bob")
    again = b2.resume()
    assert again is not None and again.clip.id == ga.clip.id
    assert "private" not in again.text
    a.close()
    a2, sa2 = _session(project, "ann")
    mine = a2.resume()
    assert mine is not None and mine.text == "ann's private words"
    for s in (a2, b2):
        s.close()
    for st in (sa, sb, sb2, sa2):
        st.close()


def test_nothing_an_annotator_runs_shows_the_reference_or_the_gold_clip(
    project: Path, capsys
) -> None:
    s, store = _session(project, "ann")
    g = s.resume()
    assert g is not None
    gold_name = g.clip.name
    s.submit(f"{REF} 1")
    s.close()
    store.close()
    db = str(project)
    outputs = []
    for argv in (
        ["stats", "--db", db],
        ["stats", "--json", "--db", db],
        ["export", "--db", db, "--user", "ann"],
        ["export", "--format", "csv", "--db", db, "--user", "ann"],
        ["export", "--format", "nemo", "--db", db, "--user", "ann"],
        ["escalations", "--db", db, "--user", "ann"],
        ["escalations", "--json", "--db", db, "--user", "ann"],
        ["audit", "verify", "--db", db],
    ):
        cli.main(argv)
        out = capsys.readouterr()
        outputs.append(out.out + out.err)
    joined = "\n".join(outputs).replace(f"{REF} 1", "her own answer")
    assert "zebra" not in joined and "marmalade" not in joined
    assert "gold" not in joined.lower()
    # the gold clip is held from the queue, yet counts as a clip nobody opened, not one
    # someone has open: "1 in progress" with nobody at work would point at it
    figures = json.loads(outputs[1])
    assert figures["in_progress"] == 0 and figures["pending"] == figures["clips"]
    # in her export the gold clip she answered is her submission, as any clip she did
    rows = [json.loads(x) for x in outputs[2].splitlines()]
    row = next(r for r in rows if r["clip"] == gold_name)
    assert (row["status"], row["text"], row["annotator"]) == ("done", f"{REF} 1", "ann")
    # ... and to anyone else it is a clip nobody finished
    assert cli.main(["export", "--db", db, "--user", "bob"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    row = next(r for r in rows if r["clip"] == gold_name)
    assert row["status"] == "pending" and row["text"] is None and row["annotator"] is None
    # ... and the agreement figures are for reviewers and leads only
    assert cli.main(["agreement", "--db", db, "--user", "ann"]) == 2
    assert "only a reviewer or lead" in capsys.readouterr().err
    assert cli.main(["export", "--include-gold", "--db", db, "--user", "ann"]) == 2
    capsys.readouterr()


def test_help_does_not_name_a_gold_clip(capsys) -> None:
    for argv in (["--help"], ["annotate", "--help"], ["export", "--help"], ["stats", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
        text = capsys.readouterr().out
        assert "zebra" not in text


def test_export_include_gold_writes_the_reference_for_a_lead(project: Path, capsys) -> None:
    db = str(project)
    assert cli.main(["export", "--format", "nemo", "--db", db, "--user", "lead"]) == 0
    assert "zebra" not in capsys.readouterr().out
    args = ["export", "--format", "nemo", "--include-gold", "--db", db, "--user", "lead"]
    assert cli.main(args) == 0
    texts = [json.loads(x)["text"] for x in capsys.readouterr().out.splitlines()]
    assert f"{REF} 1" in texts
    # the critical gold clip stays out of nemo unless --include-critical, like any clip?
    # its reference flags are not flags on the clip: it is written
    assert f"{REF} 3" in texts


def test_agreement_json_for_a_reviewer(project: Path, capsys) -> None:
    s, store = _session(project, "ann")
    s.resume()
    s.submit(f"{REF} one")  # "one" for "1": one edit of four
    s.submit(f"{REF} 3")
    s.close()
    store.close()
    assert cli.main(["agreement", "--json", "--db", str(project), "--user", "rev"]) == 0
    out = json.loads(capsys.readouterr().out)
    ann = out["annotators"]["ann"]
    assert ann["gold_clips"] == 2
    assert ann["gold_wer"] == pytest.approx(1 / 8)
    assert "pair_wer" in ann
    assert cli.main(["agreement", "--db", str(project), "--user", "rev"]) == 0
    assert "ann" in capsys.readouterr().out


def test_a_gold_line_with_a_bad_reference_is_refused(tmp_path: Path, capsys) -> None:
    wav = str(next(iter(sorted(LIBRI.glob("*.wav")))))
    m = write_jsonl(
        tmp_path / "m.jsonl",
        [
            {"audio": wav, "id": "a", "gold": {"text": 5}},
            {"audio": wav, "id": "b", "gold": {"text": "x", "flags": ["nonsense"]}},
            {"audio": wav, "id": "c", "gold": ["x"]},
        ],
    )
    db = tmp_path / "e.db"
    root = ["--audio-root", str(LIBRI)]
    assert cli.main(["import", str(m), "--db", str(db), "--user", "lead", *root]) == 1  # none in
    out = capsys.readouterr().out
    assert "m.jsonl:1: `gold.text` must be a string" in out
    assert "m.jsonl:2: `gold.flags` has an unknown kind 'nonsense'" in out
    assert "m.jsonl:3: `gold` must be an object" in out


def test_purging_a_gold_clip_takes_its_reference_and_answers(project: Path) -> None:
    s, store = _session(project, "ann")
    g = s.resume()
    assert g is not None
    s.submit("words")
    s.close()
    counts = store.purge_clips([g.clip.name], actor="lead", reason="consent withdrawn")
    assert counts.get("gold") == 1 and counts.get("gold_answers") == 1
    assert g.clip.id not in store.gold_ids()
    store.close()


def test_a_gold_clip_that_will_not_play_is_passed_over(project: Path) -> None:
    s, store = _session(project, "ann")
    g = s.resume()
    assert g is not None
    nxt = s.mark_unplayable("no data chunk")
    assert nxt is not None and nxt.clip.id != g.clip.id
    assert store.next_gold("ann", due=False, near=0, batch=None, onboarding=3) != g.clip.id
    s.close()
    store.close()


def _rated(tmp_path: Path, rate: str, overlap: str = "1") -> Path:
    tmp_path.mkdir(exist_ok=True)
    db = tmp_path / "r.db"
    assert cli.main(["init", "--db", str(db), "--user", "lead"]) == 0
    m = _manifest(tmp_path)
    args = ["import", str(m), "--db", str(db), "--user", "lead", "--batch", "b1"]
    args += ["--gold-rate", rate, "--overlap", overlap, "--audio-root", str(LIBRI)]
    assert cli.main(args) == 0
    return db


def _walk(db: Path, user: str) -> list[tuple[int, bool]]:
    """(clip id, gold?) in the order the session gives them, submitting each; onboarding off."""
    store = open_store(db, clock=FakeClock())
    gold = store.gold_ids()
    s = Session(store, user, gold=GoldServing(store, user, onboarding=0))
    seen = []
    state = s.resume()
    while state is not None and len(seen) < 20:
        seen.append((state.clip.id, state.clip.id in gold))
        s.upcoming()
        state = s.submit("words")
    s.close()
    store.close()
    return seen


def test_the_batch_gold_rate_decides_how_often_gold_comes(tmp_path: Path, capsys) -> None:
    # rate 1: after every clip finished, the next is gold while the batch has gold unanswered
    every = (
        _walk(_rated(tmp_path / "one", "1"), "ann") if (tmp_path / "one").mkdir() is None else []
    )
    assert [g for _, g in every] == [False, True, True, False, False]
    # rate 0: no gold after onboarding (which is off here)
    never = (
        _walk(_rated(tmp_path / "zero", "0"), "ann") if (tmp_path / "zero").mkdir() is None else []
    )
    assert [g for _, g in never] == [False] * 3
    capsys.readouterr()


def test_with_overlap_a_gold_clip_has_no_slot_and_the_queue_never_gives_it(
    tmp_path: Path, capsys
) -> None:
    db = _rated(tmp_path, "0", overlap="2")
    store = open_store(db)
    gold = store.gold_ids()
    assert (
        store.db.scalar("SELECT count(*) FROM slots WHERE clip_id IN (SELECT clip_id FROM gold)")
        == 0
    )
    store.set_batch_settings("b1", actor="lead", overlap=3)  # a lead raises the overlap
    assert (
        store.db.scalar("SELECT count(*) FROM slots WHERE clip_id IN (SELECT clip_id FROM gold)")
        == 0
    )
    store.close()
    for user in ("ann", "bob", "cid"):
        assert not {c for c, _ in _walk(db, user)} & gold
    capsys.readouterr()


def test_agreement_refuses_an_unknown_batch_in_one_line(project: Path, capsys) -> None:
    assert cli.main(["agreement", "--db", str(project), "--user", "rev", "--batch", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no batch named 'x'" in err
