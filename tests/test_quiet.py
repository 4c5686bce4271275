"""C-library chatter on fd 2 goes to a log; Python's stderr (Textual's output) still works."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_fd2_goes_to_the_log_and_python_stderr_still_reaches_the_terminal(tmp_path):
    log = tmp_path / "logs" / "native.log"
    out = run(f"""
        import os, sys
        from earmark.audio.quiet import divert_native_stderr, is_diverted
        before = sys.__stderr__
        divert_native_stderr({str(log)!r})
        divert_native_stderr({str(log)!r})  # idempotent
        assert is_diverted() and sys.__stderr__ is not before and sys.stderr is sys.__stderr__
        os.write(2, b"native chatter from C\\n")
        print("python stderr still works", file=sys.stderr)
        sys.__stderr__.write("textual writes here\\n"); sys.__stderr__.flush()
        print("stdout untouched")
    """)
    assert out.returncode == 0, out.stderr
    assert "python stderr still works" in out.stderr
    assert "textual writes here" in out.stderr
    assert "native chatter" not in out.stderr
    assert "stdout untouched" in out.stdout
    assert log.read_text() == "native chatter from C\n"
    assert (log.stat().st_mode & 0o777) == 0o600


def test_without_a_log_native_output_is_discarded():
    out = run("""
        import os, sys
        from earmark.audio.quiet import divert_native_stderr
        divert_native_stderr(None)
        os.write(2, b"native chatter\\n")
        print("still here", file=sys.stderr)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "still here\n"


def test_real_decoder_warnings_are_diverted(tmp_path):
    """libmpg123 prints its warnings about a cut-off MP3 straight to fd 2."""
    log = tmp_path / "native.log"
    code = f"""
        import sys
        import numpy as np, soundfile as sf
        from earmark.audio import AudioError, load
        from earmark.audio.quiet import divert_native_stderr
        if sys.argv[-1] == "divert":
            divert_native_stderr({str(log)!r})
        x = (0.3 * np.sin(np.arange(48000) / 5)).astype(np.float32)
        sf.write({str(tmp_path / "f.mp3")!r}, x, 16000, format="MP3")
        b = open({str(tmp_path / "f.mp3")!r}, "rb").read()
        open({str(tmp_path / "cut.mp3")!r}, "wb").write(b[: len(b) // 2])
        try:
            load({str(tmp_path / "cut.mp3")!r})
        except AudioError as e:
            print("error:", e, file=sys.stderr)
    """
    plain = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), "plain"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    quiet = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), "divert"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    native = [ln for ln in plain.stderr.splitlines() if not ln.startswith("error:")]
    assert native, "expected the MP3 decoder to print a warning when not diverted"
    assert [ln for ln in quiet.stderr.splitlines() if not ln.startswith("error:")] == []
    assert "error:" in quiet.stderr and "cut.mp3" in quiet.stderr
    assert native[0] in log.read_text()


def test_textual_picks_up_the_terminal_stream_when_diverted_first():
    """Textual takes sys.__stderr__ when an App is built: divert before building the App."""
    out = run("""
        import os, sys
        from earmark.audio.quiet import divert_native_stderr
        terminal = os.fstat(2)
        divert_native_stderr(None)
        from textual.app import App
        app = App()
        stream = app._original_stderr  # what Textual's drivers write the screen to
        assert stream is sys.__stderr__ and stream.fileno() != 2
        assert os.path.samestat(os.fstat(stream.fileno()), terminal)
        assert not os.path.samestat(os.fstat(2), terminal)
        print("ok")
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
