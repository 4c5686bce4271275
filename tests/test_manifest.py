"""Manifest readers, the field allow-list, ASR word cleaning, pseudonyms and path checks."""

from __future__ import annotations

import json
import os

import pytest

from earmark.errors import UserError
from earmark.manifest import (
    BadLine,
    PathResolver,
    clean_words_list,
    manifest_format,
    parse_record,
    pseudonym,
    read_lexicon,
    read_manifest,
    words_from_pocketsphinx,
)


def _items(path):
    return [(n, x if isinstance(x, dict) else str(x)) for n, x in read_manifest(path)]


# -- readers -----------------------------------------------------------------------------


def test_jsonl_lines_keep_their_numbers_and_bad_lines_say_why(tmp_path):
    m = tmp_path / "m.jsonl"
    m.write_bytes(
        b'\xef\xbb\xbf{"audio": "a.wav"}\n'
        b"\n"
        b"{not json\n"
        b'["a.wav"]\n'
        b'"just a string"\n'
        b'{"audio": "caf\xe9.wav"}\n' + b"[" * 100_000 + b"\n" + b'{"audio": "b.wav"}\r\n'
    )
    got = _items(m)
    assert got[0] == (1, {"audio": "a.wav"})
    assert got[1][0] == 3 and got[1][1].startswith("invalid JSON")
    assert got[2] == (4, "not a JSON object (found an array)")
    assert got[3] == (5, "not a JSON object (found a string)")
    assert got[4][0] == 6 and got[4][1].startswith("invalid UTF-8 (byte 0xe9")
    assert got[5][0] == 7 and got[5][1].startswith("invalid JSON")
    assert got[6] == (8, {"audio": "b.wav"})


def test_a_monster_line_is_refused_without_losing_the_next(tmp_path):
    m = tmp_path / "m.jsonl"
    m.write_bytes(b'{"audio": "' + b"x" * (3 << 20) + b'"}\n{"audio": "ok.wav"}\n')
    got = _items(m)
    assert got[0][0] == 1 and "longer than" in got[0][1]
    assert got[1] == (2, {"audio": "ok.wav"})


def test_json_array_file_is_a_user_error(tmp_path):
    m = tmp_path / "m.json"
    m.write_text('[{"audio": "a.wav"}]\n')
    with pytest.raises(UserError, match="JSON array"):
        list(read_manifest(m))


def test_common_voice_tsv_reads_without_quoting(tmp_path):
    m = tmp_path / "validated.tsv"
    m.write_text(
        "client_id\tpath\tsentence_id\tsentence\tup_votes\tdown_votes\tage\tgender\taccents\n"
        'abc123\tcommon_voice_en_1.mp3\ts1\tShe said "hello" twice.\t2\t0\ttwenties'
        "\tfemale\tScottish\n"
        "def456\tcommon_voice_en_2.mp3\ts2\tNo age here.\t2\t0\t\t\t\n"
        "too\tmany\tfields\tin\tthis\trow\tfor\tthe\theader\tx\n"
    )
    assert manifest_format(m) == "tsv"
    got = _items(m)
    assert got[0] == (
        2,
        {
            "client_id": "abc123",
            "path": "common_voice_en_1.mp3",
            "sentence_id": "s1",
            "sentence": 'She said "hello" twice.',
            "up_votes": "2",
            "down_votes": "0",
            "age": "twenties",
            "gender": "female",
            "accents": "Scottish",
        },
    )
    assert "age" not in got[1][1]
    assert got[2] == (4, "10 fields but the header has 9")


def test_csv_with_quotes_newlines_and_bad_bytes(tmp_path):
    m = tmp_path / "m.csv"
    m.write_bytes(
        b"Audio,Text,id\n"
        b'a.wav,"hello, world",1\n'
        b'b.wav,"two\nlines",2\n'
        b"c.wav,bad \xff byte,3\n"
        b"d.wav,fine,4\n"
    )
    got = _items(m)
    assert got[0] == (2, {"audio": "a.wav", "text": "hello, world", "id": "1"})
    assert got[1] == (3, {"audio": "b.wav", "text": "two\nlines", "id": "2"})
    assert got[2] == (5, "invalid UTF-8")
    assert got[3] == (6, {"audio": "d.wav", "text": "fine", "id": "4"})


