"""Ending the annotator when its terminal goes away without a hangup signal.

Over SSH the terminal's end sends SIGHUP, which the app handles (the draft is saved, the app
exits). But a terminal can vanish with no signal to earmark: run under `runuser` or `setsid`
(no controlling terminal), or when a multiplexer is killed. Then every read returns nothing
and Textual's input thread turns that into a busy loop (60-85% of a core, measured), and its
exit path blocks on writes to the dead terminal, so even SIGTERM left the process running.

A thread looks once a second whether the terminal is still there (`isatty` turns false on a
hung-up terminal); when it is not, it saves the draft through `on_gone` and ends the process
at once: there is no screen left to restore.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable

LOOK_EVERY = 1.0  # seconds


def watch_terminal(on_gone: Callable[[], None], *, stop: threading.Event) -> None:
    """Start the watch, if earmark has a terminal to lose; `stop` ends it (a normal exit)."""
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else -1
    except (OSError, ValueError):
        return
    if fd < 0 or not os.isatty(fd):
        return

    def run() -> None:
        while not stop.wait(LOOK_EVERY):
            if not os.isatty(fd):
                with contextlib.suppress(Exception):
                    on_gone()
                os._exit(0)

    threading.Thread(target=run, name="earmark-terminal-watch", daemon=True).start()
