"""Word timings, check marks and offline guesses on PostgreSQL, each actor its own login."""

from __future__ import annotations

import pytest

from earmark.clock import FakeClock
from earmark.roles import PermissionDenied
from earmark.store.clips import NewClip
from earmark.store.postgres import open_postgres
from earmark.store.records import Word
from tests.pg.support import PgTest, psycopg

REFUSED = (PermissionDenied, psycopg.Error)
TIMED = [Word("turn", 0.1, 0.3), Word("off", 0.3, 0.5)]


def _as(pg: PgTest, role: str):
    name, dsn = pg.login(role)
    return name, open_postgres(dsn, clock=FakeClock())


def test_timings_per_transcript_own_rows_and_a_leads_backfill(pg: PgTest) -> None:
    lead_name, lead = _as(pg, "lead")
    batch = lead.batch_id("b", overlap=2)
    lead.add_clips(
        batch, [NewClip(name="c1", audio="/a/1.wav"), NewClip(name="c2", audio="/a/2.wav")]
    )
    a_name, a = _as(pg, "annotator")
    b_name, b = _as(pg, "annotator")
    assert a.next_open(a_name, 0) == 1 and b.next_open(b_name, 0) == 1  # claims
    a.submit(1, "turn off", a_name, 1.0)
    b.submit(1, "turn of", b_name, 1.0)
    assert not a.record_check(1, "turn of", TIMED, 1)  # b's text, not a's
    assert a.record_check(1, "turn off", TIMED, 1)
    assert not a.record_check(1, "turn of", TIMED, 0, annotator=b_name)  # a cannot see b's
    with pytest.raises(REFUSED):  # nor write a row for b with raw SQL
        a.db.query(
            "INSERT INTO clip_checks(clip_id, who, text, words, at) VALUES (1, %s, 'x', '[]', 0)",
            (b_name,),
        )
    assert b.unchecked_transcripts(0, 10) == [(1, "turn of", "/a/1.wav", b_name)]
    assert [(c, t) for c, t, _ in lead.iter_word_timings()] == [(1, "turn off")]
    assert lead.record_check(1, "turn of", TIMED, None, annotator=b_name)  # backfill
    assert lead.unchecked_transcripts(0, 10) == []
    assert sorted(t for _, t, _ in lead.iter_word_timings()) == ["turn of", "turn off"]
    assert lead.check_counts() == {"checked": 1, "marked": 1}
    assert [w.word for _, _, ws in b.iter_word_timings() for w in ws] == ["turn", "off"]
    for s in (lead, a, b):
        s.close()


def test_offline_guesses_are_written_by_leads_once(pg: PgTest) -> None:
    _, lead = _as(pg, "lead")
    batch = lead.batch_id("b")
    lead.add_clips(
        batch,
        [NewClip(name="c1", audio="/a/1.wav", asr="given"), NewClip(name="c2", audio="/a/2.wav")],
    )
    _, ann = _as(pg, "annotator")
    assert lead.clips_without_guess() == [(2, "/a/2.wav")]
    assert lead.clips_without_guess("nope") == []
    with pytest.raises(REFUSED):
        ann.set_machine_guess(2, "hello", [], [], "offline")
    assert lead.set_machine_guess(2, "hello", [Word("hello", 0.0, 0.4, 0.3)], ["yellow"], "offline")
    assert not lead.set_machine_guess(2, "again", [], [], "offline")
    clip = ann.clip(2)
    assert (clip.asr, clip.guess_source, clip.alternatives) == ("hello", "offline", ("yellow",))
    assert lead.clips_without_guess() == []
    lead.close()
    ann.close()


def test_migrate_keeps_timings_and_offline_guesses(pg: PgTest, tmp_path) -> None:
    from earmark.cli import main
    from earmark.store import open_store

    src = tmp_path / "project.db"
    store = open_store(src, clock=FakeClock())
    batch = store.batch_id("b")
    store.add_clips(
        batch, [NewClip(name="c1", audio="/a/1.wav"), NewClip(name="c2", audio="/a/2.wav")]
    )
    store.submit(1, "turn off", "ann", 1.0)
    store.record_check(1, "turn off", TIMED, 1)
    store.set_machine_guess(2, "hello", [Word("hello", 0.0, 0.4, 0.3)], [], "offline")
    store.close()
    assert main(["migrate", "--from", str(src), "--to", pg.url]) == 0
    lead = open_postgres(pg.url)
    assert [(c, t, [w.word for w in ws]) for c, t, ws in lead.iter_word_timings()] == [
        (1, "turn off", ["turn", "off"])
    ]
    assert lead.check_counts() == {"checked": 1, "marked": 1}
    assert lead.clip(2).guess_source == "offline"
    lead.close()
