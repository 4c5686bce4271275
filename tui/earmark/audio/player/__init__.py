"""Playback: the Player (`core`), its map from what was rendered to what is heard (`timeline`)
and its reports of what was played (`events`)."""

from earmark.audio.player.core import Player, open_player
from earmark.audio.player.events import PlayedCallback
from earmark.audio.player.state import (
    EMPTY,
    MAX_REWIND,
    MAX_SPEED,
    MAX_VOLUME,
    MIN_LOOP,
    MIN_SPEED,
    PAUSED,
    PLAYING,
    STOPPED,
)
from earmark.audio.player.timeline import RING

__all__ = [
    "EMPTY",
    "MAX_REWIND",
    "MAX_SPEED",
    "MAX_VOLUME",
    "MIN_LOOP",
    "MIN_SPEED",
    "PAUSED",
    "PLAYING",
    "RING",
    "STOPPED",
    "PlayedCallback",
    "Player",
    "open_player",
]
