"""Argument blocks of some subcommands, kept out of cli.py so it stays one short page.

Only argparse here: building the parser must not import what the commands need to run.
"""

from __future__ import annotations

import argparse

AGREEMENT = "agreement between annotators on shared clips, and gold scores (reviewers, leads)"


def export(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("jsonl", "nemo", "csv"), default="jsonl")
    p.add_argument("--out", metavar="FILE", help="output file (default: stdout)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out file that is not an earlier export (never the database)",
    )
    p.add_argument(
        "--include-critical",
        action="store_true",
        help="nemo: keep clips flagged critical (left out by default)",
    )
    p.add_argument(
        "--include-gold",
        action="store_true",
        help="reviewers and leads: write quality-control reference clips with their reference"
        " text (left out by default)",
    )
    p.add_argument("--user", metavar="NAME")


def agreement(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="one JSON object (see README: Quality)")
    p.add_argument("--batch", metavar="NAME", help="only this batch")
    p.add_argument("--user", metavar="NAME", help="act as NAME (default: your login name)")
