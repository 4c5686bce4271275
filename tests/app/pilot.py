"""Shared Pilot helpers for the app tests: find the screen and editor, wait for a condition,
read the toasts, and a suggester over a fixed word list."""

from __future__ import annotations

from collections.abc import Callable


def screen_of(app):
    from earmark.app.screens.annotate import AnnotateScreen

    return next(s for s in app.screen_stack if isinstance(s, AnnotateScreen))


def editor_of(app):
    from earmark.app.widgets.editor import TranscriptInput

    return screen_of(app).query_one(TranscriptInput)


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


async def wait_for(pilot, cond: Callable[[], object], tries: int = 600) -> None:
    for _ in range(tries):
        if cond():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never became true")


async def audio_loaded(pilot, app) -> None:
    def loaded() -> bool:
        pb = screen_of(app).playback
        return pb.decoded is not None and pb.player is not None

    await wait_for(pilot, loaded)
    await pilot.pause()


def fixed_suggester(_store=None):
    """A real Suggester over a fixed word list and no English list, so pictures and
    assertions do not move with the bundled word lists."""
    from earmark.suggest import Suggester

    return Suggester(lexicon=["dashwood", "dash", "dashing", "dashed", "dashboard"], english=0)
