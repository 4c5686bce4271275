"""The reviewer's two tables: the escalation queue and the critical flags.

Each keeps the selected row across a refresh, and draws untrusted text (categories, clip
names, user names) through textsafe.clean into rich Text, never markup.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from earmark.app.widgets.escalation_detail import span_text
from earmark.escalation import Escalation, deadline_text
from earmark.store.flags import Flag
from earmark.textsafe import clean

TIER_STYLE = {"imminent": "bold red", "urgent": "bold yellow", "standard": ""}


class KeptTable(DataTable[Any]):
    """A row table that keeps the cursor on the same key when its rows are replaced."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.add_columns(*self.COLUMNS)

    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None

    def _refill(self, rows: list[tuple[str, list[Text]]]) -> None:
        keep = self.selected_key()
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        if keep is not None and self.row_count:
            with contextlib.suppress(RowDoesNotExist):  # the row went away since
                self.move_cursor(row=self.get_row_index(keep))


class QueueTable(KeptTable):
    # the deadline's date and time are in the detail panel; here "due" says how near it is
    COLUMNS = ("#", "tier", "state", "due", "category", "clip", "raised by")

    def fill(self, items: Sequence[Escalation], now: float) -> None:
        rows = []
        for e in items:
            overdue = e.overdue(now)
            base = "bold white on dark_red" if overdue else ("dim" if e.state == "resolved" else "")
            state = e.state.replace("_", " ") + (f" -> {e.outcome}" if e.outcome else "")
            due = deadline_text(e, now)
            cells = [
                Text(str(e.id), style=base),
                Text(e.tier, style=base or TIER_STYLE[e.tier]),
                Text(state, style=base),
                Text(due.upper() if overdue else due, style=base),
                Text(clean(e.category), style=base),
                Text(clean(e.clip), style=base),
                Text(clean(e.raised_by), style=base),
            ]
            rows.append((str(e.id), cells))
        self._refill(rows)


class CriticalTable(KeptTable):
    COLUMNS = ("flag", "category", "clip", "span", "raised by", "downgrade")

    def fill(self, flags: Sequence[Flag], clip_name: Callable[[int], str]) -> None:
        rows = []
        for f in flags:
            asked = (
                f"asked by {clean(f.downgrade_requested_by)}" if f.downgrade_requested_by else ""
            )
            cells = [
                Text(str(f.id)),
                Text(clean(f.category or "-")),
                Text(clean(clip_name(f.clip_id))),
                Text(span_text(f.start, f.end)),
                Text(clean(f.raised_by)),
                Text(asked, style="bold yellow"),
            ]
            rows.append((str(f.id), cells))
        self._refill(rows)
