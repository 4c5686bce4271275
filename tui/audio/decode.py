"""Decoding audio files into float32 frames, and probing them at import.

soundfile's header information is not to be trusted for damaged files (a truncated FLAC or
MP3 still reports its full length), so both `load` and `probe` judge a file by what
actually decodes. Every failure becomes an AudioError whose message names the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MIN_RATE = 4_000
MAX_RATE = 384_000
MAX_CHANNELS = 8


class AudioError(Exception):
    """A file that cannot be played: the message names the file and the problem."""


@dataclass(frozen=True)
class AudioInfo:
    duration: float
    samplerate: int
    channels: int
    frames: int


def _sf():
    import soundfile  # imported lazily: it loads libsndfile through cffi

    return soundfile


def _fail(path: Path | str, problem: str) -> AudioError:
    return AudioError(f"{os.fspath(path)}: {problem}")


def _describe(exc: Exception) -> str:
    msg = str(exc)
    # libsndfile prefixes "Error opening 'path': "; the path is ours to say once.
    if "': " in msg:
        msg = msg.split("': ", 1)[1]
    return msg.strip().rstrip(".") or type(exc).__name__


def _check_header(path: Path | str, samplerate: int, channels: int) -> None:
    if not MIN_RATE <= samplerate <= MAX_RATE:
        raise _fail(path, f"implausible sample rate {samplerate} Hz")
    if not 1 <= channels <= MAX_CHANNELS:
        raise _fail(path, f"implausible channel count {channels}")


def _open(path: Path | str):
    sf = _sf()
    p = Path(path)
    if not p.exists():
        raise _fail(path, "file not found")
    if p.is_dir():
        raise _fail(path, "is a folder, not an audio file")
    try:
        if p.stat().st_size == 0:
            raise _fail(path, "empty file")
        return sf.SoundFile(os.fspath(p))
    except AudioError:
        raise
    except PermissionError:
        raise _fail(path, "permission denied") from None
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError, TypeError) as exc:
        raise _fail(path, f"not a readable audio file ({_describe(exc)})") from None


def load(path: Path | str) -> tuple[np.ndarray, int]:
    """Decode a whole file: float32 array shaped (frames, channels), and its sample rate."""
    sf = _sf()
    with _open(path) as f:
        _check_header(path, f.samplerate, f.channels)
        try:
            data = f.read(dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            raise _fail(path, f"decoding failed ({_describe(exc)})") from None
        if f.frames > 0 and len(data) < f.frames * 0.98:
            raise _fail(path, f"truncated: header says {f.frames} frames, only {len(data)} decode")
        sr = f.samplerate
    if len(data) == 0:
        raise _fail(path, "no audio data")
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
        _check_header(path, f.samplerate, f.channels)
        frames = f.frames
        try:
            head = f.read(2048, dtype="float32", always_2d=True)
            if len(head) == 0:
                raise _fail(path, "no audio data")
            if frames > 4096 and f.seekable():
                f.seek(frames - 1024)
                tail = f.read(1024, dtype="float32", always_2d=True)
                if len(tail) == 0:
                    raise _fail(path, f"truncated: header says {frames} frames, the end does not decode")
        except AudioError:
            raise
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            raise _fail(path, f"decoding failed ({_describe(exc)})") from None
        return AudioInfo(frames / f.samplerate, f.samplerate, f.channels, frames)
