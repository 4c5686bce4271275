"""The bundled demo_data/ imports cleanly: what `earmark demo` relies on from a fresh checkout."""

from __future__ import annotations

import json

from earmark.config import demo_data_dir
from earmark.importing import import_manifests

DEMO = demo_data_dir()


def test_demo_data_imports_with_everything_it_is_meant_to_show(store):
    s = import_manifests(
        store, [DEMO / "manifest.jsonl"], lexicon=DEMO / "lexicon.txt", batch="demo"
    )
    assert s.bad_line_count == 0 and s.unplayable == 0
    assert 15 <= s.imported <= 30 and s.excluded == 1
    assert {"account_id", "first_name", "device_id"} <= set(s.dropped_fields)
    assert s.lexicon_terms >= 5 and "Fire TV" in store.lexicon()
    clips = list(store.iter_clips())
    assert all(c.samplerate == 16000 and c.channels == 1 and 0.3 < c.duration < 15 for c in clips)
    assert sum(bool(c.words) for c in clips) >= 10
    assert sum(bool(c.alternatives) for c in clips) >= 2
    assert any("four" in c.asr and "seven" in c.asr for c in clips)  # the bank-details clip
    assert any("ambulance" in c.asr for c in clips)  # the call for help


def test_demo_data_is_small_and_self_contained():
    files = [p for p in DEMO.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert sum(p.stat().st_size for p in files) < 650 * 1024
    for line in (DEMO / "manifest.jsonl").read_text().splitlines():
        row = json.loads(line)
        assert (DEMO / row["audio"]).is_file() and not row["audio"].startswith("/")
