"""Every binding with the key it has under the active keymap, and what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from earmark.keymap import DESCRIPTIONS, PUBLIC_IDS, Keymap


def key_label(key: str) -> str:
    """A key as people write it: ctrl+space -> ctrl+space, pagedown -> pgdn, f9 -> F9."""
    short = {
        "pagedown": "pgdn",
        "pageup": "pgup",
        "enter": "enter",
        "escape": "esc",
        "full_stop": ".",
        "comma": ",",
        "minus": "-",
        "equals_sign": "=",
        "slash": "/",
    }
    parts = key.split("+")
    base = parts[-1]
    base = short.get(base, base.upper() if base.startswith("f") and base[1:].isdigit() else base)
    return "+".join([*parts[:-1], base])


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,f1,enter", "close", "Close", id="help_close"),
    ]

    def __init__(self, keymap: Keymap) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Label(f"Keys (keymap: {self.keymap.name}) · esc closes", id="help-title")
            table = DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("command", "keys", "what it does")
            extra = [i for i in self.keymap.bindings if i not in PUBLIC_IDS]
            for bid in (*PUBLIC_IDS, *extra):
                keys = ", ".join(key_label(k) for k in self.keymap.keys(bid)) or "(none)"
                table.add_row(Text(bid), Text(keys), Text(DESCRIPTIONS.get(bid, "")), key=bid)
            yield table
            yield Label(
                "Typing always types: commands use function keys and ctrl/alt chords.",
                id="help-hint",
            )

    def action_close(self) -> None:
        self.dismiss(None)
