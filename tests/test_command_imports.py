"""The lead's quick commands start quickly: `earmark stats` loads none of the heavy
libraries (Textual, numpy, rapidfuzz, wordfreq, PocketSphinx, soundfile), whose loading
was most of its run time on a big project."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from earmark.store import NewClip, open_store

HEAVY = ["numpy", "pocketsphinx", "rapidfuzz", "soundfile", "textual", "wordfreq"]
RUN = """
import json, sys
from earmark.cli import main
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "heavy": sorted({m.split(".")[0] for m in sys.modules} & set(%r))}))
"""


def test_stats_loads_no_heavy_library(tmp_path: Path):
    db = tmp_path / "p.db"
    store = open_store(db)
    try:
        batch = store.batch_id("b")
        store.add_clips(
            batch, [NewClip(name=f"c{i}", audio="/x.wav", asr="a b c") for i in range(3)]
        )
        store.submit(1, "a b d", "ann", 2.0)
    finally:
        store.close()
    p = subprocess.run(
        [sys.executable, "-c", RUN % HEAVY, "stats", "--json", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    last = json.loads(p.stdout.strip().splitlines()[-1])
    stats = json.loads(p.stdout.strip().splitlines()[0])
    assert last == {"rc": 0, "heavy": []}, p.stderr
    assert stats["done"] == 1 and stats["asr_wer"] is not None
