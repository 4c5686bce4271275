"""Decoding: every format we accept round-trips; every broken file is an AudioError naming it."""

from __future__ import annotations

import os
import struct

import numpy as np
import pytest

from earmark.audio import AudioError, load, probe
from tests.support import REALDATA

SR = 16_000
MALFORMED = sorted((REALDATA / "malformed").glob("*.wav")) if REALDATA.is_dir() else []


def tone(seconds: float = 2.0, sr: int = SR, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    x = 0.4 * np.sin(2 * np.pi * 330 * t)
    return np.repeat(x[:, None], channels, axis=1).astype(np.float32)


def write(path, data, sr=SR, **kw):
    import soundfile as sf

    sf.write(path, data, sr, **kw)
    return path


def assert_fails(path, *words):
    for fn in (load, probe):
        with pytest.raises(AudioError) as err:
            fn(path)
        msg = str(err.value)
        assert os.path.basename(os.fspath(path)) in msg, msg
        assert "\n" not in msg
        for w in words:
            assert w in msg, msg
    if os.path.exists(path) and not os.path.isdir(path):
        with pytest.raises(AudioError):
            probe(path, full=True)


# -- good files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kw, exact",
    [
        ("a.wav", {"subtype": "PCM_16"}, True),
        ("a.flac", {"subtype": "PCM_16"}, True),
        ("a.ogg", {"format": "OGG", "subtype": "VORBIS"}, False),
        ("a.mp3", {"format": "MP3", "subtype": "MPEG_LAYER_III"}, False),
    ],
)
def test_formats_decode_to_float32_frames(tmp_path, name, kw, exact):
    x = tone(channels=2)
    p = write(tmp_path / name, x, **kw)
    data, sr = load(p)
    assert sr == SR and data.dtype == np.float32 and data.shape[1] == 2
    assert data.flags.c_contiguous
    if exact:
        np.testing.assert_allclose(data, x, atol=1e-4)
    else:
        assert len(data) == pytest.approx(len(x), rel=0.05)
        assert np.abs(data).max() == pytest.approx(0.4, rel=0.15)
    info = probe(p)
    assert info.samplerate == SR and info.channels == 2
    assert info.duration == pytest.approx(2.0, rel=0.05)


def test_opus_decodes(tmp_path):
    p = write(tmp_path / "a.opus", tone(sr=48_000), 48_000, format="OGG", subtype="OPUS")
    data, sr = load(p)
    assert sr == 48_000 and data.shape[1] == 1
    assert len(data) == pytest.approx(2 * 48_000, rel=0.05)


def test_mono_is_two_dimensional(tmp_path):
    data, _ = load(write(tmp_path / "m.wav", tone()[:, 0]))
    assert data.shape == (2 * SR, 1)


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not beside this checkout")
def test_every_real_recording_decodes():
    files = sorted((REALDATA / "librivox").glob("*.wav")) + sorted(
        (REALDATA / "cards").glob("*.wav")
    )
    assert len(files) >= 10
    for f in files:
        data, sr = load(f)
        info = probe(f)
        assert len(data) == info.frames and sr == info.samplerate
        assert np.abs(data).max() > 0.01


# -- broken files -------------------------------------------------------------------------------


@pytest.mark.skipif(
    not MALFORMED, reason="../shared/realdata/malformed is not beside this checkout"
)
@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.name)
def test_shared_malformed_files(path):
    assert_fails(path)


@pytest.mark.skipif(
    not MALFORMED, reason="../shared/realdata/malformed is not beside this checkout"
)
def test_shared_malformed_reasons():
    m = REALDATA / "malformed"
    assert_fails(m / "awful.wav", "sample rate")
    assert_fails(m / "evil.wav", "data")
    assert_fails(m / "null.wav", "no audio data")


def test_missing_file(tmp_path):
    assert_fails(tmp_path / "nowhere.wav", "not found")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.wav"
    p.write_bytes(b"")
    assert_fails(p, "empty")


def test_text_renamed_wav(tmp_path):
    p = tmp_path / "notes.wav"
    p.write_text("this is not audio, just a text file someone renamed\n" * 20)
    assert_fails(p, "not a readable audio file")


def test_folder(tmp_path):
    d = tmp_path / "clip.wav"
    d.mkdir()
    assert_fails(d, "folder")


def test_fifo_is_refused_without_blocking(tmp_path):
    p = tmp_path / "pipe.wav"
    os.mkfifo(p)
    assert_fails(p, "not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: file permissions do not apply")
def test_unreadable_file(tmp_path):
    p = write(tmp_path / "locked.wav", tone())
    p.chmod(0)
    try:
        assert_fails(p, "permission denied")
    finally:
        p.chmod(0o600)


