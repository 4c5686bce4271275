"""Headless Chromium driven over the DevTools protocol on a pipe (no WebSocket library).

`render(path)` opens a local file with the network switched off (DevTools' offline mode, and
every host name resolving nowhere), waits for the load event, evaluates `expression` in the
page and returns its value with every URL the page asked for and every console message or
exception. Chromium comes from Debian's `chromium` package; `CHROMIUM` is None without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    def __init__(self, value: Any, requests: list[str], console: list[str]) -> None:
        self.value = value
        self.requests = requests
        self.console = console


class _Pipe:
    def __init__(self, tmp: str) -> None:
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def fds() -> None:
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        assert CHROMIUM is not None
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={tmp}",
                "--remote-debugging-pipe",
            ],
            preexec_fn=fds,
            pass_fds=(to_r, from_w, 3, 4),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_r)
        os.close(from_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.from_r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> Any:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while True:
            ev = self._read(deadline)
            self.events.append(ev)
            if ev.get("method") == method:
                return ev

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_w)
        os.close(self.from_r)


def render(path: Path, expression: str) -> Page:
    with tempfile.TemporaryDirectory(prefix="earmark-chromium-") as tmp:
        pipe = _Pipe(tmp)
        try:
            target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            sid = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            for domain in ("Network", "Page", "Runtime"):
                pipe.send(f"{domain}.enable", session=sid)
            pipe.send(
                "Network.emulateNetworkConditions",
                {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
                session=sid,
            )
            pipe.send("Page.navigate", {"url": path.resolve().as_uri()}, session=sid)
            pipe.wait_event("Page.loadEventFired")
            result = pipe.send(
                "Runtime.evaluate",
                {"expression": expression, "returnByValue": True},
                session=sid,
            )
            value = result.get("result", {}).get("value")
            requests = [
                e["params"]["request"]["url"]
                for e in pipe.events
                if e.get("method") == "Network.requestWillBeSent"
            ]
            console = [
                json.dumps(e["params"])[:300]
                for e in pipe.events
                if e.get("method") in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown")
            ]
            return Page(value, requests, console)
        finally:
            pipe.close()
