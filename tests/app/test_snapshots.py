"""Snapshots of the annotate screen at 80x24 and 160x45 (update: pytest --snapshot-update).

Deterministic: a fake clock (time on clip and pace stand still), no cursor blink, audio on
the null output with autoplay off (so the playhead rests at 0), a fixed suggestion list.
"""

from __future__ import annotations

import pytest

from tests.app.pilot import audio_loaded as _audio_loaded
from tests.app.pilot import editor_of as _editor
from tests.app.pilot import fixed_suggester, make_app, settle
from tests.app.pilot import screen_of as _screen
from tests.support import build_workspace


async def _prepared(pilot):
    app = pilot.app
    await settle(pilot, app)
    await _audio_loaded(pilot, app)
    screen = _screen(app)
    for _ in range(100):
        if screen.suggest.suggester is not None:
            break
        await pilot.pause(0.02)
    editor = _editor(app)
    editor.cursor_position = editor.value.index("dashwood") + 4
    await pilot.pause()
    screen._refresh_status()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_annotate_screen(snap_compare, store, realdata, size):
    build_workspace(store)
    app = make_app(store, suggester_factory=fixed_suggester)
    assert snap_compare(app, terminal_size=size, run_before=_prepared)
