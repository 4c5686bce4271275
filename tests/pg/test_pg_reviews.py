"""Second-pass review on PostgreSQL: the server keeps reviewers off their own clips and shows
each annotator only the reviews of their own transcripts. Every actor is its own login and
the attacks are raw SQL run as that login, so each refusal is PostgreSQL's."""

from __future__ import annotations

import pytest

from earmark.clock import FakeClock
from earmark.quality.review import ReviewError
from earmark.roles import PermissionDenied
from earmark.session.review_queue import review_queue
from earmark.store.clips import NewClip
from earmark.store.postgres import open_postgres
from tests.pg.support import PgTest, psycopg


def _as(pg: PgTest, role: str):
    name, dsn = pg.login(role)
    return name, dsn, open_postgres(dsn, clock=FakeClock())


@pytest.fixture
def team(pg: PgTest):
    """Three clips at overlap 2: ann and rev (a reviewer who also annotates) share clip A,
    ann and bob share clip B; a second reviewer, rev2, transcribed nothing."""
    lead = open_postgres(pg.url, clock=FakeClock())
    batch = lead.batch_id("b", overlap=2)
    lead.add_clips(
        batch, [NewClip(name=f"c{i}", audio=f"/a/{i}.wav", asr="the cat sat") for i in range(2)]
    )
    lead.close()
    people = {
        role: _as(pg, r)
        for role, r in (
            ("ann", "annotator"),
            ("bob", "annotator"),
            ("rev", "reviewer"),
            ("rev2", "reviewer"),
        )
    }
    ann, rev, bob = people["ann"], people["rev"], people["bob"]
    first = ann[2].next_open(ann[0], 0)
    ann[2].submit(first, "the cat sat down", ann[0], 1.0)
    assert rev[2].next_open(rev[0], 0) == first  # others' finished clips come first
    rev[2].submit(first, "the cat sat", rev[0], 1.0)
    second = ann[2].next_open(ann[0], 0)
    ann[2].submit(second, "a cat sat", ann[0], 1.0)
    assert bob[2].next_open(bob[0], 0) == second
    bob[2].submit(second, "the bat sat", bob[0], 1.0)
    yield {**people, "A": first, "B": second}
    for _name, _dsn, store in people.values():
        store.close()


def test_a_reviewer_who_annotated_the_clip_is_refused_by_earmark_and_by_the_server(pg, team):
    rev_name, rev_dsn, rev = team["rev"]
    assert team["A"] not in {i.clip_id for i in review_queue(rev, rev_name)}
    with pytest.raises(ReviewError, match="you transcribed"):
        rev.record_review(team["A"], rev_name, "accepted")
    ann_name = team["ann"][0]
    with psycopg.connect(rev_dsn, autocommit=True) as raw:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute(
                "INSERT INTO earmark.reviews(clip_id, annotator, submitted, outcome, at)"
                " VALUES (%s, %s, 'x', 'accepted', 0)",
                (team["A"], ann_name),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # nor under another name
            raw.execute(
                "INSERT INTO earmark.reviews(clip_id, annotator, submitted, reviewer, outcome,"
                " at) VALUES (%s, %s, 'x', %s, 'accepted', 0)",
                (team["A"], ann_name, team["rev2"][0]),
            )
    assert pg.sql("SELECT count(*) FROM earmark.reviews")[0][0] == 0


def test_annotators_cannot_review_at_all(pg, team):
    ann_name, ann_dsn, ann = team["ann"]
    bob_name = team["bob"][0]
    with pytest.raises(PermissionDenied):
        ann.record_review(team["B"], ann_name, "accepted")
    with psycopg.connect(ann_dsn, autocommit=True) as raw, pytest.raises(psycopg.Error):
        raw.execute(
            "INSERT INTO earmark.reviews(clip_id, annotator, submitted, outcome, at)"
            " VALUES (%s, %s, 'x', 'accepted', 0)",
            (team["B"], bob_name),
        )


def test_review_covers_every_transcript_and_each_annotator_reads_only_their_own(pg, team):
    rev2_name, _dsn, rev2 = team["rev2"]
    queue = {i.clip_id: i for i in review_queue(rev2, rev2_name)}
    assert set(queue) == {team["A"], team["B"]}  # both disputed
    assert "disputed" in queue[team["B"]].reasons
    with pytest.raises(ReviewError, match="transcripts differ"):
        rev2.record_review(team["B"], rev2_name, "accepted")  # which of the two?
    rows = rev2.record_review(team["B"], rev2_name, "fixed", text="The bat sat.")
    outcomes = {r.annotator: r.outcome for r in rows}
    assert outcomes == {team["ann"][0]: "fixed", team["bob"][0]: "accepted"}  # bob had it
    assert rev2.final_texts()[team["B"]] == "The bat sat."  # the disputed clip is decided
    ann_name, ann_dsn, ann = team["ann"]
    bob_name, _bob_dsn, bob = team["bob"]
    assert [(r.annotator, r.submitted, r.text) for r in ann.reviews()] == [
        (ann_name, "a cat sat", "The bat sat.")
    ]
    assert [r.annotator for r in bob.reviews()] == [bob_name]
    assert ann.reviews(annotator=bob_name) == []
    with psycopg.connect(ann_dsn, autocommit=True) as raw:
        seen = raw.execute("SELECT annotator, submitted FROM earmark.reviews").fetchall()
        assert seen == [(ann_name, "a cat sat")]
        with pytest.raises(psycopg.Error):
            raw.execute("UPDATE earmark.reviews SET outcome = 'accepted'")
    audit = pg.sql(
        "SELECT actor, detail FROM earmark.audit_queue UNION ALL"
        " SELECT actor, detail FROM earmark.audit WHERE action = 'qa_review'"
    )
    assert any(a == rev2_name and '"annotators":2' in d for a, d in audit)
    assert not any("bat sat" in d for _a, d in audit)
    with pytest.raises(ReviewError, match="already"):
        team["rev"][2].record_review(team["B"], team["rev"][0], "accepted")


def test_feedback_seen_marker_is_per_annotator(pg, team):
    ann_name, ann_dsn, ann = team["ann"]
    ann.mark_feedback_seen(ann_name, 5)
    assert ann.feedback_seen(ann_name) == 5
    bob_name, _dsn, bob = team["bob"]
    assert bob.feedback_seen(bob_name) == 0
    with pytest.raises(Exception, match="cannot act as"):
        bob.mark_feedback_seen(ann_name, 9)
    with psycopg.connect(ann_dsn, autocommit=True) as raw:
        assert raw.execute("SELECT count(*) FROM earmark.review_seen").fetchone()[0] == 1


def test_a_fix_without_overlap_is_what_the_lead_exports(pg: PgTest) -> None:
    from earmark.exporting import records

    lead = open_postgres(pg.url, clock=FakeClock())
    lead.add_clips(lead.batch_id("solo"), [NewClip(name="s0", audio="/a/s.wav", asr="a cat")])
    ann_name, _dsn, ann = _as(pg, "annotator")
    clip = ann.next_open(ann_name, 0)
    assert clip is not None
    ann.submit(clip, "a cat sat", ann_name, 1.0)
    rev_name, _dsn, rev = _as(pg, "reviewer")
    [row] = rev.record_review(clip, rev_name, "fixed", text="the cat sat")
    assert row.outcome == "fixed"
    [out] = [r for r in records(lead, "jsonl") if r["clip"] == "s0"]
    assert (out["status"], out["text"]) == ("done", "the cat sat")
    for s in (lead, ann, rev):
        s.close()
