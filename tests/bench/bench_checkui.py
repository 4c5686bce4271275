"""The acoustic check in the real annotator: `figures(quick)` for tests/bench/bench.py.

Figures (Pilot-driven app, the real engine, a 5-second espeak-ng clip whose transcript the
editor holds):
- checkui_ms_p95 / checkui_ms_p50: from the keystroke that finished an edit (the last word
  of the transcript replaced by another, as an annotator fixes a word) to the marks for that
  text applied in the editor. Includes the CHECK_DELAY pause the annotator's typing must
  leave before a check starts (app/screens/annotate/check.py).
- checkui_engine_ms_p50: the engine's own time per check (alignment and scoring), without
  the pause.
- checkui_load: the 1-minute load average per core while measuring (the machine is shared).
Target: marks within 1.5 s of the last keystroke on this 2-core machine.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXT = "the quick brown fox jumps over the lazy dog while the old cat sleeps by the warm fire"
LAST = ("fire", "tire", "fair", "hire", "fire", "wire", "fire", "fly")


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def _measure(db: Path, rounds: int) -> tuple[list[float], list[float]]:
    from earmark.app.app import AnnotatorApp
    from earmark.app.screens.annotate import check
    from earmark.app.screens.annotate.screen import AnnotateScreen
    from earmark.audio.player import open_player
    from earmark.store import open_store

    engine_ms: list[float] = []
    real = check.ENGINE

    class Timed:  # the real engine, its own time noted
        def available(self):
            return real.available()

        def check(self, samples, rate, text):
            t0 = time.perf_counter()
            try:
                return real.check(samples, rate, text)
            finally:
                engine_ms.append(1000 * (time.perf_counter() - t0))

    check.ENGINE = Timed()
    store = open_store(db, create=False)
    app = AnnotatorApp(
        store,
        user="bench",
        player_opener=lambda: open_player(None, output="null"),
        autoplay=False,
        cursor_blink=False,
        suggester_factory=lambda s: None,
    )
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = next(s for s in app.screen_stack if isinstance(s, AnnotateScreen))
            for _ in range(3000):
                await pilot.pause(0.01)
                if screen.clip_state is not None and screen.check_state.ok is not None:
                    break
            st = screen.check_state
            for _ in range(1000):  # the first check (model load) is not measured
                await pilot.pause(0.01)
                if st.latencies_ms and not st.running:
                    break
            st.latencies_ms.clear()
            for i in range(rounds):
                await pilot.press("end", "ctrl+w", *LAST[(i + 1) % len(LAST)])
                for _ in range(1000):
                    await pilot.pause(0.005)
                    if st.latencies_ms and not st.running and st.timer is None:
                        break
            return list(st.latencies_ms), engine_ms[1:]
    finally:
        check.ENGINE = real
        store.close()


def figures(quick: bool) -> dict[str, float]:
    if shutil.which("espeak-ng") is None:
        return {"checkui_skipped": "espeak-ng not installed"}  # type: ignore[dict-item]
    sys.path.insert(0, str(ROOT / "tui"))
    from earmark.store import NewClip, open_store

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "five.wav"
        subprocess.run(["espeak-ng", "-w", str(wav), TEXT], check=True, capture_output=True)
        db = Path(tmp) / "p.db"
        store = open_store(db)
        store.add_clips(store.batch_id("bench"), [NewClip(name="five", audio=str(wav), asr=TEXT)])
        store.close()
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
        latencies, engine = asyncio.run(_measure(db, 6 if quick else 20))
    return {
        "checkui_ms_p95": round(_p(latencies, 0.95), 1),
        "checkui_ms_p50": round(_p(latencies, 0.5), 1),
        "checkui_engine_ms_p50": round(_p(engine, 0.5), 1),
        "checkui_checks": len(latencies),
        "checkui_load": round(load, 2),
    }
