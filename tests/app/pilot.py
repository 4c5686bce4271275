"""Shared Pilot helpers for the app tests: build the app as `earmark annotate` does (null audio
output, no autoplay), wait for it to settle or for a condition, find the screen and editor,
read the toasts, and a suggester with fixed answers (so pictures do not move with word lists).
The workspace they run on is tests/support.py's `build_workspace`."""

from __future__ import annotations

from collections.abc import Callable

# A transcript longer than an 80-column editor line: it must wrap and stay whole.
LONG = (
    "well that's the thing about the five o'clock train from the city it never waits for "
    "anybody and it doesn't matter how fast you run down the platform with your bags "
    "because the doors close at exactly five"
)


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


def null_player_opener(clock=None):
    from earmark.audio.player import open_player
    from earmark.clock import SYSTEM

    return lambda: open_player(None, output="null", clock=clock or SYSTEM)


def make_app(store, **kw):
    from earmark.app.app import AnnotatorApp

    kw.setdefault("user", "ann")
    kw.setdefault("player_opener", null_player_opener())
    kw.setdefault("autoplay", False)
    kw.setdefault("cursor_blink", False)
    kw.setdefault("clock", store.clock)
    return AnnotatorApp(store, **kw)


async def settle(pilot, app, *, clip_id: int | None = None, tries: int = 1500) -> None:
    """Wait until the screen shows a clip (optionally a given one) and nothing is in flight."""
    screen = None
    for _ in range(tries):
        await pilot.pause(0.01)
        screen = app.screen if hasattr(app.screen, "busy") else None
        if screen is None:
            for s in app.screen_stack:
                if hasattr(s, "busy"):
                    screen = s
        if (
            screen is not None
            and not screen.busy
            and (clip_id is None or (screen.clip_state and screen.clip_state.clip.id == clip_id))
        ):
            await pilot.pause()
            return
    raise AssertionError("the screen never settled")