def test_header_only_wav(tmp_path):
    p = write(tmp_path / "full.wav", tone(), subtype="PCM_16")
    hdr = tmp_path / "header.wav"
    hdr.write_bytes(p.read_bytes()[:44])
    assert_fails(hdr, "header only", "no audio data")


def test_header_with_zero_data_is_no_audio(tmp_path):
    p = tmp_path / "zero.wav"
    fmt = struct.pack("<HHIIHH", 1, 1, SR, SR * 2, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", 0)
    p.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert_fails(p, "no audio data")


def test_truncated_wav(tmp_path):
    b = write(tmp_path / "full.wav", tone(), subtype="PCM_16").read_bytes()
    p = tmp_path / "cut.wav"
    p.write_bytes(b[: len(b) // 2])
    assert_fails(p, "truncated")


@pytest.mark.parametrize("rate", [1, 2_000_000])
def test_absurd_sample_rate(tmp_path, rate):
    b = bytearray(write(tmp_path / "ok.wav", tone(), subtype="PCM_16").read_bytes())
    assert b[24:28] == struct.pack("<I", SR)  # the fmt chunk's sample-rate field
    b[24:28] = struct.pack("<I", rate)
    p = tmp_path / "rate.wav"
    p.write_bytes(bytes(b))
    assert_fails(p, "sample rate")


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_truncated_flac(tmp_path, fraction):
    rng = np.random.default_rng(0)  # noise compresses badly: the cut lands mid-stream
    x = (0.3 * rng.standard_normal((3 * SR, 1))).astype(np.float32)
    b = write(tmp_path / "full.flac", x, subtype="PCM_16").read_bytes()
    p = tmp_path / "cut.flac"
    p.write_bytes(b[: int(len(b) * fraction)])
    assert_fails(p)


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_truncated_mp3(tmp_path, fraction):
    b = write(tmp_path / "full.mp3", tone(3.0), format="MP3", subtype="MPEG_LAYER_III").read_bytes()
    p = tmp_path / "cut.mp3"
    p.write_bytes(b[: int(len(b) * fraction)])
    assert_fails(p)


@pytest.mark.parametrize("fraction", [0.3, 0.95])
@pytest.mark.parametrize("subtype, sr", [("VORBIS", SR), ("OPUS", 48_000)])
def test_truncated_ogg(tmp_path, subtype, sr, fraction):
    """Ogg has no length in its header: a cut-off Opus file would otherwise just play short."""
    b = write(tmp_path / "full.ogg", tone(3.0, sr), sr, format="OGG", subtype=subtype).read_bytes()
    p = tmp_path / "cut.ogg"
    p.write_bytes(b[: int(len(b) * fraction)])
    assert_fails(p, "truncated")


@pytest.mark.parametrize("fmt, kw", [("wav", {}), ("flac", {}), ("mp3", {"format": "MP3"})])
def test_probe_and_load_agree_on_cut_files(tmp_path, fmt, kw):
    """What import's probe accepts, the player's load must play, and the other way round."""
    b = write(tmp_path / f"full.{fmt}", tone(5.0), **kw).read_bytes()
    for fraction in (0.3, 0.9, 0.97, 0.99, 0.999):
        p = tmp_path / f"cut{fraction}.{fmt}"
        p.write_bytes(b[: int(len(b) * fraction)])
        outcomes = []
        for fn in (load, probe):
            try:
                fn(p)
                outcomes.append("ok")
            except AudioError:
                outcomes.append("error")
        assert outcomes[0] == outcomes[1], (fraction, outcomes)
        if fraction <= 0.9:
            assert outcomes == ["error", "error"]


def test_mp3_header_only(tmp_path):
    b = write(tmp_path / "full.mp3", tone(), format="MP3", subtype="MPEG_LAYER_III").read_bytes()
    p = tmp_path / "stub.mp3"
    p.write_bytes(b[:200])
    assert_fails(p)


def test_wrong_format_behind_the_extension(tmp_path):
    """What counts is the content: a FLAC named .wav plays; random bytes named .mp3 do not."""
    x = tone()
    flac = write(tmp_path / "really-flac.wav", x, format="FLAC", subtype="PCM_16")
    data, _ = load(flac)
    np.testing.assert_allclose(data, x, atol=1e-4)
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert_fails(junk)


def test_non_finite_samples_are_made_safe(tmp_path):
    x = tone()
    x[100:110] = np.nan
    x[200] = np.inf
    data, _ = load(write(tmp_path / "nan.wav", x, subtype="FLOAT"))
    assert np.isfinite(data).all()


def test_absurdly_long_file_is_refused(tmp_path, monkeypatch):
    import earmark.audio.decode as decode

    monkeypatch.setattr(decode, "MAX_SECONDS", 1)
    assert_fails(write(tmp_path / "long.wav", tone(2.0)), "too long")
