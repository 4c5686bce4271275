"""Gold clips and final transcripts on PostgreSQL: what the server itself refuses.

Each actor is its own login, so the refusals are PostgreSQL's: an annotator's raw SQL on the
references and answers is denied, the server serves and scores gold clips, and its word
error rate agrees with earmark/wer.py's.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from earmark.clock import FakeClock
from earmark.quality.gold import GoldRef
from earmark.roles import PermissionDenied
from earmark.store.clips import NewClip
from earmark.store.postgres import open_postgres
from earmark.wer import edits
from tests.pg.support import PgTest, psycopg

REF = "zebra quantum marmalade"


def _project(pg: PgTest, n: int = 4, gold: tuple[int, ...] = (1, 2)) -> dict[str, int]:
    store = open_postgres(pg.url, clock=FakeClock())
    try:
        b = store.batch_id("b1")
        store.add_clips(
            b, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr="a guess") for i in range(n)]
        )
        store.add_gold(
            [(f"c{i}", GoldRef(f"{REF} {i}", ("critical",) if i == 2 else ())) for i in gold]
        )
        return {f"c{i}": store.clip_by_name(f"c{i}").id for i in range(n)}  # type: ignore[union-attr]
    finally:
        store.close()


def _as(pg: PgTest, role: str):
    name, dsn = pg.login(role)
    return name, dsn, open_postgres(dsn, clock=FakeClock())


def test_an_annotator_may_not_read_references_answers_or_finals(pg: PgTest) -> None:
    ids = _project(pg)
    name, dsn, store = _as(pg, "annotator")
    assert store.next_gold(name, due=False, near=0, batch=None, onboarding=3) is not None
    store.close()
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("SET search_path = earmark")
        for q in (
            "SELECT * FROM gold",
            "SELECT * FROM gold_answers",
            "SELECT * FROM finals",
            "SELECT clip_id FROM gold_answers WHERE annotator = session_user",
            "INSERT INTO gold(clip_id, text, added_at) VALUES (1, 'x', 0)",
            "UPDATE gold_answers SET wer_edits = 0",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(q)
        # gold clips have no slots: nothing tells them apart in what an annotator may read
        rows = c.execute(
            "SELECT count(*) FROM slots WHERE clip_id = ANY(%s)", ([ids["c1"], ids["c2"]],)
        )
        assert rows.fetchone()[0] == 0
        # the server answers about no clip but the one it gave them
        got = c.execute("SELECT * FROM gold_open(%s)", (ids["c2"],)).fetchall()
        assert got == []


def test_the_queue_never_gives_a_gold_clip_and_gold_next_gives_one_at_a_time(pg: PgTest) -> None:
    ids = _project(pg)
    gold = {ids["c1"], ids["c2"]}
    name, _, store = _as(pg, "annotator")
    seen = []
    cid = store.next_open(name, 0)
    while cid is not None:
        seen.append(cid)
        store.submit(cid, "words", name, 1.0)
        cid = store.next_open(name, 0)
    assert sorted(seen) == sorted(set(ids.values()) - gold)
    first = store.next_gold(name, due=True, near=0, batch="b1", onboarding=0)
    assert first in gold
    # asked again before answering: the same clip, never a second one
    for _ in range(3):
        assert store.next_gold(name, due=True, near=0, batch="b1", onboarding=0) == first
    store.finish_gold(first, name, text=f"{REF} one", reason=None, seconds=2.0)
    second = store.next_gold(name, due=True, near=0, batch="b1", onboarding=0)
    assert second in gold - {first}
    store.finish_gold(second, name, text=None, reason="no speech", seconds=1.0)
    assert store.next_gold(name, due=True, near=0, batch="b1", onboarding=0) is None
    # the annotator's own figure, and nobody else's
    mine = store.gold_score(name, 0.0)
    assert (mine.clips, mine.skipped) == (2, 1)
    store.close()

    rev_name, _, rev = _as(pg, "reviewer")
    answers = {a.clip_id: a for a in rev.gold_answers()}
    assert set(answers) == gold
    one = answers[ids["c1"]]
    assert (one.edits, one.words, one.flags_agree) == (1, 4, True)
    assert answers[ids["c2"]].skipped and not answers[ids["c2"]].flags_agree
    rev.close()


def test_two_annotators_each_answer_every_gold_clip(pg: PgTest) -> None:
    ids = _project(pg, gold=(1,))
    for _ in range(2):
        name, _, store = _as(pg, "annotator")
        got = store.next_gold(name, due=False, near=0, batch=None, onboarding=3)
        assert got == ids["c1"]
        store.save_gold_draft(got, name, "draft words", 3, 1.0)
        opened = store.gold_open(got, name)
        assert opened is not None and opened.draft == "draft words" and opened.state == "served"
        store.finish_gold(got, name, text=f"{REF} 1", reason=None, seconds=1.0)
        assert store.gold_open(got, name).state == "done"  # type: ignore[union-attr]
        store.close()
    assert pg.sql("SELECT count(*) FROM earmark.gold_answers WHERE wer_edits = 0")[0][0] == 2


def test_an_answer_to_a_clip_not_given_is_refused(pg: PgTest) -> None:
    ids = _project(pg)
    name, _, store = _as(pg, "annotator")
    with pytest.raises(Exception, match="not given to you"):
        store.finish_gold(ids["c1"], name, text="x", reason=None, seconds=1.0)
    store.close()


def test_a_reviewer_who_transcribed_a_clip_may_not_set_its_final_text(pg: PgTest) -> None:
    ids = _project(pg, gold=())
    rev_name, _, rev = _as(pg, "reviewer")
    other_name, _, other = _as(pg, "reviewer")
    cid = rev.next_open(rev_name, 0)
    assert cid is not None
    rev.submit(cid, "my words", rev_name, 1.0)
    with pytest.raises(PermissionDenied):
        rev.set_final(cid, "my words", rev_name)
    other.set_final(cid, "their words", other_name)
    assert other.final_texts() == {cid: "their words"}
    ann_name, _, ann = _as(pg, "annotator")
    with pytest.raises(PermissionDenied):
        ann.final_texts()
    with pytest.raises(PermissionDenied):
        ann.set_final(ids["c3"], "x", ann_name)
    for s in (rev, other, ann):
        s.close()


words = st.lists(
    st.sampled_from(
        ["the", "The", "cat's", "don't", "o'clock", "naïve", "sat", "on", "mat,", "2", "--", "Über"]
    ),
    max_size=8,
).map(" ".join)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ref=words, hyp=words)
def test_server_word_edits_equal_earmark_wer(pg: PgTest, ref: str, hyp: str) -> None:
    got = pg.sql("SELECT earmark.word_edits(%s, %s)", (ref, hyp))[0][0]
    assert tuple(got) == edits(ref, hyp)


def test_a_session_serves_gold_blind_and_scores_it(pg: PgTest) -> None:
    from earmark.session import Session

    ids = _project(pg, gold=(2,))
    name, _, store = _as(pg, "annotator")
    s = Session(store, name)
    first = s.resume()
    assert first is not None and first.clip.id == ids["c2"]  # onboarding
    assert first.clip.status == "in_progress" and first.position == 3 and first.total == 4
    s.edit("a draft", 7)
    assert s.save_draft()
    nxt = s.submit(f"{REF} 2")
    assert nxt is not None and nxt.clip.id != ids["c2"]
    s.flush()
    assert s.done_today() == 1
    s.close()
    store.close()
    row = pg.sql(
        "SELECT state, wer_edits, ref_words, flags_agree FROM earmark.gold_answers"
        " WHERE annotator = %s",
        (name,),
    )
    assert row == [("done", 0, 4, False)]  # the reference expects a critical flag


def test_what_an_annotator_runs_on_postgresql_shows_no_reference(pg: PgTest) -> None:
    import io

    from earmark.exporting import write
    from earmark.stats import compute

    ids = _project(pg)
    name, _, store = _as(pg, "annotator")
    got = store.next_gold(name, due=False, near=0, batch=None, onboarding=3)
    assert got is not None
    store.finish_gold(got, name, text="my answer", reason=None, seconds=1.0)
    other = store.next_open(name, 0)
    assert other is not None
    buf = io.StringIO()
    write(store, "jsonl", buf)
    stats = json.dumps(compute(store))
    assert "zebra" not in buf.getvalue() + stats and "my answer" not in buf.getvalue()
    rows = {json.loads(x)["clip"]: json.loads(x) for x in buf.getvalue().splitlines()}
    # the gold clip they answered reads like a clip that is not theirs
    assert rows["c1" if got == ids["c1"] else "c2"]["status"] == "pending"
    with pytest.raises(PermissionDenied):
        write(store, "nemo", io.StringIO(), include_gold=True)
    store.close()


def test_raising_the_overlap_gives_a_gold_clip_no_slot(pg: PgTest) -> None:
    ids = _project(pg)
    lead = open_postgres(pg.url, clock=FakeClock())
    lead.set_batch_settings("b1", overlap=3)
    lead.close()
    gold = [ids["c1"], ids["c2"]]
    assert pg.sql("SELECT count(*) FROM earmark.slots WHERE clip_id = ANY(%s)", (gold,)) == [(0,)]
    assert pg.sql("SELECT count(*) FROM earmark.slots WHERE clip_id = %s", (ids["c0"],)) == [(3,)]


def test_agreement_and_disputed_clips_on_postgresql(pg: PgTest) -> None:
    """Overlap 2, two annotators: clip c0 "a b c d" / "a x c" (2 edits over 3.5 words),
    clip c1 "same" / "Same." (0 over 1): pair WER 2 / 4.5 = 0.4444; c0 is disputed."""
    import io

    from earmark.commands.agreement import ratings
    from earmark.exporting import write
    from earmark.quality.agreement import report
    from earmark.store import finals

    store = open_postgres(pg.url, clock=FakeClock())
    b = store.batch_id("b2", overlap=2)
    store.add_clips(b, [NewClip(name=f"o{i}", audio=f"/o/{i}.wav", asr="g") for i in range(2)])
    store.close()
    texts = {"o0": ("a b c d", "a x c"), "o1": ("same", "Same.")}
    for k in range(2):
        name, _, s = _as(pg, "annotator")
        for _ in range(2):
            cid = s.next_open(name, 0)
            assert cid is not None
            s.submit(cid, texts[s.clip(cid).name][k], name, 1.0)  # type: ignore[union-attr]
        s.close()
    rev_name, _, rev = _as(pg, "reviewer")
    out = report(ratings(rev, None), [])
    assert out["overall"]["pair_wer"] == pytest.approx(0.4444)
    disputed = finals.disputed(rev)
    assert [d.clip for d in disputed] == ["o0"]
    buf = io.StringIO()
    write(rev, "jsonl", buf)
    rows = {json.loads(x)["clip"]: json.loads(x) for x in buf.getvalue().splitlines()}
    assert "o0" not in rows and rows["o1"]["text"] in ("same", "Same.")
    rev.set_final(disputed[0].clip_id, "a b c", rev_name)
    assert finals.disputed(rev) == []
    rev.close()


def test_migrate_keeps_gold_clips_out_of_the_queue(pg: PgTest, tmp_path) -> None:
    from earmark.cli import main
    from earmark.session import Session
    from earmark.store import open_store

    src = tmp_path / "p.db"
    store = open_store(src, clock=FakeClock())
    b = store.batch_id("b")
    store.add_clips(b, [NewClip(name=f"m{i}", audio=f"/m/{i}.wav", asr="hi") for i in range(3)])
    store.add_gold([("m1", GoldRef(REF, ("critical",)))])
    s = Session(store, "ann")
    first = s.resume()  # onboarding: the gold clip
    assert first is not None and first.clip.name == "m1"
    s.submit("zebra quantum")
    s.close()
    store.close()
    assert main(["migrate", "--from", str(src), "--to", pg.url]) == 0
    lead = open_postgres(pg.url, clock=FakeClock())
    gold = lead.gold_ids()
    assert [lead.clip(i).name for i in gold] == ["m1"]  # type: ignore[union-attr]
    assert lead.gold_reference(next(iter(gold))) == GoldRef(REF, ("critical",))
    [answer] = lead.gold_answers()
    assert (answer.annotator, answer.edits, answer.words) == ("ann", 1, 3)
    lead.close()
    assert pg.sql("SELECT count(*) FROM earmark.slots s JOIN earmark.gold g USING (clip_id)") == [
        (0,)
    ]