def test_csv_without_audio_column_is_a_user_error(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("file,text\na.wav,hi\n")
    with pytest.raises(UserError, match="no audio column"):
        list(read_manifest(m))


def test_format_is_sniffed_when_the_extension_says_nothing(tmp_path):
    j = tmp_path / "manifest"
    j.write_text('{"audio": "a.wav"}\n')
    t = tmp_path / "list"
    t.write_text("path\tsentence\na.wav\thi\n")
    c = tmp_path / "list2.txt"
    c.write_text("path,sentence\na.wav,hi\n")
    assert [manifest_format(p) for p in (j, t, c)] == ["jsonl", "tsv", "csv"]


# -- records -----------------------------------------------------------------------------


def test_allow_list_drops_and_names_identifying_fields():
    rec = parse_record(
        {
            "audio": "clips/0007.flac",
            "id": "source-id-0007",
            "asr": {
                "text": "alexa play this bus eat oh",
                "words": [{"word": "alexa", "start": 0.12, "end": 0.55, "conf": 0.97}],
                "alternatives": ["alexa play despacito", 3, "alexa play despacito"],
            },
            "review_allowed": True,
            "account_id": "A1B2C3",
            "first_name": "Maria",
            "device_id": "G090LF",
            "empty": "",
        }
    )
    assert rec.audio == "clips/0007.flac" and rec.source_id == "source-id-0007"
    assert rec.asr == "alexa play this bus eat oh"
    assert rec.words == [{"word": "alexa", "start": 0.12, "end": 0.55, "conf": 0.97}]
    assert rec.alternatives == ["alexa play despacito"]
    assert sorted(rec.dropped) == ["account_id", "device_id", "first_name"]
    assert "A1B2C3" not in repr(rec) and "Maria" not in repr(rec)


@pytest.mark.parametrize(
    ("obj", "asr"),
    [
        ({"audio_filepath": "a.wav", "pred_text": "guess", "text": "reference"}, "guess"),
        ({"audio_filepath": "a.wav", "text": "reference", "duration": 1.5}, "reference"),
        ({"path": "a.mp3", "sentence": "read this"}, "read this"),
        ({"audio": "a.wav", "asr": "plain \x1b[31mred\x1b[0m text\n"}, "plain red text"),
        ({"audio": "a.wav", "asr": "x", "sentence": "y"}, "x"),
        ({"audio": "a.wav"}, ""),
    ],
)
def test_guess_aliases(obj, asr):
    assert parse_record(obj).asr == asr


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ({"id": "1"}, "missing `audio`"),
        ({"audio": 7}, "`audio` must be a string, not a number"),
        ({"audio": None}, "`audio` must be a string, not null"),
        ({"audio": ["a.wav"]}, "`audio` must be a string, not an array"),
        ({"audio": "  "}, "`audio` is empty"),
        ({"audio": "a\0.wav"}, "NUL"),
        ({"audio": "a.wav", "id": {"x": 1}}, "`id` must be a string or a number, not an object"),
        ({"audio": {"path": "a.wav"}}, "`audio` must be a string, not an object"),
        ({"audio": "a.wav", "asr": 42}, "`asr` must be a string"),
        ({"audio": "a.wav", "pred_text": ["x"]}, "`pred_text` must be a string"),
    ],
)
def test_bad_records(obj, reason):
    with pytest.raises(BadLine, match=reason.replace("(", r"\(").replace("`", "`")):
        parse_record(obj)


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        (True, True),
        (False, False),
        ("false", False),
        ("0", False),
        ("no", False),
        ("true", True),
        ("1", True),
        (1, True),
        (0, False),
        (None, False),
        ("maybe", False),
    ],
)
def test_review_allowed_needs_a_clear_yes(value, allowed):
    assert parse_record({"audio": "a.wav", "review_allowed": value}).review_allowed is allowed


def test_malformed_words_are_dropped_and_the_clip_kept():
    words, bad = clean_words_list(
        [
            {"word": "ok", "start": 0.0, "end": 0.5, "conf": 0.9},
            {"word": "nan", "start": float("nan"), "end": 1.0},
            {"word": "inf", "start": 0.0, "end": float("inf")},
            {"word": "backwards", "start": 2.0, "end": 1.0},
            {"word": "negative", "start": -1.0, "end": 1.0},
            {"word": "booltime", "start": True, "end": 1.0},
            {"word": "strtime", "start": "0", "end": 1.0},
            {"word": 5, "start": 0, "end": 1},
            {"word": "   ", "start": 0, "end": 1},
            "not an object",
            {"word": "logprob", "start": 1.0, "end": 1.2, "conf": -3.2},
            {"word": "untimed"},
        ]
    )
    assert [w["word"] for w in words] == ["ok", "logprob", "untimed"]
    assert words[1]["conf"] is None and words[2]["start"] is None
    assert bad == 9
    assert clean_words_list("not a list") == ([], 1)


def test_pocketsphinx_output_is_cleaned(realdata):
    obj = json.loads(
        (realdata / "librivox" / "sense_and_sensibility_01_austen_64kb-0880.json").read_text()
    )
    words = words_from_pocketsphinx(obj)
    assert [w["word"] for w in words] == [
        "he",
        "was",
        "not",
        "an",
        "ill",
        "disposed",
        "young",
        "man",
    ]
    assert words[1] == {"word": "was", "start": 0.33, "end": 0.56, "conf": 0.981}
    assert all(w["start"] <= w["end"] for w in words)
    # Embedded as the asr object of a manifest line, it gives the guess and the words.
    rec = parse_record({"audio": "x.wav", "asr": obj})
    assert rec.asr == "he was not an ill disposed young man" and rec.words == words


