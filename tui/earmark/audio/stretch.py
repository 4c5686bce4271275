"""Speed change with the pitch kept: WSOLA (waveform-similarity overlap-add) on numpy.

Why WSOLA: speech is mostly periodic voiced sound, so cutting it into short frames and
re-laying them at a different hop keeps the pitch, provided each new frame is shifted (within a
few milliseconds) so that its waveform lines up with where the previous frame would naturally
have continued. That shift is found by normalised cross-correlation; frames are blended with a
Hann window at 50 % overlap, whose halves sum to exactly one, so the same machinery at speed 1
reproduces the input. No maintained package offers a streaming WSOLA whose speed can change
between blocks and whose speed 1.0 is a bit-exact copy (audiotsm is unmaintained since 2017,
pytsmod and rubberband wrappers work on whole files), hence this module.

The Stretcher is streaming: the Player asks for the next block of output at whatever speed is
current, so a speed change takes effect within one hop (about 12 ms) with no gap or click.
"""

from __future__ import annotations

import math

import numpy as np

from earmark.audio.frames import ArrayFrames, Frames

MIN_SPEED = 0.5
MAX_SPEED = 2.0
FRAME_SECONDS = 0.025  # analysis frame: long enough for a pitch period, short for transients
TOLERANCE_SECONDS = 0.008  # search range each side: covers half a period of a 62 Hz voice


def check_speed(speed: float) -> float:
    """Reject speeds the engine does not support, with a message a caller can show as is."""
    try:
        s = float(speed)
    except (TypeError, ValueError):
        raise ValueError(
            f"speed must be a number between {MIN_SPEED} and {MAX_SPEED}, got {speed!r}"
        ) from None
    if not math.isfinite(s) or not MIN_SPEED <= s <= MAX_SPEED:
        raise ValueError(f"speed must be between {MIN_SPEED} and {MAX_SPEED}, got {speed!r}")
    return s


def _as_frames(samples: np.ndarray) -> np.ndarray:
    a = np.asarray(samples)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"samples must be shaped (frames, channels), got shape {a.shape}")
    return np.ascontiguousarray(a, dtype=np.float32)


