"""import_manifests against a real SQLite store and real audio (LibriVox speech, broken WAVs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from earmark.errors import UserError
from earmark.importing import import_manifests
from tests.support import IDENTIFYING, librivox_manifest, write_jsonl


def _tone(path: Path, seconds: float = 0.5, sr: int = 16000, **kw) -> Path:
    t = np.arange(int(seconds * sr)) / sr
    sf.write(path, (0.2 * np.sin(2 * np.pi * 440 * t)).astype("float32"), sr, **kw)
    return path


def test_librivox_speech_imports_with_words_and_durations(store, realdata, tmp_path):
    m = librivox_manifest(realdata, tmp_path)
    s = import_manifests(store, [m], audio_root=realdata)
    assert (s.imported, s.bad_line_count, s.unplayable) == (5, 0, 0)
    assert s.dropped_fields == {k: 5 for k in IDENTIFYING}
    clips = list(store.iter_clips())
    assert [c.status for c in clips] == ["pending"] * 5
    first = clips[0]
    assert first.samplerate == 16000 and first.channels == 1 and 3 < first.duration < 10
    assert first.words and all(w.start <= w.end for w in first.words)
    assert "<sil>" not in first.asr and "(2)" not in first.asr
    assert all(c.name.startswith("c-") and "austen" not in c.name for c in clips)
    assert any("account_id (5)" in line for line in s.lines())


def test_reimport_does_not_duplicate(store, realdata, tmp_path):
    m = librivox_manifest(realdata, tmp_path)
    import_manifests(store, [m], audio_root=realdata)
    again = import_manifests(store, [m], audio_root=realdata)
    assert (again.imported, again.duplicates) == (0, 5)
    assert store.clip_count() == 5


def test_same_audio_without_ids_is_one_clip_and_ids_win(store, tmp_path):
    _tone(tmp_path / "a.wav")
    m = write_jsonl(
        tmp_path / "m.jsonl",
        [
            {"audio": "a.wav"},
            {"audio": "./a.wav"},  # same file, no id: one clip
            {"audio": "a.wav", "id": "x"},
            {"audio": "a.wav", "id": "y"},  # ids: two more clips
            {"audio": "a.wav", "id": "x"},
        ],
    )
    s = import_manifests(store, [m])
    assert (s.imported, s.duplicates) == (3, 2)


def test_malformed_audio_becomes_unplayable_with_reason(store, realdata, tmp_path):
    rows = [
        {"audio": str(p), "asr": "whatever"} for p in sorted((realdata / "malformed").glob("*.wav"))
    ]
    rows.append({"audio": str(realdata / "cards" / "001.wav"), "asr": "ten of clubs"})
    m = write_jsonl(tmp_path / "m.jsonl", rows)
    s = import_manifests(store, [m], audio_root=realdata)
    assert (s.imported, s.unplayable, s.bad_line_count) == (5, 4, 0)
    clips = {Path(c.audio).name: c for c in store.iter_clips()}
    assert clips["001.wav"].status == "pending"
    for name in ("awful.wav", "bad.wav", "evil.wav", "null.wav"):
        assert clips[name].status == "unplayable"
        assert name in clips[name].skip_reason
    assert "sample rate" in clips["awful.wav"].skip_reason
    text = "\n".join(s.lines())
    assert "unplayable audio (imported as unplayable):" in text and "m.jsonl:1:" in text


def test_truncated_and_garbage_audio(store, tmp_path):
    good = _tone(tmp_path / "good.flac", 2.0, format="FLAC")
    data = good.read_bytes()
    (tmp_path / "cut.flac").write_bytes(data[: len(data) // 3])
    (tmp_path / "text.wav").write_text("this is not audio\n" * 20)
    (tmp_path / "empty.wav").write_bytes(b"")
    m = write_jsonl(
        tmp_path / "m.jsonl",
        [{"audio": n} for n in ("good.flac", "cut.flac", "text.wav", "empty.wav")],
    )
    s = import_manifests(store, [m])
    assert s.imported == 4
    status = {Path(c.audio).name: c.status for c in store.iter_clips()}
    assert status["good.flac"] == "pending"
    assert status["text.wav"] == status["empty.wav"] == "unplayable"
    assert status["cut.flac"] == "unplayable"


def test_every_bad_line_is_reported_and_good_lines_import(store, tmp_path):
    _tone(tmp_path / "a.wav")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.wav"
    _tone(outside)
    (tmp_path / "escape.wav").symlink_to(outside)
    m = tmp_path / "m.jsonl"
    m.write_bytes(
        b"\n".join(
            [
                b'{"audio": "a.wav", "id": "good"}',
                b"{broken",
                b'{"audio": "caf\xe9.wav"}',
                b"[1, 2]",
                b'{"id": "no-audio"}',
                b'{"audio": 12}',
                b'{"audio": "../' + outside.name.encode() + b'"}',
                b'{"audio": "' + str(outside).encode() + b'"}',
                b'{"audio": "escape.wav"}',
                b'{"audio": "missing.wav"}',
                b'{"audio": "a.wav", "id": "kept", "review_allowed": false}',
            ]
        )
        + b"\n"
    )
    s = import_manifests(store, [m])
    assert (s.imported, s.excluded) == (1, 1)
    reasons = {n: r for _, n, r in s.bad_lines}
    assert reasons[2].startswith("invalid JSON")
    assert reasons[3].startswith("invalid UTF-8")
    assert reasons[4].startswith("not a JSON object")
    assert reasons[5] == "missing `audio`"
    assert reasons[6].startswith("`audio` must be a string")
    assert "leads outside" in reasons[7]
    assert "absolute audio path outside" in reasons[8]
    assert "symlink" in reasons[9]
    assert reasons[10] == "audio file not found: missing.wav"
    assert sorted(reasons) == list(range(2, 11))
    assert all(f == "m.jsonl" for f, _, _ in s.bad_lines)
    assert store.clip_count() == 1


def test_summary_shows_twenty_bad_lines_then_a_count(store, tmp_path):
    m = write_jsonl(tmp_path / "m.jsonl", ["{nope"] * 35)
    s = import_manifests(store, [m])
    lines = s.lines()
    assert lines[0].startswith("imported 0 clips")
    detail = [x for x in lines if x.startswith("  m.jsonl:")]
    assert len(detail) == 20 and "  ... and 15 more" in lines


def test_nemo_manifest(store, realdata, tmp_path):
    rows = [
        {"audio_filepath": str(p), "duration": 1.0, "pred_text": "guess", "text": "reference"}
        for p in sorted((realdata / "cards").glob("*.wav"))
    ]
    rows.append({"audio_filepath": str(realdata / "cards" / "002.wav"), "text": "only reference"})
    m = write_jsonl(tmp_path / "train_manifest.json", rows)
    s = import_manifests(store, [m], audio_root=realdata)
    assert (s.imported, s.duplicates) == (5, 1)
    clips = list(store.iter_clips())
    assert {c.asr for c in clips} == {"guess"}
    assert clips[4].duration == pytest.approx(3.5025)  # probed, not the manifest's 1.0
    assert [c.batch for c in clips] == ["train_manifest.json"] * 5


def test_common_voice_layout_with_mp3(store, tmp_path):
    cv = tmp_path / "cv-corpus" / "en"
    (cv / "clips").mkdir(parents=True)
    for i in (1, 2):
        _tone(cv / "clips" / f"common_voice_en_{i}.mp3", 1.0, sr=48000, format="MP3")
    (cv / "validated.tsv").write_text(
        "client_id\tpath\tsentence_id\tsentence\tup_votes\tdown_votes\tage\tgender\taccents\tvariant\tlocale\tsegment\n"
        "f3a9c0ffee\tcommon_voice_en_1.mp3\tabc\tTurn on the kitchen lights.\t2\t0\tthirties"
        "\tmale\tIrish\t\ten\t\n"
        "f3a9c0ffee\tcommon_voice_en_2.mp3\tdef\tWhat's the weather?\t3\t1\t\t\t\t\ten\t\n"
        "b0b0b0\tcommon_voice_en_3.mp3\tghi\tMissing clip.\t2\t0\t\t\t\t\ten\t\n"
    )
    s = import_manifests(store, [cv / "validated.tsv"])
    assert (s.imported, s.unplayable) == (2, 0)
    assert s.bad_lines == [("validated.tsv", 4, "audio file not found: common_voice_en_3.mp3")]
    assert s.dropped_fields["client_id"] == 3 and s.dropped_fields["age"] == 1
    assert "sentence" not in s.dropped_fields and "path" not in s.dropped_fields
    clips = list(store.iter_clips())
    assert clips[0].asr == "Turn on the kitchen lights."
    assert clips[0].samplerate == 48000 and clips[0].duration == pytest.approx(1.0, abs=0.1)


def test_csv_manifest(store, tmp_path):
    _tone(tmp_path / "a.wav")
    _tone(tmp_path / "b.wav")
    (tmp_path / "m.csv").write_text(
        "audio,asr,id,review_allowed,first_name\n"
        'a.wav,"set a timer, ten minutes",1,true,Ann\n'
        "b.wav,call mum,2,false,Bob\n"
    )
    s = import_manifests(store, [tmp_path / "m.csv"])
    assert (s.imported, s.excluded, s.dropped_fields) == (1, 1, {"first_name": 2})
    assert store.clip(1).asr == "set a timer, ten minutes"


def test_no_identifying_value_reaches_the_database_file(db_path, realdata, tmp_path):
    from earmark.clock import FakeClock
    from earmark.store import open_store

    m = librivox_manifest(realdata, tmp_path)
    store = open_store(db_path, clock=FakeClock())
    import_manifests(store, [m], audio_root=realdata)
    # Read the raw bytes while the connection is open (the WAL still holds the writes).
    blobs = [p.read_bytes() for p in db_path.parent.glob(db_path.name + "*")]
    store.close()
    blobs += [p.read_bytes() for p in db_path.parent.glob(db_path.name + "*")]
    assert any(b"he was not an ill disposed young man" in b for b in blobs)  # the check can see
    for value in [*IDENTIFYING.values(), "source-id:"]:  # source ids are stored as pseudonyms only
        for enc in (value.encode(), value.encode("utf-16-le")):
            assert not any(enc in b for b in blobs), value


def test_lexicon_and_batch(store, tmp_path):
    _tone(tmp_path / "a.wav")
    m = write_jsonl(tmp_path / "m.jsonl", [{"audio": "a.wav"}])
    lex = tmp_path / "lex.txt"
    lex.write_text("Echo Dot\nFire TV\n")
    s = import_manifests(store, [m], lexicon=lex, batch="week-47")
    assert s.lexicon_terms == 2 and s.batches == ["week-47"]
    assert store.lexicon() == ["Echo Dot", "Fire TV"]
    assert store.clip(1).batch == "week-47"
    assert import_manifests(store, [m], lexicon=lex).lexicon_terms == 0


def test_whole_command_problems_are_user_errors(store, tmp_path):
    m = write_jsonl(tmp_path / "m.jsonl", [])
    with pytest.raises(UserError, match="not found"):
        import_manifests(store, [tmp_path / "nope.jsonl"])
    with pytest.raises(UserError, match="is a folder"):
        import_manifests(store, [tmp_path])
    with pytest.raises(UserError, match="audio-root"):
        import_manifests(store, [m], audio_root=tmp_path / "nope")
    with pytest.raises(UserError, match="lexicon"):
        import_manifests(store, [m], lexicon=tmp_path / "nope.txt")
    assert store.clip_count() == 0


def test_progress_bar_on_a_long_manifest(store, tmp_path, capsys):
    _tone(tmp_path / "a.wav")
    rows = [{"audio": "a.wav", "id": str(i)} for i in range(2500)]
    s = import_manifests(store, [write_jsonl(tmp_path / "m.jsonl", rows)], progress=True)
    assert s.imported == 2500
    assert capsys.readouterr().out == ""  # the bar is on stderr, never mixed into output


def test_many_distinct_files_across_chunks(store, tmp_path):
    """More files than one chunk: each clip gets its own probe result."""
    folder = tmp_path / "a"
    folder.mkdir()
    src = _tone(tmp_path / "src.wav", 0.1)
    rows = []
    for i in range(1100):
        p = folder / f"{i}.wav"
        if i % 100 == 7:
            p.write_bytes(b"RIFF....WAVEjunk")
        else:
            shutil.copy(src, p)
        rows.append({"audio": f"a/{i}.wav"})
    s = import_manifests(store, [write_jsonl(tmp_path / "m.jsonl", rows)])
    assert (s.imported, s.unplayable) == (1100, 11)
    bad = [c for c in store.iter_clips() if c.status == "unplayable"]
    assert [Path(c.audio).name for c in bad] == [f"{i}.wav" for i in range(7, 1100, 100)]


def test_dropped_field_names_are_counted_in_bounded_memory(store, tmp_path):
    _tone(tmp_path / "a.wav")
    rows = [{"audio": "a.wav", "id": str(i), f"random_{i}": "secret"} for i in range(150)]
    s = import_manifests(store, [write_jsonl(tmp_path / "m.jsonl", rows)])
    assert len(s.dropped_fields) == 101 and s.dropped_fields["(other fields)"] == 50


def test_an_import_whose_every_line_is_refused_fails_in_one_line(tmp_path, capsys):
    from earmark import cli

    m = write_jsonl(tmp_path / "m.jsonl", [{"audio": "/elsewhere/a.wav"}, {"no": "audio"}])
    db = str(tmp_path / "e.db")
    assert cli.main(["import", str(m), "--db", db, "--user", "lead"]) == 1
    out = capsys.readouterr()
    assert "bad lines (not imported): 2" in out.out
    assert out.err.count("\n") == 1 and "nothing imported" in out.err
    (tmp_path / "a.wav").write_bytes(b"")  # not a sound: imported as unplayable, not refused
    good = write_jsonl(tmp_path / "g.jsonl", [{"audio": "a.wav"}, {"no": "audio"}])
    assert cli.main(["import", str(good), "--db", db, "--user", "lead"]) == 0  # one came in
