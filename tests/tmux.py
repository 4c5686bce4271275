"""The one tmux driver: a real terminal for the real `earmark`, read back as a person reads it.

Pilot presses key *names*; a terminal sends *bytes*. Tests that must see what a terminal
delivers (function keys, chords, NUL for ctrl+space, signals, the process really ending)
start the command here and read the screen with `tmux capture-pane`.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Tmux:
    def __init__(self, tmp_path: Path, name: str) -> None:
        self.sock = f"earmark-{os.getpid()}-{name}"
        conf = tmp_path / "tmux.conf"
        conf.write_text("set -g remain-on-exit on\nset -g status off\nset -sg escape-time 0\n")
        self.conf = conf

    def tmux(self, *args: str, check: bool = True) -> str:
        r = subprocess.run(
            ["tmux", "-L", self.sock, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            timeout=20,
        )
        if check and r.returncode:
            raise RuntimeError(f"tmux {args}: {r.stderr}")
        return r.stdout

    def start(self, argv: list[str], width: int = 100, height: int = 30) -> None:
        cmd = "exec " + " ".join(shlex.quote(a) for a in argv)
        env = {**os.environ, "TERM": "xterm-256color"}
        subprocess.run(
            [
                "tmux",
                "-L",
                self.sock,
                "-f",
                str(self.conf),
                "new-session",
                "-d",
                "-x",
                str(width),
                "-y",
                str(height),
                "-s",
                "t",
                cmd,
            ],
            check=True,
            timeout=20,
            env=env,
            cwd=ROOT,
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", "t", *(["-l"] if literal else []), *keys)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared; screen:\n{screen}")

    def ready(self, text: str) -> str:
        """The first screen is up; give the terminal handshake a moment, as a person would."""
        screen = self.wait_for(text)
        time.sleep(0.5)
        return screen

    def wait_gone(self, text: str, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text not in self.screen():
                return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never went away")

    def pid(self) -> int:
        return int(self.tmux("display", "-p", "-t", "t", "#{pane_pid}").strip())

    def dead(self) -> bool:
        return self.tmux("display", "-p", "-t", "t", "#{pane_dead}").strip() == "1"

    def wait_dead(self, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.dead():
                return
            time.sleep(0.05)
        raise AssertionError("earmark did not exit; screen:\n" + self.screen())

    def kill(self) -> None:
        self.tmux("kill-server", check=False)

    def wait_until(self, cond: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
        """Wait until `cond(screen)` holds; fail naming `what` with the last screen."""
        end = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if cond(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{what} never happened; screen:\n{screen}")
