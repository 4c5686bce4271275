"""The command-line arguments of `earmark stats` and `earmark report`, kept beside their
commands so cli.py stays about dispatch and error discipline."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def add(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = cmd("stats", "progress, throughput, flags, ASR word error rate, time on task")
    p.add_argument(
        "--json",
        action="store_true",
        help="one JSON object; `pending` counts clips nobody has opened, `in_progress` "
        "clips opened but not submitted, `remaining` both; `report` holds the lead's figures",
    )
    p.add_argument("--user", metavar="NAME")

    p = cmd("report", "the lead's report: one self-contained HTML page with charts (leads)")
    p.add_argument("--out", metavar="FILE.html", required=True)
    p.add_argument("--days", type=float, default=14.0, help="hours and days shown (default 14)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.add_argument("--user", metavar="NAME")
