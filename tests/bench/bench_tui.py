"""The annotator on a 100,000-clip database: `figures(quick)` for tests/bench/bench.py.

Figures:
- submit_to_next_ms_p95: Pilot-driven. The enter key is posted to the app the way a
  terminal's key would arrive; the clock stops when the next clip is on screen with its
  waveform (audio decoded) and the screen has nothing left to lay out or paint (the last
  frame written by the driver). The submit itself is a durable SQLite commit in between.
  Audio goes to the Player's null output with autoplay on, the default.
- submit_to_next_ms_p50: the same, median.
- submit_to_next_cpu_ms_p50: CPU time of this process (all threads) over the same span, a
  figure that a machine shared with other work inflates less than wall time.
- startup_s: `earmark annotate` started in tmux until "clip N of 100000" is on the screen
  (process start, imports, database, first clip); median of 3.
- startup_cpu_s: CPU time the process had used when that first clip was seen.
- rss_mb: resident memory of that running process after 30 submits (VmRSS from /proc).
Targets: submit to next clip within 50 ms, startup within 1.5 s, at most 250 MB resident.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIBRI = ROOT.parent / "shared" / "realdata" / "librivox"
N_CLIPS = 100_000


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def build_db(path: Path, n: int) -> None:
    """n clips straight through store.add_clips (no probing): the queue is what is measured."""
    sys.path.insert(0, str(ROOT / "tui"))
    from earmark.store import NewClip, open_store

    wavs = sorted(LIBRI.glob("*.wav"))
    meta = []
    for wav in wavs:
        data = json.loads(wav.with_suffix(".json").read_text())
        words = [
            {
                "word": w["t"].split("(")[0],
                "start": w["b"],
                "end": round(w["b"] + w["d"], 3),
                "conf": w["p"],
            }
            for w in data["w"]
            if not w["t"].startswith("<")
        ]
        meta.append((str(wav), data["t"], words, data["d"]))
    store = open_store(path)
    batch = store.batch_id("bench")

    def clips():
        for i in range(n):
            audio, asr, words, dur = meta[i % len(meta)]
            yield NewClip(
                name=f"c{i:07d}",
                audio=audio,
                asr=asr,
                words=words,
                alternatives=[asr.replace(" ", "  ", 1)],
                duration=dur,
                samplerate=16000,
                channels=1,
            )

    store.add_clips(batch, clips())
    store.add_lexicon(batch, ["dashwood", "norland", "barton", "elinor", "marianne"])
    store.close()


async def _submit_latencies(db: Path, rounds: int, cpu: list[float] | None = None) -> list[float]:
    from textual import events

    from earmark.app.app import AnnotatorApp
    from earmark.app.screens.annotate import AnnotateScreen
    from earmark.audio.player import open_player
    from earmark.store import open_store

    store = open_store(db)
    app = AnnotatorApp(
        store,
        user="bench",
        autoplay=True,
        cursor_blink=False,
        player_opener=lambda: open_player(None, output="null"),
    )
    drawn: list[float] = []
    out: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        real_display = app._display

        def display(screen, renderable):
            drawn.append(time.perf_counter())
            return real_display(screen, renderable)

        app._display = display
        screen = None
        for _ in range(500):
            await pilot.pause(0.02)
            screen = next((s for s in app.screen_stack if isinstance(s, AnnotateScreen)), None)
            if (
                screen
                and screen.clip_state
                and screen.playback.decoded is not None
                and screen.suggest.suggester is not None
                and screen.playback.player is not None
            ):
                break
        await pilot.pause(0.3)

        def clean() -> bool:
            return not (
                screen._layout_required
                or screen._repaint_required
                or screen._dirty_widgets
                or screen._scroll_required
            )

        for _ in range(rounds):
            before = screen.clip_state.clip.id
            c0 = time.process_time()
            t0 = time.perf_counter()
            app.post_message(events.Key("enter", None))
            while True:
                await asyncio.sleep(0.0005)
                st = screen.clip_state
                if (
                    st is not None
                    and st.clip.id != before
                    and screen.playback.decoded is not None
                    and not screen.busy
                    and clean()
                ):
                    break
                if time.perf_counter() - t0 > 10:
                    raise RuntimeError("the next clip never appeared")
            await asyncio.sleep(0.005)  # let a frame that was due go out
            last = max((d for d in drawn if d >= t0), default=time.perf_counter())
            out.append((last - t0) * 1000)
            if cpu is not None:
                cpu.append((time.process_time() - c0) * 1000)
            await asyncio.sleep(0.05)  # a little time between clips, as a person would take
    store.close()
    return out


def _cpu_seconds(pid: str) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _startup_and_rss(db: Path, n: int, home: Path, runs: int) -> tuple[float, float, float]:
    sys.path.insert(0, str(ROOT))
    from tests.tmux import Tmux

    starts, cpus, rss = [], [], 0.0
    for i in range(runs):
        term = Tmux(home, f"bench-{i}")
        env = {
            "HOME": str(home),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
        }
        argv = [sys.executable, "-m", "earmark", "annotate", "--db", str(db), "--user", f"bench{i}"]
        t0 = time.perf_counter()
        term.start(argv, width=120, height=36, env=env)
        try:
            first = re.compile(rf"clip \d+ of {n} ")
            term.wait_until(first.search, "the first clip", timeout=30, poll=0.01)
            starts.append(time.perf_counter() - t0)
            pid = str(term.pid())
            cpus.append(_cpu_seconds(pid))
            if i == runs - 1:
                time.sleep(1.5)
                for _ in range(30):
                    term.keys("F8")
                    time.sleep(0.08)
                time.sleep(1.0)
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) / 1024
        finally:
            term.kill()
    return statistics.median(starts), statistics.median(cpus), rss


def figures(quick: bool) -> dict[str, float]:
    if not LIBRI.is_dir():
        raise RuntimeError("../shared/realdata is needed for bench_tui")
    tmp = Path(tempfile.mkdtemp(prefix="earmark-bench-tui-"))
    try:
        n = 10_000 if quick else N_CLIPS
        db = tmp / ("big.db" if not quick else "small.db")
        build_db(db, n)
        cpu: list[float] = []
        lat = asyncio.run(_submit_latencies(db, 20 if quick else 60, cpu))
        result = {
            "submit_to_next_ms_p95": round(_p(lat, 0.95), 1),
            "submit_to_next_ms_p50": round(_p(lat, 0.5), 1),
            "submit_to_next_cpu_ms_p50": round(_p(cpu, 0.5), 1),
        }
        if shutil.which("tmux"):
            home = tmp / "home"
            home.mkdir()
            asound = ROOT.parent / "shared" / "audio" / "asoundrc-null"
            if asound.is_file():
                shutil.copy(asound, home / ".asoundrc")
            startup, startup_cpu, rss = _startup_and_rss(db, n, home, 1 if quick else 3)
            result["startup_s"] = round(startup, 2)
            result["startup_cpu_s"] = round(startup_cpu, 2)
            result["rss_mb"] = round(rss, 1)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(figures("--quick" in sys.argv)))
