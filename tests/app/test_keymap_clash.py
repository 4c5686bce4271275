"""A shipped or user keymap that rebinds commands draws no false "keys clash" warning (Textual
reports a command with several keys as clashing with itself once a keymap rebinds it)."""

from __future__ import annotations

import pytest

from earmark.keymap import load_keymap
from tests.app.pilot import make_app, settle


def _warnings(app) -> list[str]:
    return [str(n.message) for n in app._notifications if "keys clash" in str(n.message)]


@pytest.mark.parametrize("name", ["default", "laptop", "scribe"])
async def test_shipped_keymaps_draw_no_clash_warning(workspace, name):
    app = make_app(workspace, keymap=load_keymap(name))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert _warnings(app) == []


async def test_a_partial_user_keymap_draws_no_clash_warning(workspace, tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('[bindings]\nplay_pause = "ctrl+space,f9"\n')
    app = make_app(workspace, keymap=load_keymap(str(f)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert _warnings(app) == []
