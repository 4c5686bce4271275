"""`earmark stats`: where a project stands, in one object a script can read.

`pending` counts clips nobody has opened yet; `in_progress` those an annotator opened and
has not submitted or skipped; `remaining` is both. Keeping them apart matters to a lead: a
large `in_progress` means clips held by people who stopped, not work nobody has started.
Throughput is finished clips per hour of time spent on them (not per wall-clock hour, which
would count lunch), today since local midnight, overall and per annotator.
"""

from __future__ import annotations

import time
from typing import Any

from earmark.store.protocol import Store


def _midnight(now: float) -> float:
    t = time.localtime(now)
    return time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1))


def _per_hour(clips: int, seconds: float) -> float | None:
    return round(clips / (seconds / 3600), 1) if seconds > 0 else None


def compute(store: Store) -> dict[str, Any]:
    """From the store's maintained totals and today's revisions: the cost does not grow with
    the project (the WER's parts are kept per clip at submit, summed by the store)."""
    totals = store.totals()
    counts = totals.counts
    flags = store.flag_counts()
    wer = totals.asr_wer
    since = _midnight(store.clock.now())
    rows = store.throughput_since(since)
    finished = sum(n for _, n, _ in rows)
    seconds = sum(s for _, _, s in rows)
    mean = totals.mean_seconds_on_clip
    return {
        "clips": sum(counts.values()),
        "done": counts["done"],
        "skipped": counts["skipped"],
        "unplayable": counts["unplayable"],
        "pending": counts["pending"],
        "in_progress": counts["in_progress"],
        "remaining": counts["pending"] + counts["in_progress"],
        "flags": {k: flags.get(k, 0) for k in ("critical", "distressing", "escalation")},
        "asr_wer": round(wer, 4) if wer is not None else None,
        "seconds_on_clip": round(mean, 1) if mean is not None else None,
        # the acoustic check: done clips it saw, and those submitted with words it marked
        "check": store.check_counts(),
        "today": {
            "since": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(since)),
            "finished": finished,
            "clips_per_hour": _per_hour(finished, seconds),
            "by_annotator": {
                a: {"finished": n, "clips_per_hour": _per_hour(n, s), "seconds": round(s, 1)}
                for a, n, s in rows
            },
        },
    }


def summary_lines(s: dict[str, Any]) -> list[str]:
    """The readable form of `compute`'s result."""
    total = s["clips"]
    finished = s["done"] + s["skipped"]
    pct = f" ({100 * finished / total:.0f}% finished)" if total else ""
    lines = [
        f"clips        {total:,}{pct}",
        f"  done {s['done']:,}, skipped {s['skipped']:,}, unplayable {s['unplayable']:,},"
        f" pending {s['pending']:,} (not opened),"
        f" in progress {s['in_progress']:,} (opened, not submitted)",
        "flags        " + ", ".join(f"{k} {v:,}" for k, v in s["flags"].items()),
    ]
    if s["asr_wer"] is None:
        lines.append("ASR WER      n/a (no submitted transcripts yet)")
    else:
        lines.append(f"ASR WER      {100 * s['asr_wer']:.1f}% over {s['done']:,} done clips")
    if s["seconds_on_clip"] is not None:
        lines.append(f"time         {s['seconds_on_clip']:.1f} s per finished clip on average")
    c = s["check"]
    if c.get("checked"):
        lines.append(
            f"check        {c['marked']:,} of {c['checked']:,} checked clips submitted"
            " with words the audio did not support"
        )
    t = s["today"]
    if t["finished"]:
        rate = f", {t['clips_per_hour']:.0f} per hour on clip" if t["clips_per_hour"] else ""
        lines.append(f"today        {t['finished']:,} finished{rate}")
        for name, a in t["by_annotator"].items():
            r = f"{a['clips_per_hour']:.0f}/h" if a["clips_per_hour"] else "-"
            lines.append(f"  {name}: {a['finished']:,} finished, {r}")
    else:
        lines.append("today        nothing finished yet")
    return lines
