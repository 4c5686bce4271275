"""The clip's audio on screen: owns the player and the waveform, and nothing else.

Opening the audio output and decoding a clip are slow, so both run in thread workers that
post back typed messages; the UI thread only loads samples into the player and draws. The
screen tells it which clip to show and whether it may start by itself (never a clip with a
content warning), and hears back when a clip turns out to be undecodable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget

from earmark.app.widgets.waveform import WaveformView
from earmark.audio.decode import AudioError
from earmark.audio.outputs import NoAudio
from earmark.audio.prefetch import DecodedClip, Prefetcher
from earmark.textsafe import clean

if TYPE_CHECKING:
    from earmark.audio.player import Player
    from earmark.store import Clip

SEEK_STEP = 2.0
SPEED_STEP = 0.1
STATES = {"playing": "▶ playing", "paused": "❚❚ paused", "stopped": "■ stopped"}
# What opening an output or loading samples can raise besides NoAudio: a device that went
# away (OSError), a PortAudio error (RuntimeError), samples it cannot take (ValueError).
DEVICE_ERRORS = (NoAudio, OSError, RuntimeError, ValueError)


def prefetched(prefetcher: Prefetcher, clip: Clip | None, width: int) -> DecodedClip | None:
    """The clip's audio if already decoded ahead (so it is drawn with the clip), else None.

    Runs in a worker thread: the waveform width comes in as a value, not from a widget.
    """
    if clip is None or not clip.playable or not prefetcher.cached(clip.audio):
        return None
    try:
        decoded = prefetcher.get(clip.audio)
    except AudioError:
        return None  # the audio worker will try again and report the problem
    if width > 0:
        decoded.waveform(width)
    return decoded


def _problem(message: str, path: str) -> str:
    """An AudioError names the file first; the status line has room only for the problem."""
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


class Playback(Widget):
    class Failed(Message):
        """The open clip's audio would not decode."""

        def __init__(self, clip_id: int, reason: str) -> None:
            super().__init__()
            self.clip_id, self.reason = clip_id, reason

    class Decoded(Message):
        def __init__(self, clip_id: int, decoded: DecodedClip) -> None:
            super().__init__()
            self.clip_id, self.decoded = clip_id, decoded

    class PlayerOpened(Message):
        def __init__(self, player: Player | None, reason: str | None) -> None:
            super().__init__()
            self.player, self.reason = player, reason

    def __init__(
        self,
        prefetcher: Prefetcher,
        open_player: Callable[[], Player | None],
        *,
        on_played: Callable[[str | None, float, float, float], None] | None = None,
        autoplay: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.prefetcher = prefetcher
        self._open_player = open_player
        self._on_played = on_played
        self.autoplay = autoplay
        self.player: Player | None = None
        self.decoded: DecodedClip | None = None
        self.reason = "audio: starting"
        self.speed = 1.0
        self._clip: Clip | None = None
        self._may_start = False
        self._streaming: DecodedClip | None = None  # a long clip whose waveform is still read
        self._ticks = 0

    def compose(self) -> ComposeResult:
        yield WaveformView(id="waveform")

    @property
    def wave(self) -> WaveformView:
        return self.query_one(WaveformView)

    def on_mount(self) -> None:
        self.wave.show_message("loading…")
        self._open()
        self.set_interval(1 / 15, self._tick, name="playhead")

    # -- workers ---------------------------------------------------------------------------
    @work(thread=True, group="player")
    def _open(self) -> None:
        try:
            player = self._open_player()
        except DEVICE_ERRORS as exc:
            self.post_message(self.PlayerOpened(None, f"no audio: {clean(str(exc))}"))
            return
        reason = None if player is not None else "no audio: playback is switched off"
        self.post_message(self.PlayerOpened(player, reason))

    @work(thread=True, exclusive=True, group="audio")
    def _decode(self, clip_id: int, path: str, width: int) -> None:
        try:
            decoded = self.prefetcher.get(path)
            if width > 0:
                decoded.waveform(width)  # summarised here, not in the UI thread
        except AudioError as exc:
            self.post_message(self.Failed(clip_id, _problem(str(exc), path)))
            return
        self.post_message(self.Decoded(clip_id, decoded))

    def on_playback_player_opened(self, msg: PlayerOpened) -> None:
        msg.stop()
        self.player = msg.player
        if msg.player is None:
            self.reason = msg.reason or "no audio"
            return
        msg.player.on_played = self._on_played
        self._load(autoplay=self._may_start)

    def on_playback_decoded(self, msg: Decoded) -> None:
        msg.stop()
        if self._clip is not None and msg.clip_id == self._clip.id:
            self._arrived(msg.decoded)

    # -- what the screen asks ----------------------------------------------------------------
    def show_clip(self, clip: Clip | None, decoded: DecodedClip | None, *, may_start: bool) -> None:
        """Draw a clip's audio (decoding it first if need be); None clears the view."""
        self._clip = clip
        self.decoded = None
        self._may_start = may_start and self.autoplay
        if self.player is not None:
            self.player.stop()
        wave = self.wave
        if clip is None:
            wave.show_message("")
        elif not clip.playable:
            wave.show_message(f"unplayable: {clean(clip.skip_reason or '')}")
        elif decoded is not None:
            self._arrived(decoded)
        else:
            wave.show_message("decoding…")
            wave.playhead = None
            self._decode(clip.id, clip.audio, wave.size.width)

    def show_message(self, text: str) -> None:
        self.wave.show_message(text)

    def set_marks(
        self, words: Sequence[tuple[float, bool]], flags: Sequence[tuple[float, float]]
    ) -> None:
        fallback = self._clip.duration if self._clip is not None else 0.0
        duration = self.decoded.duration if self.decoded is not None else (fallback or 0.0)
        self.wave.set_marks(words, flags, duration)

    def _arrived(self, decoded: DecodedClip) -> None:
        self.decoded = decoded
        self.wave.show_audio(decoded.waveform, decoded.duration)
        self._streaming = None if decoded.waveform_complete else decoded
        self._load(autoplay=self._may_start)

    def _load(self, *, autoplay: bool) -> None:
        player, d, clip = self.player, self.decoded, self._clip
        if player is None or d is None or clip is None:
            return
        try:
            player.load(d.samples, d.samplerate, key=clip.name, gain=d.gain)
            player.speed = self.speed
            if autoplay and player.available:
                player.play()
        except DEVICE_ERRORS as exc:
            self.reason = f"no audio: {clean(str(exc))}"
        self.wave.playhead = 0.0

    def _tick(self) -> None:
        p = self.player
        if p is not None and self.decoded is not None:
            # also after playback stops, so the playhead rests where the listener stopped
            self.wave.playhead = round(p.position(), 2)
        self._ticks += 1
        streaming = self._streaming
        if streaming is not None and (streaming.waveform_complete or self._ticks % 8 == 0):
            if streaming is self.decoded:  # twice a second, and once more when complete
                self.wave.redraw_audio()
            if streaming.waveform_complete or streaming is not self.decoded:
                self._streaming = None

    # -- state -----------------------------------------------------------------------------
    def state_text(self) -> str:
        """Short, for the status line: playing / paused / decoding / why there is no audio."""
        p = self.player
        if p is None:
            return self.reason
        if not p.available:
            return p.reason or "no audio"
        link = p.link_state
        if link and link != "connected":
            return link
        if self._clip is not None and self._clip.playable and self.decoded is None:
            return "audio: decoding"
        return STATES.get(p.state, "■ stopped")

    def ready(self) -> bool:
        """Whether there is something to play; False with the reason for the status line."""
        p = self.player
        return p is not None and p.available and self.decoded is not None

    def live_stretch(self) -> tuple[float, float] | None:
        """The stretch playing now and not yet reported as heard (None when not playing)."""
        p = self.player
        return p.live_stretch() if p is not None and self.decoded is not None else None

    def playhead(self) -> float:
        p = self.player
        if p is not None and self.decoded is not None:
            return round(float(p.position()), 2)
        return 0.0

    # -- commands --------------------------------------------------------------------------
    def play_pause(self) -> None:
        p = self.player
        if p is None or not self.ready():
            return
        if p.state in ("stopped", "empty"):
            p.play()
        else:
            p.toggle()

    def pause(self) -> None:
        if self.player is not None and self.player.state == "playing":
            self.player.pause()

    def stop(self) -> None:
        if self.player is not None:
            self.player.stop()

    def seek(self, delta: float) -> None:
        if self.player is not None and self.ready():
            self.player.skip(delta)
            self.wave.playhead = self.player.position()

    def set_speed(self, speed: float) -> None:
        self.speed = round(min(2.0, max(0.5, speed)), 2)
        if self.player is not None and self.player.available:
            self.player.speed = self.speed

    def play_span(self, start: float, end: float) -> None:
        if self.player is not None and self.ready():
            self.player.play(max(0.0, start - 0.05), end + 0.05)
