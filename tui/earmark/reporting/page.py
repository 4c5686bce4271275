"""The lead's report as one self-contained HTML page: charts inline as SVG, CSS inline, no
script and no reference to anything outside the file, so it opens the same offline, in a
mail attachment or years later.

The page's Content-Security-Policy forbids every script and every fetch (`default-src
'none'`), so even a name that slipped past escaping could not run or call out. Every piece
of stored text (annotator and batch names, tiers) is cleaned of control characters and
HTML-escaped; charts escape their own labels (charts.py).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from earmark.reporting.charts import series_chart
from earmark.textsafe import clean

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
.chart svg { width: 100%; height: auto; }
.empty { color: #666; font-style: italic; }
table { border-collapse: collapse; margin: .6em 0; } td, th { padding: .2em .7em; }
th { text-align: left; border-bottom: 1px solid #999; } td.n { text-align: right; }
"""


def esc(value: object) -> str:
    return html.escape(clean(str(value)), quote=True)


def _table(head: list[str], rows: list[list[object]]) -> str:
    cells = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{esc(v)}</td>' if isinstance(v, int | float) else f"<td>{esc(v)}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{cells}</tr>{body}</table>"


def _section(key: str, title: str, body: str) -> str:
    return f'<section id="{key}"><h2>{esc(title)}</h2>{body}</section>'


def _chart(svg: str) -> str:
    return f'<div class="chart">{svg}</div>'


def _empty(text: str) -> str:
    return f'<p class="empty">{esc(text)}</p>'


def _throughput(f: Mapping[str, Any]) -> str:
    data: Mapping[str, Mapping[str, Mapping[str, float]]] = f["throughput"]
    if not data:
        return _empty("No clips submitted in this window yet.")
    hours = sorted({h for cells in data.values() for h in cells})
    series = {
        name: [cells[h]["clips"] if h in cells else 0 for h in hours]
        for name, cells in data.items()
    }
    rows: list[list[object]] = [
        [name, sum(c["clips"] for c in cells.values()), len(cells)] for name, cells in data.items()
    ]
    # a fortnight of hours is hundreds of points per annotator: a line without dots, a label a day
    dense = len(hours) > 48
    chart = series_chart(
        "Line",
        "Clips submitted per hour",
        hours,
        series,
        show_dots=not dense,
        show_minor_x_labels=not dense,
        x_labels_major_every=24 if dense else None,
    )
    return _chart(chart) + _table(["annotator", "clips", "hours worked"], rows)


def _task(f: Mapping[str, Any]) -> str:
    data: Mapping[str, Mapping[str, Any]] = f["time_on_task"]
    if not data:
        return _empty("Nobody has finished a clip yet.")
    names = list(data)
    series = {
        "seconds with the clip open": [data[n]["seconds_per_clip"] for n in names],
        "seconds listening": [data[n]["listening_per_clip"] for n in names],
    }
    rows: list[list[object]] = [
        [
            n,
            d["done"],
            d["seconds_per_clip"] if d["seconds_per_clip"] is not None else "-",
            d["clips_per_hour"] if d["clips_per_hour"] is not None else "-",
            d["excluded"]["skipped"],
            d["excluded"]["handed_back"],
        ]
        for n, d in data.items()
    ]
    note = _empty(
        f"Idle time (no key and no playback for over {f['idle_limit_seconds']:.0f} s) is not "
        "counted; skipped clips and clips handed back for wellbeing reasons are left out."
    )
    chart = series_chart("Bar", "Time on task per finished clip (seconds)", names, series)
    head = ["annotator", "done", "s per clip", "clips/h on task", "skipped", "handed back"]
    return _chart(chart) + _table(head, rows) + note


def _wer(f: Mapping[str, Any]) -> str:
    data: Mapping[str, Mapping[str, Any]] = f["asr_wer_by_batch"]
    if not data:
        return _empty("No submitted transcripts yet.")
    names = list(data)
    pct = [None if data[n]["wer"] is None else round(100 * data[n]["wer"], 1) for n in names]
    chart = series_chart("Bar", "ASR word error rate per batch (%)", names, {"WER %": pct})
    rows: list[list[object]] = [
        [n, data[n]["done"], p if p is not None else "-"] for n, p in zip(names, pct, strict=True)
    ]
    return _chart(chart) + _table(["batch", "done clips", "WER %"], rows)


