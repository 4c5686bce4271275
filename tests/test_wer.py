from pathlib import Path

import pytest

from earmark.wer import corpus_wer, normalize, wer


def test_normalize_ignores_case_and_punctuation():
    assert normalize("Alexa, play “Despacito”!  Don't stop.") == [
        "alexa",
        "play",
        "despacito",
        "don't",
        "stop",
    ]
    assert normalize("It’s 5:30 p.m.") == ["it's", "5", "30", "p", "m"]
    assert normalize(None) == normalize("") == []


def test_wer_counts_substitutions_insertions_deletions():
    assert wer("alexa play despacito", "alexa play this bus eat oh") == pytest.approx(4 / 3)
    assert wer("turn on the lights", "turn the lights") == pytest.approx(1 / 4)
    assert wer("Hello, World", "hello world") == 0.0
    assert wer("", "") == 0.0 and wer("", "noise") == 1.0


def test_corpus_wer_weighs_by_reference_length():
    pairs = [("a b c d e f g h i j", "a b c d e f g h i x"), ("yes", "no")]
    assert corpus_wer(pairs) == pytest.approx(2 / 11)
    assert corpus_wer([]) is None
    assert corpus_wer([("", "")]) is None


def test_real_recogniser_output_on_cards(realdata):
    """cards.hyp (a recogniser) against cards.transcription (the truth), as the files say."""

    def sentences(path: Path) -> dict[str, str]:
        out = {}
        for line in path.read_text().splitlines():
            text, _, tail = line.rpartition("(")
            out[tail.split()[0].rstrip(")")] = text.replace("<s>", "").replace("</s>", "")
        return out

    ref = sentences(realdata / "cards" / "cards.transcription")
    hyp = sentences(realdata / "cards" / "cards.hyp")
    assert set(ref) == set(hyp) == {"001", "002", "003", "004", "005"}
    assert corpus_wer((ref[k], hyp[k]) for k in ref) == 0.0
    assert corpus_wer((ref[k], "ten of clubs") for k in ref) == pytest.approx(13 / 21)
