"""Audio stays within its memory budget whatever a file claims, and plays only what was imported.

The FLAC "bomb" is the real thing: 29 minutes of 192 kHz, 8-channel silence, a few MB on disk
and 10.7 GB decoded. It and a 29-minute stereo clip are opened, prefetched and played in a
child process whose address space is capped at 1 GB, as an annotator's machine would be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from earmark.audio import AudioError, probe
from earmark.audio import clip as clipmod
from earmark.audio.clip import open_clip
from earmark.audio.prefetch import Prefetcher
from earmark.audio.stretch import Stretcher
from earmark.audio.waveform import summarize

LIMIT = 1 << 30  # the 1 GB the annotator must survive in
RSS_BUDGET_MB = 250


def _write(path: Path, rate: int, channels: int, minutes: float, *, tone: bool) -> Path:
    with sf.SoundFile(path, "w", rate, channels, format="FLAC", subtype="PCM_16") as f:
        total, step, done = int(minutes * 60 * rate), rate * 20, 0
        silence = np.zeros((step, channels), dtype=np.int16)
        while done < total:
            m = min(step, total - done)
            if tone:
                t = (np.arange(m) + done) / rate
                y = (3000 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 0.3 * t) > 0)).astype(
                    np.int16
                )
                f.write(np.repeat(y[:, None], channels, axis=1))
            else:
                f.write(silence[:m])
            done += m
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("bomb") / "bomb.flac", 192_000, 8, 29, tone=False)


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("long") / "long.flac", 48_000, 2, 29, tone=True)


def test_the_bomb_is_small_on_disk_and_refused_by_probe(bomb):
    assert bomb.stat().st_size < 20 * 1024 * 1024
    with pytest.raises(AudioError, match=r"bomb\.flac: too large to play: 29 min x 8 channels"):
        probe(bomb)
    with pytest.raises(AudioError, match="too large to play"):
        open_clip(bomb)


def test_a_long_stereo_clip_is_playable_and_streamed(long_clip):
    info = probe(long_clip)
    assert round(info.duration / 60) == 29 and info.channels == 2
    c = open_clip(long_clip)
    assert c.streamed and c.frames == info.frames and abs(c.duration - info.duration) < 1e-6
    assert c.nbytes < 2 * 1024 * 1024


def test_the_importer_marks_the_bomb_unplayable_with_its_reason(bomb, tmp_path):
    os.link(bomb, tmp_path / "bomb.flac")
    (tmp_path / "m.jsonl").write_text(json.dumps({"audio": "bomb.flac", "id": "x1"}) + "\n")
    db = tmp_path / "p.db"
    r = subprocess.run(
        [sys.executable, "-m", "earmark", "import", str(tmp_path / "m.jsonl"), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "unplayable" in r.stdout and "too large to play" in r.stdout
    s = subprocess.run(
        [sys.executable, "-m", "earmark", "stats", "--json", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(s.stdout)["unplayable"] == 1


CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from earmark.audio import AudioError
    from earmark.audio.outputs import NullOutput
    from earmark.audio.player import Player
    from earmark.audio.prefetch import Prefetcher

    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = NullOutput(paced=False)
    player = Player(out)
    report = {}
    with Prefetcher(width=80) as pf:
        for path in sys.argv[2:]:
            pf.prefetch(path)  # as the clip before it would
        for path in sys.argv[2:]:
            try:
                c = pf.get(path, timeout=60)
            except AudioError as exc:
                report[path] = {"error": str(exc)}
                continue
            player.load(c.samples, c.samplerate, gain=c.gain)
            player.play()
            got = sum(out.pull(4800) for _ in range(100))  # ten seconds from the start
            player.seek(c.duration * 0.7)
            player.speed = 1.5
            got += sum(out.pull(4800) for _ in range(100))  # and ten in the middle, faster
            if c.summary is not None:
                c.summary.done.wait(120)
            report[path] = {"played": got, "peak": float(c.waveform(80).peak.max())}
    # This process's own high-water mark: getrusage's ru_maxrss would carry over the peak of
    # the (large) test process that started it.
    with open("/proc/self/status") as fh:
        hwm = next(line for line in fh if line.startswith("VmHWM:"))
    report["maxrss_mb"] = int(hwm.split()[1]) / 1024
    print(json.dumps(report))
    """
)


