"""The static checks run with the tests, so one command checks everything.

ruff (lint and format), mypy (strict for the domain, `check_untyped_defs` for the app) and
vulture (dead code) are all configured in pyproject.toml; each test runs the tool as a
developer would from the checkout and fails with the tool's own report. A test skips, saying
so, only when its tool is not installed (`pip install -e '.[test]'` installs them all).
"""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALL = "pip install -e '.[test]'"


def _tool(module: str) -> list[str]:
    """`python -m <module>` with this interpreter, or a skip naming the missing tool."""
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed ({INSTALL})")
    return [sys.executable, "-m", module]


def _run(argv: list[str], advice: str = "") -> None:
    """Run a check from the checkout; fail with its report (and what to do) if it complains."""
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        pytest.fail(f"{advice}{out.stdout}{out.stderr}", pytrace=False)


def test_ruff_check_is_clean():
    _run([*_tool("ruff"), "check", "--no-cache", "tui", "tests"])


def test_ruff_format_is_clean():
    _run(
        [*_tool("ruff"), "format", "--check", "--no-cache", "tui", "tests"],
        "run `ruff format tui tests`:\n",
    )


def test_mypy_is_clean():
    # The files and strictness come from [tool.mypy]. The cache stays out of the checkout, in
    # the temp folder, one per checkout and Python: a warm run takes seconds, a cold one ~30 s.
    key = hashlib.sha256(f"{ROOT}{sys.version}".encode()).hexdigest()[:12]
    cache = Path(tempfile.gettempdir()) / f"earmark-mypy-{key}"
    _run([*_tool("mypy"), "--cache-dir", str(cache)])


def test_no_dead_code():
    # Paths, Textual's hook names and the whitelist come from [tool.vulture].
    _run(
        [*_tool("vulture")],
        "nothing calls these: delete them (a framework hook goes in [tool.vulture]):\n",
    )
