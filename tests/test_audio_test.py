"""`earmark audio-test` tells the truth: exit 0 only when the tone really reached a device
(or the listener confirmed it), 1 with one clear line when it did not."""

from __future__ import annotations

import argparse
import subprocess
import sys

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


def test_through_a_listener(capsys):
    lst = Listener(NullOutput(), log=lambda line: None).start()
    try:
        assert audio_test.run(argparse.Namespace(audio=lst.url)) == 0
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


def test_nothing_listening_exits_1(capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert audio_test.run(argparse.Namespace(audio=tcp_url("a" * 32, port))) == 1
    err = capsys.readouterr().err
    assert "FAILED" in err and "Connection refused" in err and "earmark listen" in err


def test_wrong_secret_exits_1(capsys):
    lst = Listener(NullOutput(), log=lambda line: None).start()
    try:
        assert audio_test.run(argparse.Namespace(audio=tcp_url("b" * 32, lst.port))) == 1
    finally:
        lst.close()
    assert "could not prove the secret" in capsys.readouterr().err


def test_malformed_url_is_a_user_error():
    r = run_cli("--audio", "tcp://nosecret@127.0.0.1:1")
    assert r.returncode == 2
    assert r.stderr.startswith("earmark: audio URL:") and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("hz", [440.0])
def test_the_tone_is_short_and_faded(hz):
    t = audio_test.tone(hz=hz)
    assert len(t) == int(0.5 * audio_test.RATE)
    assert t[0, 0] == 0.0 and abs(t[-1, 0]) < 1e-3 and 0.19 < abs(t).max() <= 0.2
