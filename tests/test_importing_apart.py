"""A big manifest read in a process of its own imports exactly what reading it in-process
does: the same clips, words, hidden gold references, unplayable reasons, bad lines, dropped
fields and consent purges; an error in the reader reaches the caller as it would have
in-process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from earmark.errors import UserError
from earmark.importing import apart, import_manifests
from earmark.store import open_store


def _files(folder: Path) -> None:
    t = np.arange(8000) / 16000
    sf.write(folder / "a.wav", (0.2 * np.sin(2 * np.pi * 440 * t)).astype("float32"), 16000)
    sf.write(folder / "b.flac", (0.1 * np.sin(2 * np.pi * 220 * t)).astype("float32"), 16000)
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")


def _manifest(folder: Path, withdraw: bool = False) -> Path:
    words = [
        {"word": "turn", "start": 0.1, "end": 0.3, "conf": 0.9},
        {"t": "<sil>", "b": 0.3, "d": 0.1, "p": 1.0},
        {"t": "off(2)", "b": 0.4, "d": 0.2, "p": 0.8},
        {"word": "x", "start": -1},
    ]
    lines = []
    for i in range(300):
        row: dict[str, object] = {"audio": ["a.wav", "b.flac", "broken.wav"][i % 3], "id": i}
        row["asr"] = {"text": f"turn off light {i}", "words": words, "alternatives": ["a", "a"]}
        if i % 7 == 0:
            row["account_id"] = f"A{i}"
        if i % 11 == 0:
            row["review_allowed"] = not withdraw and i % 2 == 0
        if i % 13 == 0:
            row["gold"] = {"text": f"turn off light {i}", "flags": ["critical"] * (i % 2)}
        lines.append(json.dumps(row))
        if i % 50 == 0:
            lines += ["{broken", '{"audio": "../out.wav"}', '{"audio": "nope.wav"}', "[1]"]
    lines += [lines[1], '{"audio": "a.wav", "duration": 2.5}', "", "  "]
    path = folder / "m.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(tmp_path: Path, name: str, forced: bool, monkeypatch, withdraw: bool = False):
    monkeypatch.setattr("earmark.importing.importer.worth_it", lambda manifest: forced)
    readers: list[int] = []

    def counted(*args):
        for line in apart.lines_apart(*args):
            readers.append(line.lineno)
            yield line

    monkeypatch.setattr("earmark.importing.importer.lines_apart", counted)
    store = open_store(tmp_path / f"{name}.db")
    try:
        first = import_manifests(store, [_manifest(tmp_path)], actor="lead")
        second = import_manifests(store, [_manifest(tmp_path, withdraw)], actor="lead")
        rows = store.db.query(
            "SELECT audio, duration, asr, asr_words, asr_alternatives, status, skip_reason"
            " FROM clips ORDER BY id"
        )
        gold = store.db.query("SELECT clip_id, text, flags FROM gold ORDER BY clip_id")
        assert bool(readers) is forced
        return first, second, [tuple(r) for r in rows], [tuple(r) for r in gold]
    finally:
        store.close()


@pytest.mark.parametrize("withdraw", [False, True])
def test_reading_apart_imports_what_reading_in_process_does(tmp_path, monkeypatch, withdraw):
    _files(tmp_path)
    here = _run(tmp_path, "here", False, monkeypatch, withdraw)
    away = _run(tmp_path, "away", True, monkeypatch, withdraw)
    assert away == here
    first, second, rows, gold = away
    assert len(gold) > 10  # a big manifest's gold lines are not lost on the way
    assert first.imported > 200 and first.unplayable > 50 and first.bad_line_count == 25
    assert first.dropped_fields == {"account_id": 43} and first.words_dropped == 300
    assert (second.purged > 0) is withdraw and len(rows) == first.imported - second.purged
    assert json.loads(rows[0][3])[1] == {"word": "off", "start": 0.4, "end": 0.6, "conf": 0.8}


def test_an_error_in_the_reader_reaches_the_caller(tmp_path, monkeypatch):
    monkeypatch.setattr("earmark.importing.importer.worth_it", lambda manifest: True)
    bad = tmp_path / "m.json"
    bad.write_text('[{"audio": "a.wav"}]\n')
    store = open_store(tmp_path / "p.db")
    try:
        with pytest.raises(UserError, match="JSON array"):
            import_manifests(store, [bad], actor="lead")
    finally:
        store.close()


def test_only_a_big_manifest_on_two_cores_is_read_apart(tmp_path, monkeypatch):
    small = tmp_path / "small.jsonl"
    small.write_text('{"audio": "a.wav"}\n')
    big = tmp_path / "big.jsonl"
    big.write_bytes(b" " * apart.MIN_BYTES)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    assert not apart.worth_it(small) and apart.worth_it(big)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0})
    assert not apart.worth_it(big)
