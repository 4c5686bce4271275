"""Property: whatever text a manifest holds, import and export keep the words, drop every
identifying field and let no raw control character through, in every format."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import soundfile as sf
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from earmark.exporting import write
from earmark.importing import import_manifests
from earmark.store import open_store
from earmark.textsafe import clean, clean_words

IDENTIFYING = ("account_id", "first_name", "device_id", "location", "client_id", "email")
BIDI = {
    "\u200e",
    "\u200f",
    "\u061c",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}

# Text as a hostile supplier writes it: every plane, controls and escapes included.
hostile_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(["\x1b[31m", "\x1b]52;c;aGk=\x07", "\x9b2J", "\u202e", "\x00", "\r\n"]),
    ),
    max_size=30,
).map("".join)
# An identifying value is distinctive, so finding it anywhere in an export means it leaked.
identifying_value = st.builds(
    lambda tail, n: f"IDV{n:08d}{tail}", st.text(max_size=8), st.integers(0, 10**8)
)
row = st.fixed_dictionaries(
    {"asr": hostile_text, "id": st.builds(lambda n: f"SRC{n:010d}", st.integers(0, 10**10))},
    optional={k: identifying_value for k in IDENTIFYING}
    | {"alternatives": st.lists(hostile_text, max_size=3)},
)


def _terminal_safe(text: str, *, allowed: str) -> None:
    for ch in text:
        if ch in allowed:
            continue
        assert unicodedata.category(ch) != "Cc", repr(ch)
        assert ch not in BIDI, repr(ch)


def _write_manifest(folder: Path, fmt: str, rows: list[dict]) -> Path:
    if fmt == "jsonl":
        path = folder / "m.jsonl"
        lines = [json.dumps({"audio": "a.wav", **r}) for r in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    fields = ["audio", "asr", "id", *IDENTIFYING]
    path = folder / f"m.{fmt}"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({"audio": "a.wav", **r})
        path.write_text(buf.getvalue(), encoding="utf-8")
        return path
    cells = [fields] + [[str({"audio": "a.wav", **r}.get(f, "")) for f in fields] for r in rows]
    path.write_text("\n".join("\t".join(c) for c in cells) + "\n", encoding="utf-8")
    return path


def _plain(text: str) -> bool:
    """A TSV cell cannot hold a tab or a line break; nor can a line start with a BOM."""
    return not any(ch in text for ch in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(row, min_size=1, max_size=4, unique_by=lambda r: r["id"]),
    fmt=st.sampled_from(["jsonl", "csv", "tsv"]),
    submitted=hostile_text,
)
def test_import_export_round_trip_keeps_words_and_drops_identity(rows, fmt, submitted):
    if fmt == "tsv":
        assume(all(_plain(v) for r in rows for v in r.values() if isinstance(v, str)))
    if fmt != "jsonl":
        rows = [{k: v for k, v in r.items() if k != "alternatives"} for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sf.write(folder / "a.wav", np.zeros(800, dtype="float32"), 16000)
        manifest = _write_manifest(folder, fmt, rows)
        store = open_store(folder / "e.db")
        try:
            summary = import_manifests(store, [manifest], actor="lead")
            assert summary.imported == len(rows), summary.lines()
            first = next(iter(store.iter_clips()))
            if clean_words(submitted):
                store.submit(first.id, submitted, "ann", 1.0)
            outputs = {}
            for out_fmt in ("jsonl", "nemo", "csv"):
                buf = io.StringIO()
                write(store, out_fmt, buf, include_critical=True)
                outputs[out_fmt] = buf.getvalue()
        finally:
            store.close()
        stored = b"".join(p.read_bytes() for p in folder.glob("e.db*"))
        for r in rows:  # nor in the database, its WAL or the key file
            assert r["id"].encode() not in stored
            for key in IDENTIFYING:
                if key in r:
                    assert r[key][:11].encode() not in stored, key
        # the words survive, cleaned
        records = [json.loads(line) for line in outputs["jsonl"].splitlines()]
        assert [r["asr"] for r in records] == [clean_words(r.get("asr", "")) for r in rows]
        if clean_words(submitted):
            assert records[0]["text"] == clean(submitted)
        csv_rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
        for rec, cells in zip(records, csv_rows, strict=True):
            expect = rec["asr"]
            if expect.startswith(("=", "+", "-", "@")):
                expect = "'" + expect
            assert cells["asr"] == expect
        # nothing identifying and no terminal machinery, in any format
        for out_fmt, text in outputs.items():
            _terminal_safe(text, allowed="\n")
            for r in rows:
                assert r["id"] not in text, out_fmt
                for key in IDENTIFYING:
                    if key in r:
                        assert r[key][:11] not in text, (out_fmt, key)
