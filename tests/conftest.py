"""Shared fixtures: real files in temp folders, ALSA's null device, real data from shared/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support import ASOUNDRC_NULL, REALDATA, rescan_if_no_device


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
    from earmark.clock import FakeClock
    from earmark.store import open_store

    s = open_store(db_path, clock=FakeClock())
    yield s
    s.close()


@pytest.fixture
def alsa_null():
    """sounddevice with ALSA's null device as the default output (needs PortAudio)."""
    return rescan_if_no_device()


@pytest.fixture
def term(tmp_path, request):
    """A private tmux server for one test, killed afterwards (see tests/tmux.py)."""
    from tests.tmux import Tmux

    t = Tmux(tmp_path, request.node.name.replace("[", "-").replace("]", ""))
    yield t
    t.kill()
