"""The report's charts, drawn by pygal (the optional `report` extra) as SVG kept in the page.

pygal draws server-side, so the page needs no script and no network to show a chart: its
own scripts (tooltips loaded from the web, a config object) are left out (`js=[]`, and any
<script> element removed from the tree), and the page forbids scripts outright (page.py).
Names in labels and legends are cleaned of control characters here and XML-escaped by the
SVG serialiser, so a user or batch name is only ever text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from earmark.errors import UserError
from earmark.textsafe import clean

INSTALL = "the report needs pygal: pip install 'earmark[report]' (or: pip install pygal)"
SVG_NS = "http://www.w3.org/2000/svg"


def _pygal() -> Any:
    try:
        import pygal
    except ImportError:
        raise UserError(INSTALL) from None
    return pygal


def available() -> None:
    """Raise the one-line UserError when pygal is not installed."""
    _pygal()


def _label(text: object) -> str:
    return clean(str(text), max_len=60) or "?"


def _svg(chart: Any) -> str:
    ET.register_namespace("", SVG_NS)
    root = chart.render_tree()
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)  # comments and scripts: nothing but drawing
    return ET.tostring(root, encoding="unicode")


def _style(kind: str, title: str, **options: Any) -> Any:
    pygal = _pygal()
    return getattr(pygal, kind)(
        js=[],
        disable_xml_declaration=True,
        title=_label(title),
        width=800,
        height=380,
        legend_at_bottom=True,
        truncate_legend=40,
        truncate_label=16,
        x_label_rotation=30,
        print_values=False,
        **options,
    )


def series_chart(
    kind: str,
    title: str,
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    **options: Any,
) -> str:
    """A Line or Bar chart: one series per name, values aligned with `x_labels`."""
    chart = _style(kind, title, **options)
    chart.x_labels = [_label(x) for x in x_labels]
    for name, values in series.items():
        chart.add(_label(name), list(values))
    return _svg(chart)
