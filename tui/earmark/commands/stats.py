"""`earmark stats [--json]`: progress, throughput, flags, ASR word error rate.

In the JSON, `pending` is clips nobody has opened, `in_progress` clips opened but not yet
submitted, `remaining` their sum; see earmark/stats.py.
"""

from __future__ import annotations

import argparse
import json

from earmark.config import db_path
from earmark.stats import compute, summary_lines
from earmark.store import open_store


def run(args: argparse.Namespace) -> int:
    store = open_store(db_path(args.db), create=False)
    try:
        s = compute(store)
    finally:
        store.close()
    if args.json:
        print(json.dumps(s, ensure_ascii=False))
    else:
        from rich.console import Console
        from rich.text import Text

        console = Console(highlight=False, soft_wrap=True)
        for line in summary_lines(s):
            console.print(Text(line))  # annotator names are text, never markup
    return 0
