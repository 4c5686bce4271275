"""The three-way word diff on screen: symbols first, colour second.

Every changed word carries its symbol (+ inserted, - deleted, ~ substituted) so the diff
reads without colour, in 16 colours and to colour-blind reviewers; colour only adds to it.
The selected word of the guess (for playing one word) is shown with ▸ as well as reversed.
All text is cleaned (earmark/textsafe.py) and drawn as plain rich Text, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from earmark.quality.review import DiffLine
from earmark.textsafe import clean

STYLES = {
    "equal": "",
    "insert": "bold green",
    "delete": "strike red",
    "replace": "bold yellow",
}
LEGEND = "+ inserted   - deleted   ~ changed   (each transcript against the ASR guess)"


def diff_text(lines: Sequence[DiffLine], *, selected: int | None = None, width: int = 10) -> Table:
    """One row per line: a label column, then its words, wrapped under themselves."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", width=width, no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    for n, line in enumerate(lines):
        grid.add_row(clean(line.label)[:width], _words(line, selected if n == 0 else None))
    return grid


def _words(line: DiffLine, selected: int | None) -> Text:
    out = Text()
    for i, piece in enumerate(line.pieces):
        if i:
            out.append(" ")
        word, style = piece.marked, STYLES[piece.kind]
        if selected == i:
            word, style = f"▸{word}", "reverse bold"
        out.append(word, style=style)
    return out
