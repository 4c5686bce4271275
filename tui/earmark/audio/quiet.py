"""Keep C libraries from scribbling over the TUI.

libsndfile's MP3 decoder (mpg123), ALSA and PortAudio print warnings straight to file
descriptor 2, below Python, where no `sys.stderr` redirection reaches; in a full-screen
terminal app that text lands in the middle of the screen. So fd 2 itself is pointed at a log
file (or /dev/null), and Python's own `sys.stderr` / `sys.__stderr__`, which Textual writes its
whole output to, are rebound to a duplicate of the original terminal descriptor.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

_lock = threading.Lock()
_terminal = None  # the text stream on the duplicated terminal fd, once diverted


def divert_native_stderr(log_path: Path | str | None = None) -> None:
    """Send fd 2 to `log_path` (appended, created 0600) or /dev/null; keep Python's stderr.

    Idempotent: only the first call diverts; later calls do nothing.
    """
    global _terminal
    with _lock:
        if _terminal is not None:
            return
        original = sys.__stderr__
        for stream in (sys.stderr, original):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        target = os.fspath(log_path) if log_path is not None else os.devnull
        if log_path is not None:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            keep = os.dup(2)
        except OSError:
            keep = None  # fd 2 was closed: nothing on the terminal to protect
        try:
            os.dup2(fd, 2)
        finally:
            os.close(fd)
        if keep is None:
            _terminal = sys.__stderr__ or sys.stderr
            return
        os.set_inheritable(keep, False)
        encoding = getattr(original, "encoding", None) or "utf-8"
        errors = getattr(original, "errors", None) or "backslashreplace"
        # kept open for the life of the process: it is the terminal from now on
        terminal = open(keep, "w", buffering=1, encoding=encoding, errors=errors, closefd=True)  # noqa: SIM115
        if sys.stderr is original:
            sys.stderr = terminal
        sys.__stderr__ = terminal  # type: ignore[misc]  # the interpreter's own fallback too
        _terminal = terminal


def is_diverted() -> bool:
    return _terminal is not None
