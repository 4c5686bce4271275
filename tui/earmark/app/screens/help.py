"""Every command with its keys under the active keymap, grouped, plus the editor's own keys.

Built from earmark/command_table.py (so a new command appears here by itself). Lines wrap
rather than being cut, and the box scrolls, so nothing is lost at 80x24.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from earmark.app.bindings import key_label
from earmark.command_table import COMMANDS, GROUPS
from earmark.keymap import Keymap

GROUP_TITLES = {
    "audio": "Audio",
    "finishing": "Finishing a clip",
    "editing": "Editing help",
    "sensitive": "Sensitive content",
    "general": "General",
}
KEY_WIDTH = 18


def _row(keys: str, what: str, bid: str = "") -> Content:
    parts: list[str | tuple[str, str]] = [(f"{keys:>{KEY_WIDTH}}", "bold"), "  ", what]
    if bid:
        parts += ["  ", (bid, "dim")]
    return Content.assemble(*parts)


def help_content(keymap: Keymap, editor_keys: Sequence[tuple[str, str]] = ()) -> Content:
    lines: list[Content] = []
    for group in GROUPS:
        lines.append(Content.assemble((GROUP_TITLES[group], "bold underline")))
        for c in (c for c in COMMANDS if c.group == group):
            keys = ", ".join(key_label(k) for k in keymap.keys(c.id)) or "(none)"
            lines.append(_row(keys, c.description, c.id))
        lines.append(Content(""))
    if editor_keys:
        lines.append(Content.assemble(("In the transcript", "bold underline")))
        lines += [_row(keys, what) for keys, what in editor_keys]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,f1,enter", "close", "Close", id="help_close"),
    ]

    def __init__(self, keymap: Keymap, editor_keys: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__()
        self.keymap = keymap
        self.editor_keys = list(editor_keys)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Label(
                Content(f"Keys (keymap: {self.keymap.name}) · ↑↓ scroll · esc closes"),
                id="help-title",
            )
            with VerticalScroll(id="help-scroll"):
                yield Static(help_content(self.keymap, self.editor_keys), id="help-text")
            yield Label(
                "Typing always types: commands use function keys and ctrl/alt chords.",
                id="help-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
