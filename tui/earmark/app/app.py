"""The annotator app: the one setup point. It builds the session (with the annotator's
wellbeing limits), the audio (player and prefetcher), the keymap, the settings and the clock
once, and hands the annotate screen what it needs as one `AnnotateDeps` value; no screen
imports this module or reaches into the app.

It also makes sure the draft is on disk however the program ends: the quit key, ctrl+c, the
terminal closing (SIGHUP) or a TERM from the system. (A kill -9 cannot be caught; the
half-second autosave covers it.) When the draft cannot be saved, the quit key says so and
keeps the app open; a second press quits.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding

from earmark.app.bindings import keymap_overrides
from earmark.app.screens.annotate import AnnotateDeps, AnnotateScreen
from earmark.app.terminal_gone import watch_terminal
from earmark.app.terminal_keys import read_alt_digits_as_chords
from earmark.audio.outputs import NoAudio
from earmark.audio.prefetch import Prefetcher
from earmark.clock import SYSTEM, Clock
from earmark.config import load_settings
from earmark.errors import UserError
from earmark.escalation import DeadlinePolicy
from earmark.keymap import Keymap, load_keymap
from earmark.session import STORE_ERRORS, Session
from earmark.store import Store
from earmark.suggest import Suggester
from earmark.wellbeing import Wellbeing

if TYPE_CHECKING:
    from earmark.audio.player import Player

read_alt_digits_as_chords()


def _default_player_opener(
    url: str | None, clock: Clock, output: str | None
) -> Callable[[], Player | None]:
    def opener() -> Player | None:
        from earmark.audio.player import open_player

        return open_player(url, output=output, clock=clock)

    return opener


WORKER_THREADS = 32  # the annotator's thread workers that may run (or wait) at once


def _default_suggester(store: Store) -> Suggester:
    return Suggester.from_store(store)


def _settings() -> dict[str, Any]:
    try:
        return load_settings()
    except UserError:
        return {}  # a broken settings file is reported by the command; keep the defaults here


def _second_listen(settings: dict[str, Any]) -> bool:
    """`[suggestions] second_listen = false` turns the second listen off (a slow machine:
    it decodes every clip again); anything but false keeps it on."""
    table = settings.get("suggestions")
    return not (isinstance(table, dict) and table.get("second_listen") is False)


def _policy(settings: dict[str, Any]) -> DeadlinePolicy:
    try:
        return DeadlinePolicy.from_settings(settings)
    except UserError:
        return DeadlinePolicy()


class AnnotatorApp(App[int]):
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
        audio_output: str | None = None,
        autoplay: bool = True,
        clock: Clock = SYSTEM,
        player_opener: Callable[[], Player | None] | None = None,
        suggester_factory: Callable[[Store], Suggester | None] | None = None,
        cursor_blink: bool = True,
        settings: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.keymap = keymap or load_keymap(None)
        settings = _settings() if settings is None else settings
        wellbeing = Wellbeing(store, user, settings=settings)
        self.session = Session(store, user, clock=clock, wellbeing=wellbeing)
        self.prefetcher = Prefetcher(capacity=4)
        opener = player_opener or _default_player_opener(audio_url, clock, audio_output)
        factory = suggester_factory or _default_suggester
        self._players: list[Player] = []

        def open_player() -> Player | None:
            player = opener()
            if player is not None:
                self._players.append(player)  # closed in shutdown(), after the screens
            return player

        self.deps = AnnotateDeps(
            session=self.session,
            store=store,
            keymap=self.keymap,
            prefetcher=self.prefetcher,
            open_player=open_player,
            make_suggester=lambda: factory(store),
            policy=_policy(settings),
            autoplay=autoplay,
            cursor_blink=cursor_blink,
            second_listen=_second_listen(settings),
        )
        self._clash_reported: set[frozenset[str]] = set()
        self._shut_down = False
        self._terminal_watch = threading.Event()  # set: the watch of terminal_gone.py ends
        # The screen's bindings carry the default keys; Textual's keymap replaces the keys
        # of the ids this keymap changes.
        self.set_keymap(keymap_overrides(self.keymap))

    # -- lifecycle -------------------------------------------------------------------------
    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        # Textual runs thread workers on the loop's default executor: min(32, cores + 4)
        # threads, six on two cores. Some workers wait on a child process (the check, the
        # second listen, the timings kept after a submit) or on the store (the wait for
        # work); six of them waiting at once held the transition to the next clip behind
        # them for 1.9 s. Threads are made only as workers need them.
        loop.set_default_executor(
            ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="earmark-worker")
        )
        self.push_screen(AnnotateScreen(self.deps))
        for warning in self.keymap.warnings:
            self.notify(warning, title="keymap", severity="warning", timeout=10, markup=False)
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._on_signal)
        watch_terminal(self.shutdown, stop=self._terminal_watch)  # gone without a SIGHUP

    def _on_signal(self) -> None:
        self.shutdown()
        self.exit(return_code=0)

    async def action_quit(self) -> None:
        """ctrl+c: like the quit key, it stays when the draft could not be saved."""
        for screen in self.screen_stack:
            if isinstance(screen, AnnotateScreen) and not screen.ready_to_quit():
                return
        self.exit()

    def on_unmount(self) -> None:
        self._terminal_watch.set()
        self.shutdown()

    def shutdown(self) -> None:
        """Save the draft and release audio; safe to call more than once."""
        if self._shut_down:
            return
        self._shut_down = True
        with contextlib.suppress(*STORE_ERRORS):
            self.session.close()
        for player in self._players:
            with contextlib.suppress(NoAudio, OSError, RuntimeError):
                player.close()
        self.prefetcher.close()

    # -- keymap clashes ----------------------------------------------------------------------
    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: Any) -> None:
        """Textual found two bindings on one key: say so once, naming both.

        Textual also reports a command whose keys it expanded into several bindings as
        clashing with itself when a keymap rebinds it; only a key that the resolved keymap
        really gives to two commands is a clash worth a word."""
        applied = {**self.keymap.bindings, **self._keymap}  # as set_keymap left it
        owners: dict[str, set[str]] = {}
        for bid, keys in applied.items():
            for key in keys.split(","):
                owners.setdefault(key.strip(), set()).add(bid)
        clashed_bindings = {b for b in clashed_bindings if len(owners.get(b.key, ())) > 1}
        if not clashed_bindings:
            return
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
