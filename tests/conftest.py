"""Shared fixtures: real files in temp folders, ALSA's null device, real data from shared/."""

from __future__ import annotations

import os
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


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own HOME (ALSA null device, empty config) and no inherited EARMARK_*."""
    home = tmp_path_factory.mktemp("home")
    if ASOUNDRC_NULL.is_file():
        shutil.copy(ASOUNDRC_NULL, home / ".asoundrc")
    else:
        (home / ".asoundrc").write_text("pcm.!default {\n    type null\n}\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    for var in list(os.environ):
        if var.startswith("EARMARK_"):
            monkeypatch.delenv(var)
    yield home


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not beside this checkout")
    return REALDATA


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "earmark.db"


@pytest.fixture
def store(db_path):
    from tui.clock import FakeClock
    from tui.store import open_store

    s = open_store(db_path, clock=FakeClock())
    yield s
    s.close()
