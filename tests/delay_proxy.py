"""A TCP relay that delays (or tampers with) what passes through it: a long or hostile SSH hop
between earmark and `earmark listen`, for the relay's tests and its latency benchmark."""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time


class DelayProxy:
    """A TCP relay that holds every chunk for `delay` seconds each way: a long SSH hop."""

    def __init__(self, target_port: int, delay: float, *, tamper_at: int | None = None):
        self._queue_cls = queue.Queue
        self.seen = bytearray()  # everything the sender sent, as the relay saw it
        self.tamper_at = tamper_at  # flip this byte of the sender's stream
        self.delay = delay
        self.target = target_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                a, _ = self.sock.accept()
            except OSError:
                return
            b = socket.create_connection(("127.0.0.1", self.target))
            for s in (a, b):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.conns += [a, b]
            for src, dst in ((a, b), (b, a)):
                q = self._queue_cls()
                threading.Thread(target=self._read, args=(src, q, src is a), daemon=True).start()
                threading.Thread(target=self._write, args=(dst, q), daemon=True).start()

    def _read(self, src, q, from_sender):
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if from_sender:
                    at = self.tamper_at
                    if at is not None and len(self.seen) <= at < len(self.seen) + len(data):
                        data = bytearray(data)
                        data[at - len(self.seen)] ^= 0x40
                        data = bytes(data)
                    self.seen += data
                q.put((time.monotonic() + self.delay, data))
        q.put((time.monotonic() + self.delay, b""))

    def _write(self, dst, q):
        with contextlib.suppress(OSError):
            while True:
                due, data = q.get()
                time.sleep(max(0.0, due - time.monotonic()))
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                dst.sendall(data)

    def close(self):
        self.sock.close()
        for s in self.conns:
            with contextlib.suppress(OSError):
                s.close()
