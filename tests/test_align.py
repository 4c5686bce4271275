"""The acoustic check's engine (earmark.align) on real and synthesised speech.

Synthesised clips come from espeak-ng (installed here and in CI; the tests skip, saying so,
where it is absent); real speech is the LibriVox recordings in ../shared/realdata.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from earmark.align import CheckResult, available, check_transcript

ROOT = Path(__file__).resolve().parents[1]
LIBRI = ROOT.parent / "shared" / "realdata" / "librivox"
VOICE = "en-us+klatt2"  # a formant voice the US English model copes with (as the demo's)

needs_engine = pytest.mark.skipif(not available()[0], reason=available()[1] or "engine present")
needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt install espeak-ng)"
)


def synth(text: str, voice: str = VOICE) -> tuple[np.ndarray, int]:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "150", "--stdout", text], capture_output=True, check=True
    ).stdout
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return samples, int(rate)


def marked(result: CheckResult) -> list[str]:
    assert result.reason is None, result.reason
    return [w.word for w in result.words if w.marked]


def assert_well_formed(result: CheckResult, text: str, seconds: float) -> None:
    typed = text.split()
    assert result.reason is None, result.reason
    assert [w.word for w in result.words] == typed
    assert [w.index for w in result.words] == list(range(len(typed)))
    ends = 0.0
    for w in result.words:
        assert ends <= w.start <= w.end <= seconds + 0.05, (w, ends)
        assert 0.0 <= w.score <= 1.0
        assert w.marked == (w.score < 0.5)
        ends = w.end


@needs_engine
@needs_espeak
@pytest.mark.parametrize("voice", [VOICE, "en-us", "en-gb"])
def test_every_word_comes_back_in_order_with_monotonic_times(voice):
    text = "please remind me to water the plants at six tomorrow evening"
    samples, rate = synth(text, voice)
    result = check_transcript(samples, rate, text)
    assert_well_formed(result, text, len(samples) / rate)
    assert result.words[-1].end > result.words[0].start + 1.0


@needs_engine
@needs_espeak
@pytest.mark.parametrize(
    ("said", "typed", "wrong"),
    [
        ("call my sister on the phone", "call my brother on the phone", "brother"),
        ("turn off the kitchen lights now", "turn off the chicken lights now", "chicken"),
    ],
)
def test_a_wrong_word_is_marked_and_the_right_one_is_not(said, typed, wrong):
    samples, rate = synth(said)
    assert marked(check_transcript(samples, rate, said)) == []
    assert wrong in marked(check_transcript(samples, rate, typed))


@needs_engine
def test_real_speech_a_wrong_word_is_marked_and_the_truth_is_clean():
    wav = LIBRI / "sense_and_sensibility_01_austen_64kb-0880.wav"
    if not wav.exists():
        pytest.skip(f"{wav} is missing (../shared/realdata)")
    samples, rate = sf.read(wav, dtype="float32")
    truth = wav.with_suffix(".txt").read_text()
    assert marked(check_transcript(samples, rate, truth)) == []
    result = check_transcript(samples, rate, "he was not an ill tempered young man")
    assert marked(result) == ["tempered"]
    dropped = check_transcript(samples, rate, "he not an ill disposed young man")
    assert {"he", "not"} & set(marked(dropped)), "a left-out word marks a neighbour"


@needs_engine
@needs_espeak
def test_numbers_are_spoken_out_not_flagged():
    said = "set a timer for ten minutes and wake me on the twenty first"
    typed = "set a timer for 10 minutes and wake me on the 21st"
    samples, rate = synth(said)
    result = check_transcript(samples, rate, typed)
    assert_well_formed(result, typed, len(samples) / rate)
    assert not {"10", "21st"} & set(marked(result))
    assert result.words[4].start < result.words[5].start  # "10" has its own place in time


@needs_engine
@needs_espeak
def test_names_missing_from_the_dictionary_get_a_pronunciation():
    said = "play despacito by luis fonsi on spotify"
    samples, rate = synth(said)
    assert marked(check_transcript(samples, rate, said)) == []
    assert "bread" in marked(check_transcript(samples, rate, said.replace("spotify", "bread")))


@needs_engine
def test_any_rate_and_channel_count_gives_the_same_times():
    wav = LIBRI / "sense_and_sensibility_01_austen_64kb-0880.wav"
    if not wav.exists():
        pytest.skip(f"{wav} is missing (../shared/realdata)")
    mono, rate = sf.read(wav, dtype="float32")
    text = wav.with_suffix(".txt").read_text()
    n = len(mono) * 44100 // rate
    upsampled = np.interp(np.arange(n) * rate / 44100, np.arange(len(mono)), mono)
    stereo = np.stack([upsampled, upsampled], axis=1).astype(np.float32)
    a = check_transcript(mono, rate, text)
    b = check_transcript(stereo, 44100, text)
    assert [w.word for w in a.words] == [w.word for w in b.words]
    for x, y in zip(a.words, b.words, strict=True):
        assert abs(x.start - y.start) <= 0.03 and abs(x.end - y.end) <= 0.03


@needs_engine
@pytest.mark.parametrize(
    "text",
    [
        "[bold]he[/] was \x1b[31mnot\x1b[0m an ill disposed young man",
        "he was not an\u202e ill disposed young man \x00",
        "he -- was ... not an ill disposed young man !!!",
        "<s> he was not </s> an ill (2) disposed young man",
    ],
)
def test_hostile_text_gives_a_result_one_per_typed_word(text):
    wav = LIBRI / "sense_and_sensibility_01_austen_64kb-0880.wav"
    if not wav.exists():
        pytest.skip(f"{wav} is missing (../shared/realdata)")
    samples, rate = sf.read(wav, dtype="float32")
    result = check_transcript(samples, rate, text)
    assert result.reason is None or "\n" not in result.reason
    if result.reason is None:
        assert [w.word for w in result.words] == text.split()


@needs_engine
@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   \t ", "empty"),
        ("word " * 10_000, "too long"),
    ],
)
def test_text_that_cannot_be_checked_says_why_in_one_line(text, says):
    result = check_transcript(np.zeros(16000, np.float32), 16000, text)
    assert result.words == [] and result.reason is not None
    assert says in result.reason and "\n" not in result.reason


@needs_engine
def test_punctuation_only_words_are_kept_and_never_marked():
    result = check_transcript(np.zeros(8000, np.float32), 16000, "... -- !!")
    assert result.reason is None
    assert [(w.word, w.marked) for w in result.words] == [
        ("...", False),
        ("--", False),
        ("!!", False),
    ]


@needs_engine
def test_more_words_than_the_audio_can_hold_is_one_clear_reason():
    result = check_transcript(np.zeros(1600, np.float32), 16000, "one two three four five six")
    assert result.reason is None or ("\n" not in result.reason and result.words == [])
    if result.reason is None:
        assert len(result.words) == 6


@needs_engine
def test_bad_audio_arrays_give_a_reason_not_a_crash():
    for samples in (np.zeros((10, 2, 2), np.float32), np.full(16000, np.nan, np.float32)):
        result = check_transcript(samples, 16000, "hello")
        assert result.reason is None or "\n" not in result.reason
    assert check_transcript(np.zeros(100, np.float32), 0, "hello").reason


def test_without_pocketsphinx_the_check_says_why_it_is_off():
    code = (
        "import sys, json; sys.modules['pocketsphinx'] = None\n"
        "import numpy as np\n"
        "from earmark.align import available, check_transcript\n"
        "r = check_transcript(np.zeros(16000, np.float32), 16000, 'hello')\n"
        "print(json.dumps([available(), r.words, r.reason]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    (ok, why), words, reason = json.loads(out.stdout)
    assert ok is False and words == []
    assert "pocketsphinx" in why and "\n" not in why and reason == why


@needs_engine
@needs_espeak
def test_a_clips_result_does_not_depend_on_the_clips_checked_before():
    wav = LIBRI / "sense_and_sensibility_01_austen_64kb-0880.wav"
    if not wav.exists():
        pytest.skip(f"{wav} is missing (../shared/realdata)")
    samples, rate = sf.read(wav, dtype="float32")
    text = wav.with_suffix(".txt").read_text()
    first = check_transcript(samples, rate, text)
    other, other_rate = synth("turn off the kitchen lights now")
    check_transcript(other, other_rate, "turn off the chicken lights now")
    assert check_transcript(samples, rate, text) == first
    assert check_transcript(samples.copy(), rate, text) == first


@needs_engine
def test_a_word_the_audio_has_no_room_for_is_marked_not_a_failure():
    wav = LIBRI / "sense_and_sensibility_01_austen_64kb-0880.wav"
    if not wav.exists():
        pytest.skip(f"{wav} is missing (../shared/realdata)")
    samples, rate = sf.read(wav, dtype="float32")
    text = "he was not an ill disposed young man connected"
    result = check_transcript(samples, rate, text)
    assert_well_formed(result, text, len(samples) / rate)
    assert "connected" in marked(result) and "disposed" not in marked(result)
