"""One manifest object through the allow-list: the Record that import keeps, nothing more.

ASR words are accepted in our shape and PocketSphinx's, fillers dropped, variants unmarked;
every string kept is cleaned of terminal machinery (textsafe) before it goes anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, cast

from earmark.manifest.fields import (
    _FILLER,
    _TRUE,
    _VARIANT,
    AUDIO_KEYS,
    FALLBACK_GUESS_KEYS,
    GUESS_KEYS,
    KNOWN_KEYS,
    MAX_ALTERNATIVES,
    MAX_FIELD_NAME,
    MAX_WORDS,
    BadLine,
    Record,
    json_type,
)
from earmark.manifest.gold import parse_gold
from earmark.textsafe import clean_words

_NUM_TYPES = (int, float)
_INF = math.inf
_FILLER_START = ("<", "[", "+")


def _number(v: object) -> float | None:
    """A finite float, or None when v is not a usable number (bool is not a number)."""
    if type(v) not in _NUM_TYPES:
        return None
    f = float(cast(float, v))
    return f if math.isfinite(f) else None


_FILLER_WORD = object()  # a silence or noise marker: skipped, not counted as malformed


def _clean_word_item(item: object) -> dict[str, Any] | object | None:
    """One ASR word in our shape, _FILLER_WORD, or None when the item is malformed.

    Accepts ours ({word, start, end, conf}) and PocketSphinx's ({t, b, d, p}).
    This runs for every word of every line, so it avoids the slow general paths.
    """
    if type(item) is not dict:
        return None
    if len(item) == 4:  # already ours, exactly: kept as it is, nothing to rebuild
        w, s, e, c = item.get("word"), item.get("start"), item.get("end"), item.get("conf")
        if (
            type(w) is str
            and type(s) is float
            and type(e) is float
            and type(c) is float
            and 0.0 <= s <= e < _INF  # also false for NaN
            and 0.0 <= c <= 1.0
            and w.isascii()
            and w.isalpha()
        ):
            return item
    raw = item.get("word")
    if raw is None:
        raw = item.get("t")
    if type(raw) is not str:
        return None
    if raw.isascii() and raw.isalpha():
        word = raw  # the common case: nothing to clean
    else:
        token = raw.strip()
        if token.startswith(_FILLER_START) and _FILLER.match(token):
            return _FILLER_WORD
        word = clean_words(_VARIANT.sub("", token))
        if not word:
            return None
    start_raw = item.get("start")
    if start_raw is None:
        start_raw = item.get("b")
    start = _number(start_raw)
    if start is None and start_raw is not None:
        return None
    end_raw = item.get("end")
    if end_raw is not None:
        end = _number(end_raw)
        if end is None:
            return None
    elif "d" in item:
        dur = _number(item["d"])
        if dur is None or dur < 0 or start is None:
            return None
        end = round(start + dur, 4)
        if not math.isfinite(end):
            return None
    else:
        end = None
    if start is not None and (start < 0 or (end is not None and end < start)):
        return None
    conf_raw = item.get("conf")
    if conf_raw is None:
        conf_raw = item.get("confidence", item.get("p"))
    conf = _number(conf_raw)
    if conf is None and conf_raw is not None:
        return None
    if conf is not None and not 0.0 <= conf <= 1.0:
        conf = None  # a log-probability or a score on another scale: not a confidence
    return {"word": word, "start": start, "end": end, "conf": conf}


def clean_words_list(items: object) -> tuple[list[dict[str, Any]], int]:
    """Valid words (fillers removed, variants unmarked) and how many items were malformed."""
    if items is None:
        return [], 0
    if type(items) is not list:
        return [], 1
    out: list[dict[str, Any]] = []
    bad = 0
    for item in items[:MAX_WORDS]:
        w = _clean_word_item(item)
        if w is None:
            bad += 1
        elif w is not _FILLER_WORD:
            out.append(cast(dict[str, Any], w))
    return out, bad + max(0, len(items) - MAX_WORDS)


def words_from_pocketsphinx(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Words from PocketSphinx's JSON ({"t", "w": [{"t","b","d","p"}]}), cleaned.

    `<sil>`, `<s>`, `</s>` and noise fillers go; `was(2)` (a pronunciation variant) becomes
    `was`; b + d becomes the end time; p is the posterior, kept as the confidence.
    Malformed entries are dropped.
    """
    return clean_words_list(obj.get("w") if isinstance(obj, Mapping) else None)[0]


