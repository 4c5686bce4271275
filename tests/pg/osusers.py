"""OS users for the identity tests: each runs earmark under its own login through peer
authentication, from a venv made with Debian's own python3 (root's python is not theirs)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")


def _need() -> str | None:
    if sys.platform != "linux" or os.geteuid() != 0:
        return "needs root (to create OS users and run earmark as them with runuser)"
    for tool in ("runuser", "useradd"):
        if shutil.which(tool) is None:
            return f"needs {tool}"
    if not SYSTEM_PYTHON.exists():
        return "needs Debian's /usr/bin/python3 (package python3-venv)"
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import ensurepip, venv"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return "needs python3-venv for /usr/bin/python3 (apt-get install python3-venv)"
    return None


def skip_reason() -> str | None:
    return _need()


def venv() -> Path:
    """A venv of /usr/bin/python3 with this checkout installed (editable), made once."""
    key = hashlib.sha256((str(ROOT) + (ROOT / "pyproject.toml").read_text()).encode()).hexdigest()[
        :12
    ]
    where = Path(f"/var/tmp/earmark-test-venv-{key}")
    done = where / ".ready"
    lock = Path(f"/var/tmp/earmark-test-venv-{key}.lock")
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(where, ignore_errors=True)
            subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", str(where)], check=True)
            made = subprocess.run(
                [str(where / "bin/pip"), "install", "-q", "-e", f"{ROOT}[postgres]"],
                capture_output=True,
                text=True,
                check=False,
            )
            if made.returncode != 0:
                pytest.skip(f"could not install earmark for the OS users: {made.stderr[-300:]}")
            done.touch()
    return where


def ensure_user(name: str) -> None:
    """An OS user (tolerant of one that exists already)."""
    made = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode not in (0, 9):  # 9: exists
        raise RuntimeError(f"useradd {name}: {made.stderr.strip()}")


def run_as(
    user: str, home: Path, argv: list[str], *, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    home.mkdir(parents=True, exist_ok=True)
    shutil.chown(home, user)
    full_env = {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PGCONNECT_TIMEOUT": "10",
        **(env or {}),
    }
    envs = [f"{k}={v}" for k, v in full_env.items()]
    return subprocess.run(
        ["runuser", "-u", user, "--", "env", "-i", *envs, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=str(home),
    )
