"""The annotator app: owns the session, the audio (player and prefetcher), the keymap.

Screens do the drawing; the app holds what outlives a screen and makes sure the draft is on
disk however the program ends: the quit key, ctrl+c, the terminal closing (SIGHUP) or a
TERM from the system. (A kill -9 cannot be caught; the half-second autosave covers it.)
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable

from textual.app import App
from textual.binding import Binding

from earmark.app.screens.annotate import AnnotateScreen
from earmark.app.terminal_keys import read_alt_digits_as_chords
from earmark.audio.prefetch import Prefetcher
from earmark.clock import SYSTEM, Clock
from earmark.keymap import Keymap, load_keymap
from earmark.session import Session
from earmark.store import Store

read_alt_digits_as_chords()


def _default_player_opener(url: str | None, clock: Clock) -> Callable[[], object]:
    def opener():
        from earmark.audio.player import open_player

        return open_player(url, clock=clock)

    return opener


def _default_suggester(store: Store):
    from earmark.suggest import Suggester

    return Suggester.from_store(store)


class AnnotatorApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "earmark"
    ENABLE_COMMAND_PALETTE = False
    # ctrl+c quits too (saving the draft), as people expect of a terminal program.
    BINDINGS = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, system=True, id="interrupt"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        user: str,
        keymap: Keymap | None = None,
        audio_url: str | None = None,
        autoplay: bool = True,
        clock: Clock = SYSTEM,
        player_opener: Callable[[], object] | None = None,
        suggester_factory: Callable[[Store], object] | None = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.keymap = keymap or load_keymap(None)
        self.autoplay = autoplay
        self.cursor_blink = cursor_blink
        self.session = Session(store, user, clock=clock)
        self.prefetcher = Prefetcher(capacity=4)
        self._player_opener = player_opener or _default_player_opener(audio_url, clock)
        self._suggester_factory = suggester_factory or _default_suggester
        self._clash_reported: set[frozenset[str]] = set()
        self._shut_down = False
        self._players: list = []
        # The screen's bindings carry default.toml's keys; Textual's keymap replaces the keys
        # of the ids this keymap changes. Only those: Textual re-applies the keymap to the
        # binding chain on every key press, at a cost that grows with its size.
        default = load_keymap(None).bindings
        self.set_keymap(
            {bid: keys for bid, keys in self.keymap.bindings.items() if default.get(bid) != keys}
        )

    # -- resources the screen asks for (from worker threads) ------------------------------
    def open_player(self):
        player = self._player_opener()
        self._players.append(player)  # closed in shutdown(), even after the screens are gone
        return player

    def make_suggester(self):
        return self._suggester_factory(self.store)

    # -- lifecycle -------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.push_screen(AnnotateScreen())
        for warning in self.keymap.warnings:
            self.notify(warning, title="keymap", severity="warning", timeout=10, markup=False)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._on_signal)

    def _on_signal(self) -> None:
        self.shutdown()
        self.exit(return_code=0)

    async def action_quit(self) -> None:
        self.shutdown()
        self.exit()

    def on_unmount(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Save the draft and release audio; safe to call more than once."""
        if self._shut_down:
            return
        self._shut_down = True
        with contextlib.suppress(Exception):
            self.session.close()
        screen = self._annotate_screen()
        player = getattr(screen, "player", None) if screen else None
        for p in {id(x): x for x in [*self._players, player] if x is not None}.values():
            with contextlib.suppress(Exception):
                p.close()
        with contextlib.suppress(Exception):
            self.prefetcher.close()

    def _annotate_screen(self) -> AnnotateScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, AnnotateScreen):
                return screen
        return None

    # -- keymap clashes ----------------------------------------------------------------------
    def handle_bindings_clash(self, clashed_bindings: set[Binding], node) -> None:
        """Textual found two bindings on one key: say so once, naming both."""
        ids = frozenset(b.id or b.action for b in clashed_bindings)
        if ids in self._clash_reported:
            return
        self._clash_reported.add(ids)
        keys = ", ".join(sorted({b.key for b in clashed_bindings}))
        self.notify(
            f"keys clash: {keys} is bound to {' and '.join(sorted(ids))}; fix your keymap",
            title="keymap",
            severity="warning",
            timeout=10,
            markup=False,
        )