def _escalations(f: Mapping[str, Any]) -> str:
    data: Mapping[str, Mapping[str, Any]] = f["escalations"]
    if not data:
        return _empty("No escalations raised.")
    tiers = list(data)
    series = {
        "median minutes to resolve": [data[t]["median_resolve_minutes"] for t in tiers],
        "median minutes allowed": [data[t]["median_allowed_minutes"] for t in tiers],
    }
    chart = series_chart("Bar", "Escalation response by tier against its deadline", tiers, series)
    rows: list[list[object]] = [
        [t, d["count"], d["resolved"], d["resolved_late"], d["overdue_now"]]
        for t, d in data.items()
    ]
    head = ["tier", "raised", "resolved", "resolved late", "overdue now"]
    return _chart(chart) + _table(head, rows)


def _exposure(f: Mapping[str, Any]) -> str:
    data: Mapping[str, Mapping[str, float]] = f["exposure_minutes"]
    if not data:
        return _empty("Nobody has heard flagged audio in this window.")
    days = sorted({d for per in data.values() for d in per})
    series = {u: [per.get(d, 0.0) for d in days] for u, per in data.items()}
    chart = series_chart("Bar", "Minutes of flagged audio heard per day", days, series)
    return _chart(chart)


def _pending(key: str, what: str) -> Callable[[Mapping[str, Any]], str]:
    def body(f: Mapping[str, Any]) -> str:
        if f.get(key) is None:
            return _empty(f"No data yet: {what}.")
        return _empty("No figures in this window.")

    return body


def _over_time(key: str, value: str, title: str, what: str) -> Callable[[Mapping[str, Any]], str]:
    """A line per annotator of `value` (a share, shown in %) per day."""

    def body(f: Mapping[str, Any]) -> str:
        data: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = f.get(key)
        if not data:
            return _pending(key, what)(f)
        days = sorted({d for per in data.values() for d in per})
        series = {
            who: [
                None if per.get(d, {}).get(value) is None else round(100 * per[d][value], 1)
                for d in days
            ]
            for who, per in data.items()
        }
        rows: list[list[object]] = [
            [who, d, c.get("clips", c.get("pairs", 0)), "-" if c[value] is None else c[value]]
            for who, per in data.items()
            for d, c in per.items()
        ]
        chart = series_chart("Line", title, days, series, range=(0, 100))
        return _chart(chart) + _table(["annotator", "day", "clips", value], rows)

    return body


def _reviews(f: Mapping[str, Any]) -> str:
    data: Mapping[str, Mapping[str, int]] | None = f.get("reviews")
    if not data:
        return _pending("reviews", "no clip reviewed")(f)
    names = list(data)
    outcomes = ("accepted", "fixed", "rejected")
    series = {o: [data[n].get(o, 0) for n in names] for o in outcomes}
    chart = series_chart("StackedBar", "Review outcomes per annotator", names, series)
    rows: list[list[object]] = [[n, *(data[n].get(o, 0) for o in outcomes)] for n in names]
    return _chart(chart) + _table(["annotator", *outcomes], rows)


SECTIONS: list[tuple[str, str, Callable[[Mapping[str, Any]], str]]] = [
    ("throughput", "Throughput per annotator per hour", _throughput),
    ("time-on-task", "Time on task", _task),
    ("asr-wer", "ASR word error rate per batch", _wer),
    (
        "gold",
        "Gold accuracy per annotator over time",
        _over_time("gold", "accuracy", "Gold word accuracy per day (%)", "no gold clip answered"),
    ),
    (
        "agreement",
        "Agreement per annotator over time",
        _over_time(
            "agreement", "agreement", "Agreement with others per day (%)", "no clip done twice"
        ),
    ),
    ("reviews", "Review outcomes", _reviews),
    ("escalations", "Escalation response times by tier", _escalations),
    ("exposure", "Exposure to flagged content per annotator per day", _exposure),
]


def render(figures: Mapping[str, Any], *, project: str, generated: str) -> str:
    parts = [_section(key, title, body(figures)) for key, title, body in SECTIONS]
    window = figures["window"]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>earmark report: {esc(project)}</title><style>{CSS}</style></head><body>"
        f"<h1>earmark report</h1><p>{esc(project)}: generated {esc(generated)}, covering "
        f"the {esc(format(window['days'], 'g'))} days since {esc(window['since'])}.</p>"
        + "".join(parts)
        + "</body></html>\n"
    )
