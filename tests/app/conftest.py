"""A small real workspace for the app tests: LibriVox speech, a broken file, hostile text."""

from __future__ import annotations

import asyncio
import inspect
import json

import pytest

from tests.support import REALDATA

LIBRI = REALDATA / "librivox"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests in a fresh event loop (Pilot needs one; no plugin required)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        asyncio.run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
        return True
    return None


HOSTILE = "[bold]x[/] [@click=app.quit]q[/] \x1b[31mred\x1b[0m \x00nul \u202eevil\u202c done"


def librivox_clips(asr_override: dict[int, str] | None = None) -> list:
    """NewClips for the five LibriVox recordings, words from the recogniser's JSON."""
    from earmark.store import NewClip
    from earmark.textsafe import clean

    out = []
    for i, wav in enumerate(sorted(LIBRI.glob("*.wav"))):
        data = json.loads(wav.with_suffix(".json").read_text())
        words = []
        for w in data["w"]:
            t = w["t"].split("(")[0]
            if t.startswith("<"):
                continue
            words.append(
                {"word": t, "start": w["b"], "end": round(w["b"] + w["d"], 3), "conf": w["p"]}
            )
        # make the third word of every clip one the recogniser was unsure of
        if len(words) > 2:
            words[2]["conf"] = 0.31
        asr = " ".join(w["word"] for w in words)
        if asr_override and i in asr_override:
            asr = clean(asr_override[i])
            words = []
        out.append(
            NewClip(
                name=f"clip-{i:02d}",
                audio=str(wav),
                asr=asr,
                words=words,
                alternatives=[asr.replace(words[0]["word"], "um", 1)] if words else None,
                duration=data["d"],
                samplerate=16000,
                channels=1,
            )
        )
    return out


def build_workspace(store, *, hostile: bool = False, unplayable: bool = True) -> None:
    from earmark.store import NewClip

    batch = store.batch_id("sense")
    clips = librivox_clips({1: HOSTILE} if hostile else None)
    if unplayable:
        clips.insert(
            2,
            NewClip(
                name="broken",
                audio=str(REALDATA / "malformed" / "evil.wav"),
                asr="",
                unplayable_reason="no data chunk",
            ),
        )
    store.add_clips(batch, clips)
    store.add_lexicon(batch, ["dashwood", "barton", "norland"])


@pytest.fixture
def workspace(store, realdata):
    build_workspace(store)
    return store


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
