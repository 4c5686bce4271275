"""What tests share besides Pilot (tests/app/pilot.py) and tmux (tests/tmux.py): paths, skip
markers, waiting for a condition, the ALSA null device, manifests and a small real workspace.
`from tests.support import needs_portaudio, REALDATA`."""

from __future__ import annotations

import builtins
import ctypes.util
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
ASOUNDRC_NULL = SHARED / "audio" / "asoundrc-null"


def null_asoundrc(home: Path) -> Path:
    """`home`/.asoundrc sending sound to ALSA's null device: ../shared's copy where it is
    beside this checkout, else the same two lines."""
    target = home / ".asoundrc"
    if ASOUNDRC_NULL.is_file():
        shutil.copy(ASOUNDRC_NULL, target)
    else:
        target.write_text("pcm.!default {\n    type null\n}\n")
    return target


def _null_audio_home() -> None:
    """Point HOME at ALSA's null device before anything in the test process loads PortAudio.

    PortAudio lists devices once, when sounddevice is first imported; if that happened with the
    real HOME (no sound card here), every in-process test would see no output device.
    """
    home = Path(tempfile.mkdtemp(prefix="earmark-test-home-"))
    null_asoundrc(home)
    os.environ["HOME"] = str(home)


_null_audio_home()


def _has_portaudio() -> bool:
    # Ask the loader, as sounddevice does, without importing sounddevice (which would
    # initialise PortAudio here, before the test's HOME is in place).
    return ctypes.util.find_library("portaudio") is not None


HAS_PORTAUDIO = _has_portaudio()
HAS_TMUX = shutil.which("tmux") is not None

needs_portaudio = pytest.mark.skipif(
    not HAS_PORTAUDIO, reason="libportaudio2 is not installed (apt-get install libportaudio2)"
)
needs_tmux = pytest.mark.skipif(not HAS_TMUX, reason="tmux is not installed (apt-get install tmux)")
needs_realdata = pytest.mark.skipif(
    not REALDATA.is_dir(), reason="../shared/realdata is not beside this checkout"
)


def block_sounddevice(monkeypatch, exc: BaseException) -> None:
    """Make `import sounddevice` raise `exc`, as on a machine without PortAudio."""
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "sounddevice":
            raise exc
        return real(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake)


T = TypeVar("T")


def eventually(cond: Callable[[], T], what: str, timeout: float = 10.0, poll: float = 0.02) -> T:
    """Poll `cond` until it returns something true and return that; fail naming `what`.

    The tests wait for conditions, never for fixed times: a fixed sleep is either too short
    on a busy machine or wasted on an idle one."""
    end = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(poll)


def rescan_if_no_device():
    """sounddevice, ready to open a stream on ALSA's null device (the `alsa_null` fixture).

    PortAudio lists devices once, when sounddevice is first imported; if that happened before
    a test's HOME held the null-device .asoundrc, it saw no output device, so list them again.
    Only then: re-initialising under streams that are open would pull them from under their
    owners, and with no device there can be none."""
    import sounddevice as sd

    try:
        sd.query_devices(kind="output")
    except sd.PortAudioError:
        sd._terminate()
        sd._initialize()
    return sd


# -- manifests ------------------------------------------------------------------------------

# Fields a manifest may carry that must never reach the database (import drops them).
IDENTIFYING = {
    "account_id": "ACCT-77310492",
    "first_name": "Philippa",
    "device_id": "G090LF-SERIAL-5521",
    "location": "Tunbridge Wells",
}


def write_jsonl(path: Path, rows: list[object]) -> Path:
    """One line per row: a dict as JSON, a string as it is (for deliberately bad lines)."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def librivox_manifest(realdata: Path, folder: Path) -> Path:
    """A manifest over the LibriVox clips with the recogniser's words, plus identifying
    fields that import must drop."""
    from earmark.manifest import words_from_pocketsphinx

    rows: list[object] = []
    for wav in sorted((realdata / "librivox").glob("*.wav")):
        ps = json.loads(wav.with_suffix(".json").read_text())
        words = words_from_pocketsphinx(ps)
        rows.append(
            {
                "audio": str(wav),
                "id": f"source-id:{wav.stem}",
                "asr": {"text": " ".join(w["word"] for w in words), "words": words},
                **IDENTIFYING,
            }
        )
    return write_jsonl(folder / "librivox.jsonl", rows)


# -- a small real workspace: LibriVox speech, a broken file, hostile text ---------------------

LIBRI = REALDATA / "librivox"

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


def suggestion_bar(screen: str) -> str:
    """The suggestions bar of an annotator screen in tmux: the line that offers Tab."""
    return next((ln for ln in screen.splitlines() if " tab " in ln), "")


def demo_at_clip(term, n: int) -> None:  # type: ignore[no-untyped-def]
    """`earmark demo` (no autoplay) in tmux at 80x24, paged to clip n of its 21."""
    term.start([sys.executable, "-m", "earmark", "demo", "--no-autoplay"], width=80, height=24)
    term.ready("clip 1 of 21")
    for k in range(2, n + 1):
        term.keys("PageDown")
        term.wait_for(f"clip {k} of 21")
