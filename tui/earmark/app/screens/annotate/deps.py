"""Everything the annotate screen is given by the app (its one setup point), in one value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from earmark.audio.prefetch import Prefetcher
from earmark.escalation import DeadlinePolicy
from earmark.keymap import Keymap
from earmark.session import Session
from earmark.store import Store
from earmark.suggest import Suggester

if TYPE_CHECKING:
    from earmark.audio.player import Player


@dataclass(frozen=True)
class AnnotateDeps:
    session: Session
    store: Store  # for the flag, escalation and break panels
    keymap: Keymap
    prefetcher: Prefetcher
    open_player: Callable[[], Player | None]  # called once, in a worker thread
    make_suggester: Callable[[], Suggester | None]  # likewise
    policy: DeadlinePolicy
    autoplay: bool = True
    cursor_blink: bool = True
    second_listen: bool = True  # [suggestions] second_listen in the settings file
