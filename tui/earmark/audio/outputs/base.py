"""Where the Player's frames go: a sound device, nowhere (but counted), or a remote listener.

Every output *pulls*: a device callback or a pacing thread asks its source for the next block,
so the Player has one render path whatever the destination. A source is anything with
``render(out, index) -> int`` (fill ``out``, a float32 (frames, channels) array, and say how
many frames were real audio; ``index`` numbers output frames from the start of the output) and
``wants_audio() -> bool``.

An output also answers ``heard(now)``: the output-frame index the listener hears at monotonic
time ``now``. That is how the Player reports what the ear hears rather than what it rendered.

sounddevice is imported lazily and every way it can fail becomes `NoAudio` with one line:
a headless server without libportaudio2 must still run everything else.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import numpy as np

from earmark.clock import SYSTEM, Clock

NO_PORTAUDIO = "PortAudio (libportaudio2) is not installed"
HINT_PORTAUDIO = "install it (apt-get install libportaudio2)"
HINT_SSH = (
    "over SSH, run `earmark listen` on your own computer and set EARMARK_AUDIO "
    "(see README, Working over SSH)"
)


class NoAudio(Exception):
    """Why there is no sound: one line, fit to show a user as-is."""


def hint_for(reason: str | None) -> str:
    """What the user can do about `reason`, in one clause."""
    if reason and NO_PORTAUDIO in reason:
        return f"{HINT_PORTAUDIO}, or {HINT_SSH}"
    return f"check the sound device, or {HINT_SSH}"


class Source(Protocol):
    def render(self, out: np.ndarray, index: int) -> int: ...

    def wants_audio(self) -> bool: ...


# What a source's render (or a dying device) can raise. A render bug must not kill a device
# callback or a link thread, nor print a traceback into the terminal; it is reported instead.
RENDER_ERRORS = (
    ArithmeticError,
    AttributeError,
    LookupError,
    OSError,
    RuntimeError,
    TypeError,
    ValueError,
)


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def import_sounddevice() -> Any:
    """sounddevice, or NoAudio saying what is missing (never a traceback)."""
    try:
        import sounddevice
    except OSError:
        raise NoAudio(NO_PORTAUDIO) from None
    except ImportError as exc:  # the Python package itself is missing: a broken install
        raise NoAudio(f"the sounddevice package is not installed ({one_line(exc)})") from None
    return sounddevice


def default_output_device() -> tuple[int, str]:
    """(device index, 'name (host API)') of the default output device, or NoAudio."""
    sd = import_sounddevice()
    try:
        info = sd.query_devices(kind="output")
        hostapi = sd.query_hostapis(info["hostapi"])["name"]
    except (sd.PortAudioError, ValueError, KeyError, TypeError) as exc:
        raise NoAudio(f"no output device ({one_line(exc)})") from None
    return int(info["index"]), f"{info['name']} ({hostapi})"


class Output:
    """The common face of every output. Subclasses fill in the moving parts."""

    available: bool = True
    reason: str | None = None
    description: str = ""
    link_state: str | None = None

    def __init__(self, clock: Clock = SYSTEM) -> None:
        self._clock = clock
        self._source: Source | None = None
        self.samplerate = 16_000
        self.channels = 1
        self.latency = 0.0  # seconds from a frame's pull to the ear
        self.frames_played = 0  # real (non-silent) frames pulled from the source
        self._pulled = 0  # every frame pulled, silence included

    def attach(self, source: Source) -> None:
        self._source = source

    def configure(self, samplerate: int, channels: int) -> None:
        self.samplerate = int(samplerate)
        self.channels = int(channels)

    def wake(self) -> None:
        """Audio is coming: make sure frames are being pulled."""

    def flush(self, upto: int) -> None:
        """Drop audio buffered downstream whose index is below `upto` (pause, seek)."""

    def heard(self, now: float) -> float:
        return float(self._pulled)

    def close(self) -> None:
        pass


class UnavailableOutput(Output):
    """No sound at all: every call is accepted and does nothing."""

    available = False

    def __init__(self, reason: str, clock: Clock = SYSTEM) -> None:
        super().__init__(clock)
        self.reason = reason
        self.description = "no audio output"


class NullOutput(Output):
    """Discards audio but counts it; paced by the clock like a real device, or pulled by hand.

    `paced=False` leaves pulling to the caller (`pull(n)`), which is what tests use to step
    playback one block at a time with a FakeClock.
    """

    description = "null output (discards audio, counts frames)"

    def __init__(self, clock: Clock = SYSTEM, *, paced: bool = True, block: float = 0.02) -> None:
        super().__init__(clock)
        self._block = block
        self._buf = np.zeros((0, 1), dtype=np.float32)
        self._pull_lock = threading.Lock()
        self._stop = threading.Event()
        self._restart = True
        self._thread = None
        if paced:
            self._thread = threading.Thread(
                target=self._pace, name="earmark-null-output", daemon=True
            )
            self._thread.start()

    def configure(self, samplerate: int, channels: int) -> None:
        super().configure(samplerate, channels)
        self._restart = True

    def pull(self, frames: int) -> int:
        """Pull `frames` frames from the source; returns how many were real audio."""
        with self._pull_lock:
            if self._buf.shape != (frames, self.channels):
                self._buf = np.zeros((frames, self.channels), dtype=np.float32)
            index = self._pulled
            try:
                m = self._source.render(self._buf, index) if self._source else 0
            except RENDER_ERRORS as exc:  # keep pacing; say what went wrong
                self.reason = f"audio render error: {one_line(exc)}"
                m = 0
            self._pulled = index + frames
            self.frames_played += m
            return m

    def _pace(self) -> None:
        t0, done, rate = 0.0, 0, 0
        while not self._stop.wait(self._block / 2):
            now = self._clock.monotonic()
            if self._restart or rate != self.samplerate:
                self._restart, rate = False, self.samplerate
                t0, done = now, 0
            due = int((now - t0) * rate) - done
            block = max(1, int(rate * self._block))
            if due > 10 * block:  # a stall (suspend, debugger): do not race to catch up
                t0, done, due = now, 0, block
            while due >= block and not self._stop.is_set():
                self.pull(block)
                done += block
                due -= block

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=1)
