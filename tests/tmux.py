"""The one tmux driver: a real terminal for the real `earmark`, read back as a person reads it.

Pilot presses key *names*; a terminal sends *bytes*. Tests that must see what a terminal
delivers (function keys, chords, NUL for ctrl+space, signals, the process really ending)
start the command here and read the screen with `tmux capture-pane`. Each test gets its own
tmux server (a private `-L` socket, the `term` fixture in tests/conftest.py), so tests can run
side by side. Every wait polls for a condition and fails with the last screen it saw.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLL = 0.05  # seconds between two looks at the screen


class Tmux:
    def __init__(self, tmp_path: Path, name: str) -> None:
        # A socket path must stay short (about 100 bytes), so long test names are cut.
        self.sock = f"earmark-{os.getpid()}-{name[:40]}"
        conf = tmp_path / "tmux.conf"
        conf.write_text("set -g remain-on-exit on\nset -g status off\nset -sg escape-time 0\n")
        self.conf = conf

    def tmux(self, *args: str, check: bool = True, env: Mapping[str, str] | None = None) -> str:
        r = subprocess.run(
            ["tmux", "-L", self.sock, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            timeout=20,
            env={**os.environ, **(env or {}), "TERM": "xterm-256color"},
            cwd=ROOT,
        )
        if check and r.returncode:
            raise RuntimeError(f"tmux {args}: {r.stderr}")
        return r.stdout

    def start(
        self,
        argv: list[str],
        width: int = 100,
        height: int = 30,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """Run `argv` in a fresh `width` x `height` terminal (from the checkout's folder), with
        `env` added to this process's environment."""
        size = ["-x", str(width), "-y", str(height)]
        self.tmux("new-session", "-d", *size, "-s", "t", "exec " + shlex.join(argv), env=env)

    def respawn(self, argv: list[str]) -> None:
        """Start `argv` again in the same terminal, as a person would after it ended."""
        self.tmux("respawn-pane", "-k", "-t", "t", shlex.join(argv))

    def screen(self, *, escapes: bool = False, history: int = 0) -> str:
        """The visible screen as text (with `escapes`, its colours and styles as sent; with
        `history`, that many lines scrolled off above it too: a command's output that ends
        at the last row is pushed up one when tmux writes "Pane is dead" below it)."""
        above = ["-S", str(-history)] if history else []
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), *above, "-t", "t")

    def keys(self, *keys: str, literal: bool = False) -> None:
        """Send keys by tmux name (`F1`, `C-q`, `M-s`, `Enter`), or text with `literal`."""
        self.tmux("send-keys", "-t", "t", *(["-l"] if literal else []), *keys)

    def wait_until(
        self,
        cond: Callable[[str], object],
        what: str,
        timeout: float = 30.0,
        poll: float = POLL,
        history: int = 0,
    ) -> str:
        """Wait until `cond(screen)` holds; fail naming `what` with the last screen (with
        `history`, the screen and that many lines scrolled off above it)."""
        end = time.monotonic() + timeout
        while True:
            screen = self.screen(history=history)
            if cond(screen):
                return screen
            if time.monotonic() > end:
                raise AssertionError(f"{what} never happened; screen:\n{screen}")
            time.sleep(poll)

    def wait_for(self, text: str, timeout: float = 30.0, history: int = 0) -> str:
        return self.wait_until(lambda s: text in s, f"{text!r} appearing", timeout, history=history)

    def wait_gone(self, text: str, timeout: float = 30.0) -> str:
        return self.wait_until(lambda s: text not in s, f"{text!r} going away", timeout)

    def ready(self, text: str, timeout: float = 30.0) -> str:
        """The first screen is up and drawn whole: `text` shows and two captures in a row agree.

        Textual puts the terminal in raw mode and starts reading keys before it paints its
        first frame, so once that frame is complete every key sent reaches the app."""
        last = [""]

        def drawn(screen: str) -> bool:
            steady = text in screen and screen == last[0]
            last[0] = screen
            return steady

        return self.wait_until(drawn, f"a steady screen showing {text!r}", timeout)

    def pid(self) -> int:
        return int(self.tmux("display", "-p", "-t", "t", "#{pane_pid}").strip())

    def dead(self) -> bool:
        return self.tmux("display", "-p", "-t", "t", "#{pane_dead}").strip() == "1"

    def wait_dead(self, timeout: float = 20.0) -> None:
        """Wait for the program to exit (the pane stays, so its last screen can be read)."""
        end = time.monotonic() + timeout
        while not self.dead():
            if time.monotonic() > end:
                raise AssertionError("the program did not exit; screen:\n" + self.screen())
            time.sleep(POLL)

    def kill(self) -> None:
        self.tmux("kill-server", check=False)


_TMUX_BASE = {
    "pagedown": "NPage",
    "pageup": "PPage",
    "enter": "Enter",
    "tab": "Tab",
    "space": "Space",
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "escape": "Escape",
    "question_mark": "?",
}
_TMUX_MOD = {"ctrl": "C-", "alt": "M-", "shift": "S-"}


def tmux_key(key: str) -> str:
    """A Textual key name as tmux names the key a terminal sends for it."""
    *mods, base = key.split("+")
    if base.startswith("f") and base[1:].isdigit():
        base = base.upper()
    base = _TMUX_BASE.get(base, base)
    return "".join(_TMUX_MOD[m] for m in mods) + base


def playhead_col(screen: str) -> int:
    """Where the waveform's playhead (▲) is drawn."""
    return next(ln.index("▲") for ln in screen.splitlines() if "▲" in ln)
