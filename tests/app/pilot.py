"""Shared Pilot helpers for the app tests: find the screen and editor, wait for a condition,
read the toasts, and a suggester with fixed answers (so pictures do not move with word lists)."""

from __future__ import annotations

from collections.abc import Callable, Sequence


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


class FixedSuggester:
    """A stand-in for earmark.suggest.Suggester with fixed answers; every method the screen
    calls is here (a missing one would fail the test, not hide behind an except)."""

    def __init__(self) -> None:
        self.asr = ""
        self.learned: list[str] = []

    def set_context(self, asr: str, alternatives: Sequence[str] = ()) -> None:
        self.asr = asr

    def suggest(self, fragment: str, limit: int = 5):
        from earmark.suggest import Suggestion

        words = ["dashwood", "dash", "dashing", "dashed", "dashboard"]
        return [Suggestion(w, "lexicon", 1.0) for w in words if w.startswith(fragment[:2])][:limit]

    def context_utterance(self) -> str | None:
        return None

    def add_transcript(self, text: str) -> None:
        self.learned.append(text)
