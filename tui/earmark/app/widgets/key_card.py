"""A key card beside the work on wide terminals: the commands that matter, with their keys.

Which commands appear is the `card` column of earmark/command_table.py.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static

from earmark.app.bindings import first_key
from earmark.command_table import COMMANDS
from earmark.keymap import Keymap


def card_content(keymap: Keymap) -> Content:
    lines = [
        Content.assemble((f"{first_key(keymap, c.id):>11}", "bold"), "  ", c.label)
        for c in COMMANDS
        if c.card
    ]
    return Content("\n").join(lines)


class KeysCard(Static):
    def __init__(self, keymap: Keymap, **kwargs: Any) -> None:
        super().__init__(card_content(keymap), markup=False, **kwargs)
