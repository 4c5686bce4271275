"""Decoding audio files into float32 frames, and probing them at import.

soundfile's header information is not to be trusted for damaged files (a truncated FLAC or
MP3 still reports its full length), so both `load` and `probe` judge a file by what
actually decodes, by one rule. Two kinds of damage decode "fine" and are caught otherwise: a
cut-off WAV (libsndfile's open log says the data chunk is short) and a cut-off Ogg/Opus file
(no length in its header at all; its last page lacks the end-of-stream flag). Every failure
becomes an AudioError whose one-line message names the file and the problem.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MIN_RATE = 4_000
MAX_RATE = 384_000
MAX_CHANNELS = 8
MAX_SECONDS = 30 * 60  # a voice clip is seconds long; this only guards memory
# The memory budget, by decoded size (frames x channels), whatever the duration: 30 minutes of
# 48 kHz stereo. Playback streams anything longer than a short clip, so this bounds the work of
# one pass over a file (waveform, loudness), not memory; a file over it is unplayable.
MAX_SAMPLES = MAX_SECONDS * 48_000 * 2


class AudioError(Exception):
    """A file that cannot be played: the message names the file and the problem."""


@dataclass(frozen=True)
class AudioInfo:
    duration: float
    samplerate: int
    channels: int
    frames: int


def _sf() -> Any:
    import soundfile  # imported lazily: it loads libsndfile through cffi

    return soundfile


def _fail(path: Path | str, problem: str) -> AudioError:
    return AudioError(f"{os.fspath(path)}: {problem}")


def _describe(exc: Exception, path: Path | str) -> str:
    # libsndfile prefixes "Error opening 'path': " (or the descriptor's number); the path is
    # ours to say once.
    msg = _OPENING.sub("", str(exc), count=1)
    msg = msg.strip().rstrip(".")
    if "does not exist" in msg and Path(path).exists():
        # libsndfile's catch-all when no decoder accepts the data (e.g. a cut-off MP3)
        msg = "damaged or unrecognised audio data"
    elif msg.startswith("Error : "):
        msg = msg[len("Error : ") :]
    return msg or type(exc).__name__


def over_budget(frames: int, channels: int, samplerate: int) -> str | None:
    """Why a file of this shape is too large to play, or None: one line for the summary."""
    if frames * channels <= MAX_SAMPLES:
        return None
    return (
        f"too large to play: {frames / samplerate / 60:.0f} min x {channels} channels at "
        f"{samplerate} Hz decodes to {frames * channels / 1e6:,.0f} M samples; the budget is "
        f"{MAX_SAMPLES / 1e6:,.0f} M ({MAX_SECONDS // 60} min of 48 kHz stereo)"
    )


def _check_header(path: Path | str, f: Any) -> None:
    if not MIN_RATE <= f.samplerate <= MAX_RATE:
        raise _fail(path, f"implausible sample rate {f.samplerate} Hz")
    if not 1 <= f.channels <= MAX_CHANNELS:
        raise _fail(path, f"implausible channel count {f.channels}")
    if f.frames > MAX_SECONDS * f.samplerate:
        raise _fail(
            path,
            f"too long ({f.frames / f.samplerate / 60:.0f} min; clips are at most "
            f"{MAX_SECONDS // 60} min)",
        )
    problem = over_budget(f.frames, f.channels, f.samplerate)
    if problem:
        raise _fail(path, problem)
    # libsndfile quietly plays what is there of a cut-off WAV; its log says how much is missing.
    m = _DATA_SHORT.search(getattr(f, "extra_info", "") or "")
    if m:
        declared, present = int(m.group(1)), int(m.group(2))
        if present == 0:
            raise _fail(path, f"header only, no audio data (the header promises {declared} bytes)")
        if present < declared * 0.98:
            raise _fail(
                path,
                f"truncated: header promises {declared} bytes of audio, the file holds {present}",
            )


_UNCOMPRESSED = frozenset({"WAV", "WAVEX", "RF64", "W64", "AIFF", "CAF"})
_PLAIN_SAMPLES = frozenset({"PCM_U8", "PCM_S8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"})
_OPENING = re.compile(r"^Error opening (?:'.*?'|<?[\w ]*>?): ")
_DATA_SHORT = re.compile(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)", re.M)


def _open_fd(path: Path | str, *, follow_symlinks: bool) -> int:
    """A read-only descriptor on a regular, non-empty file, checked on the descriptor itself.

    Without `follow_symlinks` a path whose last part is (now) a symbolic link is refused: the
    importer stores real paths, so a link found at play time was put there since.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(os.fspath(path), flags)  # O_NONBLOCK: a FIFO must not hang the open
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    except PermissionError:
        raise _fail(path, "permission denied") from None
    except OSError as exc:
        if not follow_symlinks and exc.errno == errno.ELOOP:
            raise _fail(
                path, "is now a symbolic link, not the audio file that was imported; not played"
            ) from None
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _fail(path, "is a folder, not an audio file")
        if not stat.S_ISREG(st.st_mode):
            raise _fail(path, "not a regular file")  # a FIFO or device would block or never end
        if st.st_size == 0:
            raise _fail(path, "empty file")
        os.set_blocking(fd, True)
        os.pread(fd, 1, 0)  # libsndfile reports a permission problem as a format one
    except AudioError:
        os.close(fd)
        raise
    except OSError as exc:
        os.close(fd)
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    return fd


