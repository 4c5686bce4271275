"""`earmark listen` as a user runs it: a subprocess that prints the lines to copy, plays what
an authenticated sender sends, prints one line per session and stops cleanly on Ctrl+C."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from earmark.audio.player import open_player
from earmark.audio.remote import LINK_UP

SSH_LINE = re.compile(r"^ssh -R (\d+):127\.0\.0\.1:(\d+) user@server$")
TCP_LINE = re.compile(r"^export EARMARK_AUDIO=(tcp://([0-9a-f]{32})@127\.0\.0\.1:(\d+))$")
UNIX_SSH = re.compile(r"^ssh -R (/\S+/\.earmark/audio\.sock):127\.0\.0\.1:(\d+) user@server$")
UNIX_LINE = re.compile(r"^export EARMARK_AUDIO=unix://([0-9a-f]{32})@(/\S+\.sock)$")


SECRET_FILE_LINE = re.compile(
    r"^\(umask 077; mkdir -p ~/\.earmark; echo ([0-9a-f]{32}) > ~/\.earmark/audio\.secret\)$"
)
PORT_ONLY_LINE = re.compile(r"^earmark annotate --audio tcp://127\.0\.0\.1:(\d+)$")


def start(*args: str) -> tuple[subprocess.Popen, queue.Queue]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "earmark", "listen", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    lines: queue.Queue = queue.Queue()

    def read():
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return proc, lines


def read_until(lines: queue.Queue, pattern: re.Pattern, seen: list[str], timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        if m := pattern.match(line):
            return m
    raise AssertionError(f"no line matching {pattern.pattern}; got {seen}")


def test_listen_prints_the_lines_plays_and_stops_on_ctrl_c():
    proc, lines = start(
        "--output", "null", "--port", "0", "--socket", "/home/me/.earmark/audio.sock"
    )
    seen: list[str] = []
    try:
        ssh = read_until(lines, SSH_LINE, seen)
        tcp = read_until(lines, TCP_LINE, seen)
        unix_ssh = read_until(lines, UNIX_SSH, seen)
        unix = read_until(lines, UNIX_LINE, seen)
        port = tcp.group(3)
        assert ssh.group(1) == ssh.group(2) == port
        assert unix_ssh.group(1) == "/home/me/.earmark/audio.sock" and unix_ssh.group(2) == port
        assert unix.group(1) == tcp.group(2)  # the same secret in both forms
        assert "null output" in seen[0]
        secret = tcp.group(2)
        # the file form: written by shell builtins, then only the port on the command line
        keep = read_until(lines, SECRET_FILE_LINE, seen)
        assert keep.group(1) == secret
        assert read_until(lines, PORT_ONLY_LINE, seen).group(1) == port
        # what `ps` shows of the listener itself
        assert secret.encode() not in Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        # an authenticated sender plays through it
        p = open_player(tcp.group(1))
        try:
            deadline = time.monotonic() + 20
            while p.link_state != LINK_UP and time.monotonic() < deadline:
                time.sleep(0.01)
            assert p.link_state == LINK_UP
            p.load(np.full((3200, 1), 0.1, np.float32), 16_000, key="k")
            p.play()
            assert p.output.wait_played(3200, 20)  # the listener confirmed all 0.2 s
        finally:
            p.close()
        session = read_until(lines, re.compile(r"^session from "), seen)
        assert session.string.endswith(": authenticated, 0.2 s played")
    finally:
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(timeout=20)
    rest = []
    while (line := lines.get(timeout=5)) is not None:
        rest.append(line)
    err = proc.stderr.read()
    assert rc == 0
    assert rest[-1] == "earmark listen: stopped"
    assert "Traceback" not in err and err.strip() == ""


def test_listen_stops_on_sigterm_too():
    proc, lines = start("--output", "null", "--port", "0")
    read_until(lines, TCP_LINE, [])
    proc.terminate()
    assert proc.wait(timeout=20) == 0
    assert "Traceback" not in proc.stderr.read()


def test_listen_secret_differs_per_run():
    secrets = []
    for _ in range(2):
        proc, lines = start("--output", "null", "--port", "0")
        secrets.append(read_until(lines, TCP_LINE, []).group(2))
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    assert secrets[0] != secrets[1]


def test_listen_on_a_busy_port_is_a_one_line_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = subprocess.run(
            [sys.executable, "-m", "earmark", "listen", "--output", "null", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert r.returncode == 2
    assert r.stderr.startswith(f"earmark: cannot listen on 127.0.0.1:{port}")
    assert len(r.stderr.strip().splitlines()) == 1


def test_listen_without_an_output_device_says_so(_isolated_home):
    (_isolated_home / ".asoundrc").write_text("pcm.!default {\n    type hw\n    card 7\n}\n")
    r = subprocess.run(
        [sys.executable, "-m", "earmark", "listen", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("earmark listen: no audio:") and "--output null" in line
    assert "Traceback" not in r.stderr
