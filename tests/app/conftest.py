"""Pilot tests run as plain `async def` tests; `workspace` is a small real project.

The helpers live in modules of their own, imported by name: tests/app/pilot.py (building the
app, waiting for it) and tests/support.py (the workspace, paths, skip markers).
"""

from __future__ import annotations

import asyncio
import inspect

import pytest

from tests.support import build_workspace


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests in a fresh event loop (Pilot needs one; no plugin required)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        asyncio.run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
        return True
    return None


class _NoMarks:
    """An acoustic check that marks nothing: Pilot tests see the screen as they always did,
    whatever pocketsphinx would say (tests/app/test_check_*.py test the check itself)."""

    def available(self) -> tuple[bool, str]:
        return True, ""

    def check(self, samples, rate, text):
        return [], ""


class _NoListen:
    """A second listen that hears nothing: Pilot tests' suggestions do not change when
    pocketsphinx would have decoded the clip (tests/app/test_heard_*.py test the listen)."""

    def hypotheses(self, samples, rate):
        return []

    def choose(self, samples, rate, choice):
        return None


@pytest.fixture(autouse=True)
def _quiet_check(monkeypatch):
    from earmark.app.screens.annotate import check, listening

    monkeypatch.setattr(check, "ENGINE", _NoMarks())
    monkeypatch.setattr(listening, "LISTENER", _NoListen())


@pytest.fixture
def workspace(store, realdata):
    build_workspace(store)
    return store