class Stretcher:
    """Streaming WSOLA over a clip, read block by block at a speed that may change.

    The clip is an array or any `Frames` (a long file streamed a window at a time): each hop
    reads only a few hundred frames around the playhead. Positions are source frames
    (floats); frames outside the clip read as silence.
    """

    def __init__(self, samples: np.ndarray | Frames, samplerate: int) -> None:
        if int(samplerate) <= 0:
            raise ValueError(f"samplerate must be positive, got {samplerate!r}")
        src: Frames = (
            ArrayFrames(_as_frames(samples)) if isinstance(samples, np.ndarray) else samples
        )
        self.samplerate = int(samplerate)
        self.frames = len(src)
        self.channels = src.channels
        hop = max(8, round(self.samplerate * FRAME_SECONDS / 2))
        self._hs = hop  # synthesis hop, half a frame
        self._n = 2 * hop  # frame length
        self._tol = max(2, round(self.samplerate * TOLERANCE_SECONDS))
        # Nothing is precomputed over the whole clip: the Player builds a Stretcher on every
        # load, and each hop only needs a few hundred frames around the playhead.
        self._x = src
        n = np.arange(self._n)
        w = (0.5 - 0.5 * np.cos(2.0 * np.pi * n / self._n)).astype(np.float32)
        self._fade_in = np.ascontiguousarray(w[:hop, None])
        self._fade_out = np.ascontiguousarray(w[hop:, None])
        self._eps = 1e-12 * hop
        self.seek(0)

    # -- state -----------------------------------------------------------------------------
    def seek(self, frame: int) -> None:
        """Jump to a source frame: the overlap state is dropped, output restarts there."""
        f = int(min(max(0, int(frame)), self.frames))
        self._copy = True  # copy mode: output is the source verbatim from self._src
        self._src = f
        self._prev = 0  # ola mode: source frame where the previous frame started
        # ola mode: the previous frame's windowed second half, still to be added, and that half
        # unwindowed in mono (the match target)
        self._acc: np.ndarray = np.zeros((self._hs, self.channels), dtype=np.float32)
        self._natural: np.ndarray = np.zeros(self._hs, dtype=np.float32)
        self._nom = 0.0  # ola mode: nominal (unshifted) source position of the next frame
        self._pend: np.ndarray | None = None  # output computed but not yet handed out
        self._pend_b0 = self._pend_b1 = float(f)
        self._true = float(f)  # source position of the content at the next output frame
        self._reported = float(f)  # the same, never moving backwards (for the playhead)

    @property
    def position(self) -> float:
        """Source frame of the next output frame."""
        return self._reported

    @property
    def done(self) -> bool:
        """True once the whole source has been played out."""
        return self._reported >= self.frames

    # -- reading ---------------------------------------------------------------------------
    def read(
        self, n: int, speed: float, stop: int | None = None
    ) -> tuple[np.ndarray, float, float]:
        """Next `n` output frames at `speed`; fewer only at the end of the source or at `stop`.

        Returns (block, source position at block start, source position at block end).
        """
        speed = check_speed(speed)
        n = max(0, int(n))
        limit = self.frames if stop is None else int(min(max(stop, 0), self.frames))
        start = self._reported
        parts: list[np.ndarray] = []
        remaining = n
        unity = speed == 1.0
        while remaining > 0:
            if self._pend is not None:
                got = self._take_pending(remaining, limit)
                if got is None:
                    break
                parts.append(got)
                remaining -= len(got)
                continue
            if self._true >= limit:
                break
            if unity:
                if not self._copy:
                    # The last frame's fading tail plus the continuation it was matched against is
                    # the continuation itself: resume verbatim copying exactly there.
                    self._copy = True
                    self._src = self._prev + self._hs
                    self._set_true(float(self._src))
                take = min(remaining, limit - self._src)
                if take <= 0:
                    break
                parts.append(np.array(self._x.read(self._src, self._src + take)))
                self._src += take
                self._set_true(float(self._src))
                remaining -= take
            else:
                if self._copy:
                    self._enter_ola()
                self._step(self._hs * speed)
        if parts:
            out = parts[0] if len(parts) == 1 else np.concatenate(parts)
        else:
            out = np.zeros((0, self.channels), dtype=np.float32)
        return out, start, self._reported

    def _set_true(self, pos: float) -> None:
        self._true = pos
        if pos > self._reported:
            self._reported = pos

    def _enter_ola(self) -> None:
        """Switch from copying to stretching at the current source frame, seamlessly.

        Pretend the copy so far was made of frames: the one that would have started a hop ago
        leaves its windowed second half over the next hop, and the first stretched frame is
        matched against that, so the first hop of output is still the source verbatim.
        """
        p = self._src
        self._copy = False
        self._prev = p - self._hs
        tail = self._segment(p, p + self._hs)
        self._acc = self._fade_out * tail
        self._natural = self._mono(tail)
        self._nom = float(p)

    def _segment(self, a: int, b: int) -> np.ndarray:
        """Source frames [a, b), silence where that runs past either end of the clip."""
        return self._x.read(a, b)

    def _mono(self, seg: np.ndarray) -> np.ndarray:
        mono: np.ndarray = seg[:, 0] if self.channels == 1 else seg.mean(axis=1)
        return mono

    def _step(self, analysis_hop: float) -> None:
        """One WSOLA hop: pick the best-aligned frame near the nominal position, overlap-add."""
        hs, tol = self._hs, self._tol
        # what the previous frame would have continued with (its second half), on a mono mix
        natural = self._natural
        lo = round(self._nom) - tol
        seg = self._mono(self._segment(lo, lo + hs + 2 * tol))
        corr = np.correlate(seg, natural, mode="valid")
        # normalise by each candidate's energy, so loud candidates do not win by loudness alone
        sq = seg.astype(np.float64)
        cum = np.concatenate(([0.0], np.cumsum(sq * sq)))
        energy = cum[hs : hs + 2 * tol + 1] - cum[: 2 * tol + 1]
        score = corr / np.sqrt(np.maximum(energy, 0.0) + self._eps)
        k = int(np.argmax(score))
        if not score[k] > 1e-9:  # silence or nothing alike: keep the nominal position
            k = tol
        x = lo + k
        frame = self._segment(x, x + self._n)
        block = self._acc + self._fade_in * frame[:hs]
        self._acc = self._fade_out * frame[hs:]
        self._natural = self._mono(frame[hs:])
        self._prev = x
        self._nom += analysis_hop
        b0 = self._true
        self._pend = block
        self._pend_b0 = b0
        self._pend_b1 = max(float(x + hs), b0)

    def _take_pending(self, want: int, limit: int) -> np.ndarray | None:
        """Hand out up to `want` computed frames, cutting where the source position hits `limit`."""
        block = self._pend
        if block is None:
            return None
        m = len(block)
        b0, b1 = self._pend_b0, self._pend_b1
        if b0 >= limit:
            return None
        per = (b1 - b0) / m
        take = min(want, m)
        after = b0 + per * take
        if after > limit:  # cut where the source position reaches the limit, and say so exactly
            take = min(m, max(1, math.ceil((limit - b0) / per)))
            after = float(limit)
        got = block[:take]
        if take == m:
            self._pend = None
        else:
            self._pend = block[take:]
            self._pend_b0 = after
        self._set_true(min(after, b1))
        return got


def time_stretch(samples: np.ndarray, samplerate: int, speed: float) -> np.ndarray:
    """Change speed, keeping pitch: length about len(samples) / speed, speed 0.5 to 2.0.

    Float32 (frames, channels) in and out; a 1-D array gives a 1-D result.
    """
    speed = check_speed(speed)
    one_d = np.ndim(samples) == 1
    src = _as_frames(samples)
    if len(src) == 0:
        return src[:, 0] if one_d else src
    st = Stretcher(src, samplerate)
    out, _, _ = st.read(math.ceil(len(src) / speed) + st._n * 4, speed)
    return out[:, 0].copy() if one_d else out
