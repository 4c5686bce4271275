"""`earmark agreement [--json] [--batch NAME]`: how far apart annotators are, and gold scores.

Reviewers and leads only (earmark checks the role; on PostgreSQL the server refuses an
annotator the answers and other people's slots anyway). The figures and which kappa is used
when are explained in earmark/quality/agreement.py; the JSON has at least `annotators`:
{name: {gold_clips, gold_wer, pair_wer}}.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import Any

from earmark.config import current_user, db_path
from earmark.quality.agreement import GoldResult, Rating, report
from earmark.roles import REVIEW_ROLES, require
from earmark.store import Store, open_store
from earmark.textsafe import clean


def run(args: argparse.Namespace) -> int:
    actor = current_user(getattr(args, "user", None))
    store = open_store(db_path(args.db), create=False)
    try:
        require(actor, store.role_of(actor), REVIEW_ROLES, "see agreement and gold scores")
        batch = getattr(args, "batch", None)
        if batch is not None:
            store.batch_settings(batch)  # an unknown batch is one line naming it, exit 2
        gold = [
            GoldResult(a.annotator, a.batch, a.score, a.skipped) for a in store.gold_answers(batch)
        ]
        figures = report(ratings(store, batch), gold)
    finally:
        store.close()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        for line in lines(figures):
            print(clean(line))
    return 0


def ratings(store: Store, batch: str | None) -> Iterator[Rating]:
    """Every finished slot of the project (or batch) with the flag kinds its annotator
    raised on the clip."""
    flags = store.flags_by_clip()
    for a in store.annotations(batch):
        kinds = tuple(
            sorted({f.kind for f in flags.get(a.clip_id, ()) if f.raised_by == a.annotator})
        )
        yield Rating(
            a.clip_id, a.clip, a.batch, a.annotator, None if a.skipped else (a.text or ""), kinds
        )


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _kappa(k: float | None, method: str | None, used: int) -> str:
    if method is None or k is None:
        return "flags: no shared clips"
    name = "Cohen's" if method == "cohen" else "Fleiss'"
    return f"flags: {name} kappa {k:.2f} ({used} clips)"


def lines(f: dict[str, Any]) -> list[str]:
    o = f["overall"]
    out = [
        f"{o['overlapped_clips']} clips with 2+ transcripts: pair WER {_pct(o['pair_wer'])}, "
        + _kappa(o["flag_kappa"], o["kappa_method"], o["kappa_clips"])
    ]
    out.append(f"{'annotator':<20} {'gold':>5} {'gold WER':>9} {'flags ok':>9} {'pair WER':>9}")
    for name, a in f["annotators"].items():
        out.append(
            f"{name[:20]:<20} {a['gold_clips']:>5} {_pct(a['gold_wer']):>9}"
            f" {_pct(a['gold_flag_agreement']):>9} {_pct(a['pair_wer']):>9}"
        )
    for name, b in f["batches"].items():
        out.append(
            f"batch {name}: {b['overlapped_clips']} shared clips, pair WER {_pct(b['pair_wer'])},"
            f" {_kappa(b['flag_kappa'], b['kappa_method'], b['kappa_clips'])};"
            f" gold {b['gold_clips']} answers, WER {_pct(b['gold_wer'])}"
        )
    if f["disagree_most"]:
        out.append("clips that disagree most:")
        for c in f["disagree_most"]:
            flags = "" if c["flags_agree"] else ", flags differ"
            out.append(
                f"  {c['clip']} ({c['batch']}): pair WER {_pct(c['pair_wer'])},"
                f" {c['transcripts']} transcripts{flags}"
            )
    return out