def test_pocketsphinx_fillers_and_variants():
    words = words_from_pocketsphinx(
        {
            "w": [
                {"t": "<s>", "b": 0, "d": 0.1, "p": 1},
                {"t": "[NOISE]", "b": 0.1, "d": 0.1, "p": 1},
                {"t": "read(3)", "b": 0.2, "d": 0.3, "p": 0.5},
                {"t": "</s>", "b": 0.5, "d": 0.1, "p": 1},
                {"t": "bad", "b": 0.6, "d": -1, "p": 1},
                {"t": "overflow", "b": 1e308, "d": 1e308, "p": 1},
            ]
        }
    )
    assert words == [{"word": "read", "start": 0.2, "end": 0.5, "conf": 0.5}]


def test_pseudonyms_are_keyed_and_stable():
    a = pseudonym(b"k" * 32, "source-id-0007")
    assert a == pseudonym(b"k" * 32, "source-id-0007")
    assert a != pseudonym(b"j" * 32, "source-id-0007")
    assert a != pseudonym(b"k" * 32, "source-id-0007", kind="audio")
    assert "0007" not in a and a.startswith("c-") and len(a) == 18


# -- paths -------------------------------------------------------------------------------


def test_paths_stay_inside_the_manifest_folder(tmp_path):
    root = tmp_path / "set"
    (root / "clips").mkdir(parents=True)
    (root / "a.wav").write_bytes(b"x")
    (root / "clips" / "cv.mp3").write_bytes(b"x")
    (root / "sub").mkdir()
    outside = tmp_path / "secret.wav"
    outside.write_bytes(b"x")
    os.symlink(outside, root / "link.wav")
    os.symlink(root / "a.wav", root / "inner-link.wav")
    os.mkfifo(root / "fifo.wav")
    r = PathResolver(root / "m.jsonl")

    assert r.resolve("a.wav").path == str(root / "a.wav")
    assert r.resolve("./sub/../a.wav").path == str(root / "a.wav")
    assert r.resolve(str(root / "a.wav")).path == str(root / "a.wav")
    assert r.resolve("cv.mp3").path == str(root / "clips" / "cv.mp3")  # Common Voice layout
    assert r.resolve("inner-link.wav").path == str(root / "a.wav")
    for audio, reason in [
        ("../secret.wav", "leads outside the manifest's folder"),
        ("sub/../../secret.wav", "leads outside"),
        (str(outside), "absolute audio path outside"),
        ("link.wav", "symlink leading outside"),
        ("missing.wav", "audio file not found: missing.wav"),
        ("sub", "is a folder"),
        ("fifo.wav", "not a regular file"),
    ]:
        with pytest.raises(BadLine, match=reason):
            r.resolve(audio)


def test_audio_root_widens_the_allowed_folder(tmp_path):
    (tmp_path / "audio").mkdir()
    (tmp_path / "manifests").mkdir()
    wav = tmp_path / "audio" / "x.wav"
    wav.write_bytes(b"x")
    plain = PathResolver(tmp_path / "manifests" / "m.jsonl")
    with pytest.raises(BadLine, match="leads outside"):
        plain.resolve("../audio/x.wav")
    rooted = PathResolver(tmp_path / "manifests" / "m.jsonl", tmp_path / "audio")
    assert rooted.resolve("../audio/x.wav").path == str(wav)
    assert rooted.resolve(str(wav)).path == str(wav)
    assert rooted.resolve("x.wav").path == str(wav)  # relative to --audio-root as a fallback
    with pytest.raises(BadLine, match="outside the manifest's folder and --audio-root"):
        rooted.resolve("/etc/passwd")


def test_lexicon_file(tmp_path):
    lex = tmp_path / "lex.txt"
    lex.write_text("# products\nEcho Dot\n\nFire TV\nEcho Dot\n\x1b[2Jevil\n")
    assert read_lexicon(lex) == ["Echo Dot", "Fire TV", "evil"]
    with pytest.raises(UserError, match="not found"):
        read_lexicon(tmp_path / "none.txt")
    (tmp_path / "bad.txt").write_bytes(b"ok\n\xff\n")
    with pytest.raises(UserError, match="invalid UTF-8 on line 2"):
        read_lexicon(tmp_path / "bad.txt")


def test_csv_monster_line_is_refused_and_the_rest_read(tmp_path):
    m = tmp_path / "m.csv"
    m.write_bytes(b"audio,text\n" + b"a.wav," + b"x" * (3 << 20) + b"\nb.wav,fine\n")
    assert [(n, x if isinstance(x, dict) else str(x)) for n, x in read_manifest(m)] == [
        (2, "line longer than 1024 KiB"),
        (3, {"audio": "b.wav", "text": "fine"}),
    ]
