"""Snapshots at 80x24 of every modal screen and of the review app (update: --snapshot-update).

Each modal is shown over a bare host app with the real store (a fake clock, so times stand
still), so a picture changes only when the screen itself does.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App
from textual.screen import Screen

from tests.support import build_workspace

SIZE = (80, 24)


class Host(App[None]):
    """Shows one modal screen over an empty background."""

    def __init__(self, make: Callable[[], Screen]) -> None:
        super().__init__()
        self.make = make

    def on_mount(self) -> None:
        self.push_screen(self.make())


@pytest.fixture
def ws(store, realdata):
    store.ensure_user("lead")
    store.grant_role("lead", "rev", "reviewer")
    build_workspace(store)
    return store


def test_critical_panel(snap_compare, ws):
    from earmark.app.screens.critical import CriticalFlagScreen

    clip = ws.clip(1)
    fid = ws.add_flag(clip.id, "critical", "ann", start=1.0, end=1.0, redact=[2])
    make = lambda: CriticalFlagScreen(ws, fid, clip, clip.asr.split(), user="ann")  # noqa: E731
    assert snap_compare(Host(make), terminal_size=SIZE)


def test_escalate_form(snap_compare, ws):
    from earmark.app.screens.escalate import EscalateScreen

    clip = ws.clip(1)
    assert snap_compare(Host(lambda: EscalateScreen(ws, clip, "ann", 1.5)), terminal_size=SIZE)


def test_skip(snap_compare):
    from earmark.app.screens.skip import SkipScreen

    assert snap_compare(Host(SkipScreen), terminal_size=SIZE)


def test_break(snap_compare, ws):
    from earmark.app.screens.break_screen import BreakScreen

    make = lambda: BreakScreen(ws, "ann", "A break, whenever you want one.")  # noqa: E731
    assert snap_compare(Host(make), terminal_size=SIZE)


@pytest.mark.parametrize("keymap", ["default", "laptop"])
def test_help(snap_compare, keymap):
    from earmark.app.screens.help import HelpScreen
    from earmark.app.widgets.editor import EDITOR_KEYS
    from earmark.keymap import load_keymap

    km = load_keymap(keymap)
    assert snap_compare(Host(lambda: HelpScreen(km, EDITOR_KEYS)), terminal_size=SIZE)


def test_own_escalations(snap_compare, ws):
    from earmark.app.screens.my_escalations import MyEscalationsScreen

    ws.raise_escalation(2, "ann", tier="urgent", category="crime", start=1.0, end=1.4)
    ws.raise_escalation(4, "ann", tier="standard", category="other", note="[bold]x[/]")
    assert snap_compare(Host(lambda: MyEscalationsScreen(ws, "ann")), terminal_size=SIZE)


def test_review_app(snap_compare, ws):
    from earmark.app.review import ReviewApp

    ws.raise_escalation(2, "ann", tier="urgent", category="crime", start=1.0, end=1.4)
    ws.raise_escalation(4, "ann", tier="imminent", category="threat to life")
    ws.add_flag(1, "critical", "ann", start=1.0, end=1.0)
    assert snap_compare(ReviewApp(ws, "rev", player=None), terminal_size=SIZE)


def test_review_keys(snap_compare, ws):
    """F1 in the review app: every key, the ones the 80-column footer leaves out too."""
    from earmark.app.review import ReviewApp

    ws.raise_escalation(2, "ann", tier="urgent", category="crime", start=1.0, end=1.4)
    assert snap_compare(ReviewApp(ws, "rev", player=None), press=["f1"], terminal_size=SIZE)
