"""The annotator's acoustic check in its own process: the same verdicts as in-process, and a
child that dies costs one check, with one line, never the annotator."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from earmark.align import available, check_transcript
from earmark.audio import load
from tests.support import LIBRI, needs_realdata

pytestmark = [
    pytest.mark.skipif(not available()[0], reason=available()[1] or "engine present"),
    needs_realdata,
]
ROOT = Path(__file__).resolve().parents[1]
TEXT = "and mister john dashwood had then zebra to consider how much there might be"


@pytest.fixture
def service():
    from earmark.align.service import CheckService

    s = CheckService()
    yield s
    s.close()


def test_the_child_gives_the_verdicts_the_engine_gives_here(service):
    samples, rate = load(sorted(LIBRI.glob("*.wav"))[0])
    assert service.start() == (True, "")
    (child,) = service.pids()
    assert child != os.getpid()
    words, reason = service.check(samples, rate, TEXT)
    here = check_transcript(samples, rate, TEXT)
    assert reason == (here.reason or "")
    assert [(w[0], w[4]) for w in words] == [(w.word, w.marked) for w in here.words]
    assert "zebra" in [w[0] for w in words if w[4]]


def test_the_second_listen_in_the_child_hears_what_the_decoder_hears_here(service):
    from earmark.align.firstguess import FreeDecoder

    samples, rate = load(ROOT / "demo_data" / "clips" / "08-remind-plants.flac")
    got = service.listen(samples, rate, 50)
    here = FreeDecoder().hypotheses(samples, rate, 50)
    assert got == here  # a fresh decoder either side: the same list
    assert 10 < len(got) <= 50 and len(set(got)) == len(got)
    assert all(h == " ".join(h.split()) and "<" not in h for h in got)  # spoken words only
    # what the recogniser heard in place of "was" ("remind me to water the plants")
    assert any("water" in h.split() for h in got)


def test_a_child_killed_mid_shift_costs_one_check(service):
    samples, rate = load(sorted(LIBRI.glob("*.wav"))[0])
    service.start()
    (child,) = service.pids()
    os.kill(child, signal.SIGKILL)
    with pytest.raises(RuntimeError, match="check's process stopped"):
        service.check(samples, rate, TEXT)
    words, _reason = service.check(samples, rate, TEXT)  # a new child
    assert words and service.pids() != [child]


_PARENT = """
import sys, time
sys.path.insert(0, sys.argv[1])
from earmark.align.service import CheckService
s = CheckService()
s.start()
print(s.pids()[0], flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_child_yields_and_does_not_outlive_an_annotator_killed_with_kill_9():
    """The child runs at a lower priority than the annotator; kill -9 (or a crash) gives the
    annotator no chance to stop it, so it notices on its own and leaves, rather than
    holding ~200 MB for ever."""
    tui = str(Path(__file__).resolve().parents[1] / "tui")
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, tui], stdout=subprocess.PIPE, text=True
    )
    child = None
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert _alive(child)
        # background work: it yields the CPU to the annotator (nice 10 above its parent)
        nice = int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[16])
        assert nice >= os.getpriority(os.PRIO_PROCESS, 0) + 10
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the check's child outlived the killed annotator"
    finally:
        if parent.poll() is None:
            parent.kill()
        if child is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
