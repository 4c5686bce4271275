"""Paths and skip markers shared by tests: `from tests.support import needs_portaudio, REALDATA`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
ASOUNDRC_NULL = SHARED / "audio" / "asoundrc-null"


def _has_portaudio() -> bool:
    try:
        import sounddevice  # noqa: F401
    except OSError:
        return False
    return True


HAS_PORTAUDIO = _has_portaudio()
HAS_TMUX = shutil.which("tmux") is not None

needs_portaudio = pytest.mark.skipif(
    not HAS_PORTAUDIO, reason="libportaudio2 is not installed (apt-get install libportaudio2)"
)
needs_tmux = pytest.mark.skipif(not HAS_TMUX, reason="tmux is not installed (apt-get install tmux)")
needs_realdata = pytest.mark.skipif(
    not REALDATA.is_dir(), reason="../shared/realdata is not beside this checkout"
)