def test_bomb_and_long_clip_play_under_a_1gb_memory_limit(bomb, long_clip):
    r = subprocess.run(
        [sys.executable, "-c", CHILD, str(LIMIT), str(bomb), str(long_clip)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    report = json.loads(r.stdout)
    assert "too large to play" in report[str(bomb)]["error"]
    assert report[str(long_clip)]["played"] == 2 * 100 * 4800
    assert report[str(long_clip)]["peak"] > 0.05  # the waveform came from the whole file
    assert report["maxrss_mb"] < RSS_BUDGET_MB


def _mono(path: Path) -> np.ndarray:
    data, _ = sf.read(path, dtype="float32", always_2d=True)
    return data.mean(axis=1, keepdims=True, dtype=np.float32)


def test_streamed_frames_read_the_same_as_a_whole_decode(tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    path = tmp_path / "c.flac"
    sf.write(path, rng.uniform(-0.5, 0.5, (96_000, 2)).astype(np.float32), 16_000, "PCM_16")
    whole = _mono(path)
    monkeypatch.setattr(clipmod, "MEMORY_SAMPLES", 1000)
    c = open_clip(path)
    assert c.streamed
    for a, b in [(0, 500), (90_000, 96_500), (40_000, 40_100), (-300, 200), (10, 30_000)]:
        got = np.array(c.samples.read(a, b))
        want = np.zeros((b - a, 1), dtype=np.float32)
        lo, hi = max(a, 0), min(b, len(whole))
        want[lo - a : hi - a] = whole[lo:hi]
        np.testing.assert_allclose(got, want, atol=1e-6)
    # playback at speed 1 through the stretcher is the file, sample for sample
    out, _, _ = Stretcher(c.samples, 16_000).read(96_000, 1.0)
    np.testing.assert_allclose(out, whole, atol=1e-6)
    assert c.summary.done.wait(10) and c.waveform_complete
    # the streaming pass draws the same waveform as summarising the decoded mix
    np.testing.assert_allclose(c.waveform(40).peak, summarize(whole, 40).peak, atol=1e-3)


def test_a_short_clip_is_decoded_whole_as_mono(tmp_path):
    path = tmp_path / "s.wav"
    sf.write(path, np.full((8000, 6), 0.25, dtype=np.float32), 8000, "FLOAT")
    c = open_clip(path)
    assert not c.streamed and c.samples.shape == (8000, 1)
    np.testing.assert_allclose(c.samples, 0.25)


def test_an_audio_file_swapped_for_a_symlink_is_refused_at_play(tmp_path):
    real = tmp_path / "real.wav"
    other = tmp_path / "other.wav"
    sf.write(real, np.zeros(800, dtype=np.float32), 8000)
    sf.write(other, np.full(800, 0.5, dtype=np.float32), 8000)
    assert open_clip(real).frames == 800
    real.unlink()
    real.symlink_to(other)
    with pytest.raises(AudioError, match="real.wav: is now a symbolic link"):
        open_clip(real)
    with Prefetcher() as pf, pytest.raises(AudioError, match="symbolic link"):
        pf.get(real)
    real.unlink()
    os.mkfifo(real)
    with pytest.raises(AudioError, match="real.wav: not a regular file"):
        open_clip(real)


def test_a_refused_link_does_not_say_where_it_leads(tmp_path):
    real = tmp_path / "real.wav"
    real.symlink_to("/etc/passwd")
    with pytest.raises(AudioError) as err:
        open_clip(real)
    assert "/etc/passwd" not in str(err.value)
