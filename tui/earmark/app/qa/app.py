"""`earmark qa`: the app around the review screen (app/qa/screen.py), its one setup point.

It builds the screen's dependencies (store, reviewer, audio opener, keys), applies the
keymap's [qa] table through Textual's keymap, and releases the audio on the way out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import App

from earmark.app.bindings import textual_keys
from earmark.app.qa.screen import QaScreen
from earmark.store import Store

if TYPE_CHECKING:
    from earmark.audio.player import Player


class QaApp(App[int]):
    CSS_PATH = "qa.tcss"
    TITLE = "earmark qa"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        store: Store,
        user: str,
        *,
        open_player: Callable[[], Player | None],
        keys: dict[str, str] | None = None,
        autoplay: bool = True,
    ) -> None:
        super().__init__()
        self.keys = keys or {}
        self.qa = QaScreen(store, user, open_player=open_player, keys=self.keys, autoplay=autoplay)

    def on_mount(self) -> None:
        self.set_keymap({bid: textual_keys(k) for bid, k in self.keys.items()})
        self.push_screen(self.qa)

    def shutdown(self) -> None:
        self.qa.shutdown()
