"""`earmark audio-test` tells the truth: exit 0 only when the tone really reached a device
(or the listener confirmed it), 1 with one clear line when it did not."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from earmark.audio.outputs import NullOutput
from earmark.audio.remote import Listener, tcp_url
from earmark.commands import audio_test
from tests.support import block_sounddevice, needs_portaudio


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "earmark", "audio-test", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_portaudio
def test_tone_on_the_default_device_names_it():
    r = run_cli()
    assert r.returncode == 0, r.stderr
    assert "default (ALSA)" in r.stdout  # ALSA's null device, from this test's ~/.asoundrc
    assert "OK: 22050 frames went to default (ALSA) (44100 Hz, output latency" in r.stdout


def test_no_output_device_exits_1_with_one_line(_isolated_home):
    (_isolated_home / ".asoundrc").write_text("pcm.!default {\n    type hw\n    card 7\n}\n")
    r = run_cli()
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("earmark audio-test: FAILED: no audio: no output device")
    assert "earmark listen" in lines[-1]
    assert "Traceback" not in r.stderr


def test_no_portaudio_exits_1_and_says_what_to_install(monkeypatch, capsys):
    block_sounddevice(monkeypatch, OSError("PortAudio library not found"))
    assert audio_test.run(argparse.Namespace(audio=None)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "PortAudio (libportaudio2) is not installed" in err[0]
    assert "apt-get install libportaudio2" in err[0] and "earmark listen" in err[0]


def save_secret(home: Path, secret: str, mode: int = 0o600) -> Path:
    path = home / ".earmark" / "audio.secret"
    path.parent.mkdir(exist_ok=True)
    path.write_text(secret + "\n")
    path.chmod(mode)
    return path


def test_through_a_listener_with_the_secret_in_a_private_file(capsys, _isolated_home):
    lst = Listener(NullOutput(), log=lambda line: None).start()
    save_secret(_isolated_home, lst.secret)
    try:
        assert audio_test.run(argparse.Namespace(audio=f"tcp://127.0.0.1:{lst.port}")) == 0
    finally:
        lst.close()
    out = capsys.readouterr().out
    assert f"the listener at 127.0.0.1:{lst.port} played 22050 frames through null output" in out
    assert lst.secret not in out


def test_env_var_is_used(monkeypatch, capsys):
    lst = Listener(NullOutput(), log=lambda line: None).start()
    monkeypatch.setenv("EARMARK_AUDIO", lst.url)
    try:
        assert audio_test.run(argparse.Namespace(audio=None)) == 0
    finally:
        lst.close()
    assert "OK: the listener" in capsys.readouterr().out


def test_nothing_listening_exits_1(capsys, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("EARMARK_AUDIO", tcp_url("a" * 32, port))
    assert audio_test.run(argparse.Namespace(audio=None)) == 1
    err = capsys.readouterr().err
    assert "FAILED" in err and "Connection refused" in err and "earmark listen" in err


def test_wrong_secret_exits_1(capsys, monkeypatch):
    lst = Listener(NullOutput(), log=lambda line: None).start()
    monkeypatch.setenv("EARMARK_AUDIO", tcp_url("b" * 32, lst.port))
    try:
        # --audio names the listener; the (wrong) secret comes from the environment
        assert audio_test.run(argparse.Namespace(audio=f"tcp://127.0.0.1:{lst.port}")) == 1
    finally:
        lst.close()
    assert "could not prove the secret" in capsys.readouterr().err


def test_malformed_url_is_a_user_error(monkeypatch):
    monkeypatch.setenv("EARMARK_AUDIO", "tcp://nosecret@127.0.0.1:1")
    r = run_cli()
    assert r.returncode == 2
    assert r.stderr.startswith("earmark: audio URL:") and len(r.stderr.strip().splitlines()) == 1
    assert "secret looks wrong" in r.stderr


def test_a_secret_on_the_command_line_is_refused_in_one_line():
    r = run_cli("--audio", tcp_url("c" * 32, 47311))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert r.stderr.startswith("earmark: --audio: the URL holds the relay secret")
    assert "ps" in r.stderr and "EARMARK_AUDIO" in r.stderr
    assert "c" * 32 not in r.stderr


def test_a_secret_file_others_can_read_is_refused(_isolated_home):
    path = save_secret(_isolated_home, "d" * 32, mode=0o644)
    r = run_cli("--audio", "tcp://127.0.0.1:47311")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert f"{path}: other users can read it (mode 0644); run chmod 600" in r.stderr
    assert "d" * 32 not in r.stderr


def test_no_secret_anywhere_says_where_to_put_it(_isolated_home):
    r = run_cli("--audio", "tcp://127.0.0.1:47311")
    assert r.returncode == 2 and "no secret" in r.stderr and "audio.secret" in r.stderr


def test_the_secret_never_appears_in_the_process_arguments(_isolated_home, monkeypatch):
    """What `ps` shows every local user: the sender's argv, while it plays through a relay."""
    lst = Listener(NullOutput(), log=lambda line: None).start()
    monkeypatch.setenv("EARMARK_AUDIO", lst.url)
    seen: list[bytes] = []
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "earmark",
                "audio-test",
                "--audio",
                f"tcp://127.0.0.1:{lst.port}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        while proc.poll() is None:
            with contextlib.suppress(OSError):
                seen.append(Path(f"/proc/{proc.pid}/cmdline").read_bytes())
            if shutil.which("ps"):
                ps = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True)
                seen.append(ps.stdout)
        out, err = proc.communicate(timeout=30)
    finally:
        lst.close()
    assert proc.returncode == 0, err
    assert any(b"audio-test" in s for s in seen)  # it was looked at while it ran
    assert not any(lst.secret.encode() in s for s in seen)


@pytest.mark.parametrize("hz", [440.0])
def test_the_tone_is_short_and_faded(hz):
    t = audio_test.tone(hz=hz)
    assert len(t) == int(0.5 * audio_test.RATE)
    assert t[0, 0] == 0.0 and abs(t[-1, 0]) < 1e-3 and 0.19 < abs(t).max() <= 0.2
