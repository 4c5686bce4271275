"""Exports per CONTRACT.md: jsonl, nemo, csv; redaction in every format; atomic owner-only --out."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

import numpy as np
import pytest
import soundfile as sf

from earmark.errors import UserError
from earmark.exporting import export_to_file, redact, slug, write
from earmark.importing import import_manifests
from earmark.redaction import marks_from_indexes
from earmark.store import Flag

CARD = "my card number is four four one two nine nine eight seven"
IDENT = {"account_id": "ACCT-99120047", "first_name": "Gwendolyn", "device_id": "DEV-5X8Q1"}


@pytest.fixture
def project(store, tmp_path):
    """Four clips: one done, one done with bank details (critical), one skipped, one unplayable."""
    sr = 16000
    for name in ("a", "b", "c"):
        sf.write(tmp_path / f"{name}.wav", np.zeros(sr, dtype="float32"), sr)
    (tmp_path / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnope")
    words = [
        {"word": w, "start": i * 0.3, "end": i * 0.3 + 0.25, "conf": 0.9}
        for i, w in enumerate(CARD.split())
    ]
    rows = [
        {"audio": "a.wav", "id": "1", "asr": "turn of the lights", **IDENT},
        {"audio": "b.wav", "id": "2", "asr": {"text": CARD, "words": words}, **IDENT},
        {"audio": "c.wav", "id": "3", "asr": "uh", **IDENT},
        {"audio": "broken.wav", "id": "4", "asr": "", **IDENT},
    ]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    import_manifests(store, [tmp_path / "m.jsonl"])
    store.submit(1, "Turn off the lights.", "ann", 12.0)
    store.submit(2, CARD, "ann", 30.0)
    # The card digits are words 4..11 of the transcript, spoken from 1.2 s to 3.55 s.
    flag = store.add_flag(
        2, "critical", "ann", start=1.2, end=3.55, category="bank/card", redact=list(range(4, 12))
    )
    store.set_redaction(flag, marks_from_indexes(CARD.split(), range(4, 12)), actor="ann")
    store.add_flag(2, "distressing", "ann", start=0.0, end=1.0, note="caller upset")
    store.skip(3, "no speech", "ann", 4.0)
    return store


def _export(store, fmt, **kw) -> str:
    buf = io.StringIO()
    write(store, fmt, buf, **kw)
    return buf.getvalue()


def test_slug():
    assert [slug(c) for c in ("bank/card", "password/PIN", "government id", None, "")] == [
        "bank",
        "password",
        "government",
        "critical",
        "critical",
    ]


def test_redact_replaces_each_marked_word():
    f = Flag(1, 1, "critical", 0, 1, "password/PIN", "", (1, 3), "active", "a", 0)
    d = Flag(2, 1, "distressing", 0, 1, None, "", (0,), "active", "a", 0)
    marks = {1: marks_from_indexes(["my", "pin", "is", "1234", "ok"], [1, 3])}
    assert (
        redact("my pin is 1234 ok", [f, d], marks)
        == "my [redacted:password] is [redacted:password] ok"
    )
    assert redact("nothing marked", [d]) == "nothing marked"
    assert redact(None, [f]) is None


def test_marks_follow_their_words_through_edits():
    f = Flag(1, 1, "critical", 0, 1, "bank/card", "", (2, 3), "active", "a", 0)
    marks = {1: marks_from_indexes(["name", "zebulon", "quartermaine"], [1, 2])}
    edited = "my name Zebulon quartermaine, and again zebulon"
    assert redact(edited, [f], marks) == (
        "my name [redacted:bank] [redacted:bank] and again [redacted:bank]"
    )


def test_a_mark_whose_word_is_gone_withholds_the_whole_text():
    f = Flag(1, 1, "critical", 0, 1, "bank/card", "", (1,), "active", "a", 0)
    marks = {1: marks_from_indexes(["name", "zebulon"], [1])}
    assert redact("name zebulun", [f], marks) == "[redacted:bank]"


def test_positions_without_words_withhold_the_whole_text():
    f = Flag(1, 1, "critical", 0, 1, "bank/card", "", (1,), "active", "a", 0)
    assert redact("my name zebulon", [f], {}) == "[redacted:bank]"


def test_jsonl_has_every_contract_field(project):
    recs = [json.loads(line) for line in _export(project, "jsonl").splitlines()]
    assert [r["status"] for r in recs] == ["done", "done", "skipped", "unplayable"]
    for r in recs:
        assert set(r) == {
            "clip",
            "audio",
            "duration",
            "asr",
            "text",
            "status",
            "skip_reason",
            "annotator",
            "seconds_on_clip",
            "words",
            "flags",
        }
    done, card, skipped, broken = recs
    assert done["text"] == "Turn off the lights." and done["asr"] == "turn of the lights"
    assert (
        done["duration"] == 1.0 and done["annotator"] == "ann" and done["seconds_on_clip"] == 12.0
    )
    assert (
        done["flags"] == [] and done["clip"].startswith("c-") and done["audio"].endswith("/a.wav")
    )
    assert card["text"] == "my card number is " + " ".join(["[redacted:bank]"] * 8)
    assert card["asr"] == card["text"]
    assert "nine" not in card["asr"] and "eight" not in card["text"]
    assert card["flags"] == [
        {"kind": "critical", "start": 1.2, "end": 3.55, "category": "bank/card", "note": ""},
        {"kind": "distressing", "start": 0.0, "end": 1.0, "category": None, "note": "caller upset"},
    ]
    assert skipped["skip_reason"] == "no speech" and skipped["text"] is None
    assert broken["duration"] is None and "broken.wav" in broken["skip_reason"]


def test_nemo_keeps_done_clips_and_leaves_out_critical(project):
    recs = [json.loads(line) for line in _export(project, "nemo").splitlines()]
    assert recs == [
        {
            "audio_filepath": recs[0]["audio_filepath"],
            "duration": 1.0,
            "text": "Turn off the lights.",
        }
    ]
    both = [
        json.loads(line) for line in _export(project, "nemo", include_critical=True).splitlines()
    ]
    assert len(both) == 2 and both[1]["text"].count("[redacted:bank]") == 8


def test_csv_has_the_scalar_fields_and_a_header(project):
    rows = list(csv.DictReader(io.StringIO(_export(project, "csv"))))
    assert list(rows[0]) == [
        "clip",
        "audio",
        "duration",
        "asr",
        "text",
        "status",
        "skip_reason",
        "annotator",
        "seconds_on_clip",
    ]
    assert [r["status"] for r in rows] == ["done", "done", "skipped", "unplayable"]
    assert rows[1]["text"].endswith("[redacted:bank]") and "nine" not in rows[1]["asr"]
    assert rows[2]["text"] == ""


def test_asr_without_timings_is_withheld_for_critical_clips(store, tmp_path):
    sf.write(tmp_path / "a.wav", np.zeros(8000, dtype="float32"), 16000)
    (tmp_path / "m.jsonl").write_text(
        json.dumps({"audio": "a.wav", "asr": "pin is 4 4 1 2"}) + "\n"
    )
    import_manifests(store, [tmp_path / "m.jsonl"])
    store.add_flag(1, "critical", "ann", start=0.1, end=0.4, category="password/PIN")
    rec = json.loads(_export(store, "jsonl"))
    assert rec["asr"] == "[redacted:password]"


def test_asr_is_withheld_when_a_critical_flag_has_no_span(project):
    before = json.loads(_export(project, "jsonl").splitlines()[1])["asr"]
    assert before.startswith("my card number is [redacted:bank]")  # timed words: by span
    project.add_flag(2, "critical", "ann", start=0.5, end=0.5, category="address")
    project.add_flag(1, "critical", "ann", start=0.5, end=0.5, category="address")
    recs = [json.loads(line) for line in _export(project, "jsonl").splitlines()]
    assert recs[1]["asr"] == "[redacted:bank]" and recs[0]["asr"] == "[redacted:address]"
    assert recs[0]["text"] == "Turn off the lights."  # no words were marked in the transcript


def test_out_is_atomic_and_owner_only(project, tmp_path):
    out = tmp_path / "out" / "results.jsonl"
    out.parent.mkdir()
    os.umask(0o022)
    assert export_to_file(project, "jsonl", out) == 4
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(out.read_text().splitlines()) == 4
    out.write_text("old")
    os.chmod(out, 0o644)
    export_to_file(project, "csv", out, force=True)
    assert out.read_text().startswith("clip,audio") and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.parent.iterdir()) == ["results.jsonl"]  # no temp files


def test_out_never_replaces_the_database_or_a_file_that_is_not_an_export(project, db_path):
    before = db_path.read_bytes()
    for target in (db_path, db_path.parent / (db_path.name + "-wal")):
        for force in (False, True):
            if target.exists():
                with pytest.raises(UserError, match="project's own"):
                    export_to_file(project, "jsonl", target, force=force)
    # the same database reached through another name, and a copy of any database
    link = db_path.parent / "link.jsonl"
    link.symlink_to(db_path)
    with pytest.raises(UserError, match="project's own database"):
        export_to_file(project, "jsonl", link, force=True)
    other = db_path.parent / "other.db"
    other.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(UserError, match="is a database"):
        export_to_file(project, "csv", other, force=True)
    notes = db_path.parent / "notes.txt"
    notes.write_text("my notes\n")
    with pytest.raises(UserError, match="--force"):
        export_to_file(project, "jsonl", notes)
    assert notes.read_text() == "my notes\n"
    assert db_path.read_bytes() == before
    # an earlier export of any format is replaced without --force
    out = db_path.parent / "results.csv"
    export_to_file(project, "jsonl", out)
    export_to_file(project, "csv", out)
    export_to_file(project, "nemo", out)
    assert export_to_file(project, "csv", out) == 4


def test_csv_cells_a_spreadsheet_would_evaluate_are_text(project):
    project.submit(1, '=HYPERLINK("http://x","y")', "ann", 1.0)
    project.submit(3, "+1 -2 @SUM(A1)", "ann", 1.0)
    rows = list(csv.DictReader(io.StringIO(_export(project, "csv"))))
    assert rows[0]["text"] == '\'=HYPERLINK("http://x","y")'
    assert rows[2]["text"].startswith("'+1")
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_exports_carry_no_terminal_machinery(project):
    project.submit(1, "ok \x1b]52;c;aGk=\x07 \x9b31m red \u202e", "ann\x1b[2J", 1.0)
    for fmt in ("jsonl", "csv", "nemo"):
        out = _export(project, fmt, include_critical=True)
        for bad in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert bad not in out, (fmt, bad)


def test_bad_out_paths_are_user_errors(project, tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        export_to_file(project, "jsonl", tmp_path / "nope" / "x.jsonl")
    with pytest.raises(UserError, match="is a folder"):
        export_to_file(project, "jsonl", tmp_path)


def test_no_identifying_value_in_any_export(project, db_path):
    blobs = [_export(project, f, include_critical=True) for f in ("jsonl", "nemo", "csv")]
    blobs += [p.read_bytes().decode("latin-1") for p in db_path.parent.glob(db_path.name + "*")]
    assert all(blobs)
    for value in IDENT.values():
        assert not any(value in b for b in blobs), value


def test_export_streams_a_store_bigger_than_one_read_chunk(store, tmp_path):
    from earmark.store import NewClip

    b = store.batch_id("big")
    store.add_clips(
        b, [NewClip(name=f"c{i}", audio=f"/x/{i}.wav", asr=f"w{i}") for i in range(4500)]
    )
    lines = _export(store, "jsonl").splitlines()
    assert len(lines) == 4500 and json.loads(lines[-1])["asr"] == "w4499"