def _open(path: Path | str, *, follow_symlinks: bool = True) -> Any:
    sf = _sf()
    p = Path(path)
    fd = _open_fd(path, follow_symlinks=follow_symlinks)
    try:
        f = sf.SoundFile(fd, closefd=True)  # libsndfile closes fd itself when this fails
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError, TypeError) as exc:
        if _ogg_unfinished(p):
            raise _fail(path, "truncated: the Ogg stream is cut off before its end") from None
        raise _fail(path, f"not a readable audio file ({_describe(exc, path)})") from None
    if f.format == "OGG" and _ogg_unfinished(p):
        f.close()
        raise _fail(path, "truncated: the Ogg stream is cut off before its end")
    return f


NO_AUDIO = "no audio data decodes (header only, truncated or damaged)"


def _slack(frames: int) -> int:
    """How far short of its header a decode may fall: MP3 gapless trimming, rounding."""
    return max(1152, frames // 200)  # one MPEG-1 Layer III frame, or 0.5 %


def _ogg_unfinished(path: Path | str) -> bool:
    """True if an Ogg file (Vorbis, Opus) lacks its end-of-stream page, i.e. was cut off.

    An Ogg stream has no length in its header: libsndfile reports whatever the last intact
    page says, so a cut-off Opus file plays short without complaint. The last complete page
    of a finished stream carries the end-of-stream flag.
    """
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"OggS":
                return False
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - 70_000))  # an Ogg page is at most 65,307 bytes
            tail = fh.read()
    except OSError:
        return False
    last_flags = None
    at = tail.find(b"OggS")
    while at != -1:
        if at + 27 <= len(tail):
            nsegs = tail[at + 26]
            if at + 27 + nsegs <= len(tail):
                body = sum(tail[at + 27 : at + 27 + nsegs])
                if at + 27 + nsegs + body <= len(tail):
                    last_flags = tail[at + 5]
        at = tail.find(b"OggS", at + 1)
    return last_flags is None or not last_flags & 0x04


def load(path: Path | str, *, follow_symlinks: bool = True) -> tuple[np.ndarray, int]:
    """Decode a whole file: float32 array shaped (frames, channels), and its sample rate.

    A file over the memory budget (see MAX_SAMPLES) is an AudioError before anything decodes.
    Playback uses `earmark.audio.clip.open_clip` instead, which streams long files.
    """
    sf = _sf()
    with _open(path, follow_symlinks=follow_symlinks) as f:
        _check_header(path, f)
        try:
            data = f.read(dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            raise _fail(
                path, f"damaged or truncated, decoding failed ({_describe(exc, path)})"
            ) from None
        if f.frames > 0 and len(data) < f.frames - _slack(f.frames):
            raise _fail(path, f"truncated: header says {f.frames} frames, only {len(data)} decode")
        sr = f.samplerate
    if len(data) == 0:
        raise _fail(path, NO_AUDIO)
    if not np.isfinite(data).all():
        data = np.nan_to_num(data, nan=0.0, posinf=1.0, neginf=-1.0)
    return np.ascontiguousarray(data, dtype=np.float32), sr


def probe(path: Path | str, *, full: bool = False) -> AudioInfo:
    """Check at import that a file will play, without decoding all of it unless asked.

    The cheap check opens the file, sanity-checks the header and decodes the first and last
    blocks; that catches missing data chunks, absurd headers and most truncation. `full=True`
    decodes everything, which is what `load` will later do.
    """
    if full:
        data, sr = load(path)
        return AudioInfo(len(data) / sr, sr, data.shape[1], len(data))
    sf = _sf()
    with _open(path) as f:
        _check_header(path, f)
        frames = f.frames
        if f.format in _UNCOMPRESSED and f.subtype in _PLAIN_SAMPLES:
            # Every byte of plain PCM decodes, and _check_header has already compared the data
            # chunk with what the header promises: decoding blocks would tell us nothing more.
            # (This keeps import near 5,000 new files a second on two cores.)
            if frames == 0:
                raise _fail(path, NO_AUDIO)
            return AudioInfo(frames / f.samplerate, f.samplerate, f.channels, frames)
        try:
            head = f.read(2048, dtype="float32", always_2d=True)
            if len(head) == 0:
                raise _fail(path, NO_AUDIO)
            if frames > 4096 and f.seekable():
                # the same test as load's: does audio decode as far as the header promises?
                # (read to the very end: a FLAC cut in its last block fails only there)
                f.seek(frames - _slack(frames) - 1)
                tail = f.read(dtype="float32", always_2d=True)
                if len(tail) == 0:
                    raise _fail(
                        path, f"truncated: header says {frames} frames, the end does not decode"
                    )
        except AudioError:
            raise
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            raise _fail(
                path, f"damaged or truncated, decoding failed ({_describe(exc, path)})"
            ) from None
        return AudioInfo(frames / f.samplerate, f.samplerate, f.channels, frames)