def _alternatives(v: object) -> list[str] | None:
    if not isinstance(v, list):
        return None
    out: list[str] = []
    for a in v:
        if isinstance(a, Mapping):
            a = a.get("text", a.get("transcript"))
        if isinstance(a, str):
            s = clean_words(a)
            if s and s not in out:
                out.append(s)
        if len(out) >= MAX_ALTERNATIVES:
            break
    return out or None


def _allowed(v: object) -> bool:
    """review_allowed when present: only a clear yes lets a clip in (consent is not assumed
    from noise: false, empty, null, "no", "0" and anything unrecognised all exclude)."""
    if v is True:
        return True
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v == 1
    if isinstance(v, str):
        return v.strip().lower() in _TRUE
    return False


def parse_record(obj: dict[str, Any]) -> Record:
    """Apply the allow-list to one manifest object; raise BadLine for an unusable line."""
    audio = None
    for key in AUDIO_KEYS:
        if key in obj:
            audio = obj[key]
            break
    else:
        raise BadLine("missing `audio`")
    if not isinstance(audio, str):
        raise BadLine(f"`audio` must be a string, not {json_type(audio)}")
    if not audio.strip():
        raise BadLine("`audio` is empty")
    if "\0" in audio:
        raise BadLine("`audio` contains a NUL character")

    rec = Record(audio=audio.strip())

    source_id = obj.get("id")
    if source_id is not None and source_id != "":
        if isinstance(source_id, bool) or not isinstance(source_id, str | int):
            raise BadLine(f"`id` must be a string or a number, not {json_type(source_id)}")
        rec.source_id = str(source_id)

    guess_key = next((k for k in GUESS_KEYS if k in obj and obj[k] is not None), None)
    if guess_key is None:
        guess_key = next((k for k in FALLBACK_GUESS_KEYS if k in obj and obj[k] is not None), None)
    words_src: object = obj.get("words")
    alts_src: object = obj.get("alternatives")
    if guess_key is not None:
        guess = obj[guess_key]
        if isinstance(guess, str):
            rec.asr = clean_words(guess)
        elif isinstance(guess, Mapping) and guess_key == "asr":
            text = guess.get("text", guess.get("t", guess.get("hypothesis")))
            if text is not None and not isinstance(text, str):
                raise BadLine("`asr.text` must be a string")
            if "words" in guess:
                words_src = guess["words"]
            elif "w" in guess:
                words_src = guess["w"]
            if "alternatives" in guess:
                alts_src = guess["alternatives"]
            rec.asr = clean_words(text) if text is not None else ""
        else:
            raise BadLine(f"`{guess_key}` must be a string, not {json_type(guess)}")

    words, bad = clean_words_list(words_src)
    rec.words_dropped = bad
    if words:
        rec.words = words
        if not rec.asr:
            rec.asr = " ".join(w["word"] for w in words)
    rec.alternatives = _alternatives(alts_src)

    if "review_allowed" in obj:
        rec.review_allowed = _allowed(obj["review_allowed"])
    d = obj.get("duration")
    if isinstance(d, str):
        try:
            d = float(d)
        except ValueError:
            d = None
    d = _number(d)
    rec.duration = d if d is not None and d > 0 else None

    if obj.get("gold") is not None:
        rec.gold = parse_gold(obj["gold"])
    for key, value in obj.items():
        if key not in KNOWN_KEYS and value is not None and value != "":
            rec.dropped.append(_field_name(key))
    return rec


_FIELD_NAMES: dict[str, str] = {}  # the same few identifying keys come on every line


def _field_name(key: str) -> str:
    name = _FIELD_NAMES.get(key)
    if name is None:
        name = clean_words(key)[:MAX_FIELD_NAME] or "(unnamed field)"
        if len(_FIELD_NAMES) < 1000:  # a manifest of random keys must not grow memory
            _FIELD_NAMES[key] = name
    return name
